from rapport.customers.models.contact import Contact
from rapport.customers.models.customer import Customer, Tag
from rapport.customers.models.details import Address, Consent, ContactPoint, ExternalIdentifier
from rapport.customers.models.history import LifecycleChange
from rapport.customers.models.merge import CustomerMerge
from rapport.customers.models.saved_view import SavedView

__all__ = [
    "Address", "Consent", "Contact", "ContactPoint", "Customer", "CustomerMerge", "ExternalIdentifier",
    "LifecycleChange", "SavedView", "Tag",
]
