"""The customer list's value, risk and segment filters (registered with ``customers.listing``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rapport.analytics.choices import Band, RfmSegment, ValueSegment


def _by(column: str, **index_prefix: Any) -> Any:
    def apply(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        from rapport.analytics.models import CustomerScore
        from rapport.analytics.selectors import current_run_id_sql

        # A semi-join on the current run's covering index (run, group, customer): no scan of the scores.
        scored = CustomerScore.objects.filter(run_id=current_run_id_sql(), **index_prefix, **{column: value})
        return qs.filter(pk__in=scored.values("customer_id"))

    return apply


# The value band is read from the risk x value index (run, risk, value, customer), once per risk band: one
# index less to maintain on every million-row run.
_EVERY_RISK_BAND = {"risk_band__in": [band for band, _label in Band.choices]}


def register_customer_filters() -> None:
    from rapport.customers.listing import ExtraFilter, register_filter

    register_filter(ExtraFilter("value", _("Value"), lambda: list(Band.choices), _by("value_band", **_EVERY_RISK_BAND)))
    register_filter(ExtraFilter("risk", _("Churn risk"), lambda: list(Band.choices), _by("risk_band")))
    register_filter(ExtraFilter("rfm", _("RFM segment"), lambda: list(RfmSegment.choices), _by("rfm_segment")))
    register_filter(ExtraFilter(
        "segment", _("Value segment"), lambda: list(ValueSegment.choices), _by("value_segment")
    ))
