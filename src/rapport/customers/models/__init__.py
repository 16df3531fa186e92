from rapport.customers.models.contact import Contact
from rapport.customers.models.customer import Customer, Tag
from rapport.customers.models.details import Address, Consent, ContactPoint, ExternalIdentifier

__all__ = ["Address", "Consent", "Contact", "ContactPoint", "Customer", "ExternalIdentifier", "Tag"]
