from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.models import TimeStampedModel
from rapport.core.money import CurrencyField, amount_field


class Product(TimeStampedModel):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True, default="", db_index=True)
    price = amount_field(_("price"))
    currency = CurrencyField()
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
