from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.analytics.choices import Band, Loyalty, Programme, RfmSegment, ValueSegment
from rapport.core.access import AccessPaths
from rapport.core.models import BulkJSONField


class CustomerScore(models.Model):
    """A customer's scores in one run. Rows of earlier runs stay: the history of why a customer was flagged.

    Written in bulk by the run (never through the ORM one by one). Money is in the reporting currency
    (``REPORTING_CURRENCY``); time quantities are in the run's periods (weeks by default).
    """

    access_paths = AccessPaths(owner="customer__owner", team="customer__team")

    # No single-column indexes on the two keys: (run, customer) is unique and the customer index starts with the
    # customer, which serve the same lookups; each index costs a second on every million-row run.
    run = models.ForeignKey("analytics.ScoreRun", on_delete=models.CASCADE, related_name="scores", db_index=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="scores", verbose_name=_("customer"),
        db_index=False,
    )
    as_of = models.DateField(_("as of"))
    # The buy-till-you-die summary.
    frequency = models.PositiveIntegerField(_("repeat purchases"))
    recency = models.FloatField(_("recency"))
    age = models.FloatField(_("customer age (T)"))
    monetary = models.FloatField(_("mean repeat spend"))
    days_since_purchase = models.PositiveIntegerField(_("days since the last purchase"))
    # RFM.
    rfm_r = models.PositiveSmallIntegerField("R")
    rfm_f = models.PositiveSmallIntegerField("F")
    rfm_m = models.PositiveSmallIntegerField("M")
    rfm_segment = models.CharField(_("RFM segment"), max_length=24, choices=RfmSegment.choices)
    # The models.
    p_alive = models.FloatField(_("probability of being alive"))
    expected_purchases = models.FloatField(_("expected purchases in the horizon"))
    p_no_purchase = models.FloatField(_("probability of no purchase in the churn window"))
    expected_spend = models.DecimalField(_("expected spend per purchase"), max_digits=14, decimal_places=2)
    clv = models.DecimalField(_("predicted lifetime value"), max_digits=14, decimal_places=2)
    actual_value = models.DecimalField(_("margin so far"), max_digits=14, decimal_places=2)
    churn_risk = models.FloatField(_("churn risk"))
    # Derived groups.
    risk_band = models.CharField(_("risk"), max_length=8, choices=Band.choices)
    value_band = models.CharField(_("value"), max_length=8, choices=Band.choices)
    value_segment = models.CharField(_("value segment"), max_length=24, choices=ValueSegment.choices)
    programme = models.CharField(_("programme"), max_length=24, choices=Programme.choices)
    loyalty = models.CharField(_("loyalty"), max_length=8, choices=Loyalty.choices)
    # The top reasons for the risk: [{"cause": code, "feature": name, "weight": float, "facts": {...}}].
    reasons = BulkJSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        constraints = [models.UniqueConstraint(fields=["run", "customer"], name="score_run_customer_uniq")]
        indexes = [
            # The 360's latest score and history.
            models.Index(fields=["customer", "-as_of", "-run"], name="score_customer_idx"),
            # The list filters and the matrix's cells within the current run; the customer id last, so that a
            # filter reads the index alone. The value band alone is read from the matrix index (see filters.py).
            models.Index(fields=["run", "risk_band", "value_band", "customer"], name="score_run_matrix_idx"),
            models.Index(fields=["run", "rfm_segment", "customer"], name="score_run_rfm_idx"),
            models.Index(fields=["run", "value_segment", "customer"], name="score_run_segment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.as_of}"
