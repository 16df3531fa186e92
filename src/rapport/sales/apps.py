from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "rapport.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from rapport.customers.merging import MergeRelation, register_relation
        from rapport.customers.timeline import TimelineSource, register_source
        from rapport.sales.models import Lead, Opportunity

        # Dated by creation; the state shows whether it is open, won or lost.
        register_source(TimelineSource(
            kind="opportunity", rank=45, model=Opportunity, at="created_at", title="t.name", state="t.status",
            amount="t.amount", currency="t.currency", actor_column="owner_id",
        ))
        # Opportunities keep their own owner and team; a lead converted into the discarded customer now names
        # the survivor.
        register_relation(MergeRelation(model=Opportunity))
        register_relation(MergeRelation(model=Lead, field="converted_customer"))
