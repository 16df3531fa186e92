from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    WEB = "web", _("Web")
    SOCIAL = "social", _("Social media")
    BRANCH = "branch", _("Face to face / branch")
    MAIL = "mail", _("Mail")
    CALL_CENTRE = "call_centre", _("Call centre")
    PORTAL = "portal", _("Self-service portal")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
