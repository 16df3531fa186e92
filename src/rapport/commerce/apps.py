from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "rapport.commerce"
    label = "commerce"
    verbose_name = _("Products and orders")

    def ready(self) -> None:
        from rapport.commerce.models import Order
        from rapport.customers.timeline import TimelineSource, register_source

        register_source(TimelineSource(
            kind="order", rank=30, model=Order, at="placed_at", title="t.external_id", channel="t.channel",
            state="t.status", amount="t.total", currency="t.currency",
        ))
