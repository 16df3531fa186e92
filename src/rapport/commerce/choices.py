from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class SalesChannel(models.TextChoices):
    WEB = "web", _("Web shop")
    BRANCH = "branch", _("Branch / store")
    PHONE = "phone", _("Phone")
    APP = "app", _("Mobile app")
    MARKETPLACE = "marketplace", _("Marketplace")
    PARTNER = "partner", _("Partner")
