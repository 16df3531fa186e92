from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    # "Lost" is also a customer's lifecycle stage, which several languages word differently.
    LOST = "lost", pgettext_lazy("opportunity", "Lost")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", pgettext_lazy("opportunity", "Lost")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class LeadSource(models.TextChoices):
    WEB = "web", _("Web form")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    PARTNER = "partner", _("Partner")
    SOCIAL = "social", _("Social media")
    OTHER = "other", _("Other")
