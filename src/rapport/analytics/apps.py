from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "rapport.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from rapport.analytics.filters import register_customer_filters
        from rapport.analytics.models import CustomerScore
        from rapport.customers.merging import Conflict, MergeRelation, register_relation

        # A discarded customer's scores described someone who no longer exists on their own; the next run
        # scores the survivor on the merged history.
        register_relation(MergeRelation(model=CustomerScore, conflict=Conflict.DELETE))
        register_customer_filters()
