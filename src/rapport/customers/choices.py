from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    LAPSED = "lapsed", _("Lapsed")
    LOST = "lost", _("Lost")
    WON_BACK = "won_back", _("Won back")


class RelationshipLevel(models.IntegerChoices):
    """The six levels of a customer relationship, from pure utility to co-creation."""

    UTILITY = 1, _("Utility")
    CONVENIENCE = 2, _("Convenience")
    COMFORT = 3, _("Comfort")
    PERSONAL_RECOGNITION = 4, _("Personal recognition")
    SELF_EXPRESSION = 5, _("Self-expression")
    CO_CREATION = 6, _("Co-creation")


class ContactPointKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class AddressKind(models.TextChoices):
    # Not the home page: languages word a home address differently.
    HOME = "home", pgettext_lazy("address", "Home")
    WORK = "work", _("Work")
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    MAIL = "mail", _("Mail")


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
