from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "rapport.commerce"
    label = "commerce"
    verbose_name = _("Products and orders")

    def ready(self) -> None:
        from rapport.commerce.models import Order
        from rapport.customers.merging import MergeRelation, register_relation
        from rapport.customers.timeline import TimelineSource, register_source

        register_source(TimelineSource(
            kind="order", rank=30, model=Order, at="placed_at", title="t.external_id", channel="t.channel",
            state="t.status", amount="t.total", currency="t.currency",
        ))
        # Orders are unique per (source, external_id) whoever placed them: they all move to the survivor, and
        # their lines with them.
        register_relation(MergeRelation(model=Order))
