"""A duplicate-detection run, and the pairs of customers it found likely to be one person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    MERGED = "merged", _("Merged")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


class DedupeRun(models.Model):
    """One pass over every customer: how many, what was found, how long it took, and the trained model."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    pairs = models.PositiveIntegerField(_("pairs found"), default=0)
    new_pairs = models.PositiveIntegerField(_("new pairs"), default=0)
    threshold = models.FloatField(_("threshold"))
    seconds = models.FloatField(_("seconds"), default=0.0)
    # ``scoring.Parameters.as_json()`` plus timings: the create-time check scores with the latest of these.
    parameters = models.JSONField(_("model parameters"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("duplicate detection run")
        verbose_name_plural = _("duplicate detection runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.pairs})"


class DuplicatePair(models.Model):
    """Two customers (lower id first) that are likely the same, and what a person decided about them."""

    customer_a = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+", db_index=False,
    )
    customer_b = models.ForeignKey(
        "customers.Customer", verbose_name=_("possible duplicate"), on_delete=models.CASCADE, related_name="+",
        db_index=False,
    )
    match_probability = models.FloatField(_("match probability"))
    # [{"comparison": "name", "level": "name_swapped", "weight": 12.3}, ...]: codes, worded by ``evidence``.
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PairStatus.choices, default=PairStatus.PENDING)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    run = models.ForeignKey(
        DedupeRun, verbose_name=_("run"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["customer_a", "customer_b"], name="duplicatepair_unique"),
            models.CheckConstraint(condition=models.Q(customer_a__lt=models.F("customer_b")),
                                   name="duplicatepair_ordered"),
        ]
        indexes = [
            # The review queue: pending pairs, most likely first, keyset-paged.
            models.Index(fields=["status", "-match_probability", "-id"], name="duplicatepair_queue_idx"),
            models.Index(fields=["customer_b", "status"], name="duplicatepair_b_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ~ {self.customer_b_id} ({self.match_probability:.2f})"
