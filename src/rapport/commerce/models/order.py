from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.commerce.choices import OrderStatus, SalesChannel
from rapport.core.access import AccessPaths
from rapport.core.models import SourcedModel, TimeStampedModel
from rapport.core.money import CurrencyField, amount_field


class Order(TimeStampedModel, SourcedModel):
    access_paths = AccessPaths(owner="customer__owner", team="customer__team")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="orders", verbose_name=_("customer"),
        db_index=False,
    )
    external_id = models.CharField(_("external id"), max_length=128, blank=True, default="")
    channel = models.CharField(_("channel"), max_length=16, choices=SalesChannel.choices, default=SalesChannel.WEB)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    total = amount_field(_("total"))
    currency = CurrencyField()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "-placed_at", "-id"], name="order_timeline_idx"),
            models.Index(fields=["-placed_at", "-id"], name="order_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~models.Q(external_id=""), name="order_unique_external_id"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"


class OrderLine(models.Model):
    access_paths = AccessPaths(owner="order__customer__owner", team="order__customer__team")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    product = models.ForeignKey(
        "commerce.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines",
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=1)
    unit_price = amount_field(_("unit price"))
    line_total = amount_field(_("line total"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return self.description or str(self.product_id)
