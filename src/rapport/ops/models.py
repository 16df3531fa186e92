"""Operations records: what the data generator made, with the truth it made it from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SeedRun(models.Model):
    """One run of the demo/benchmark generator (``rapport seed``, ``rapport demo``, ``make bench``).

    ``params`` holds the true purchase parameters (BG/NBD r, alpha, a, b; Gamma-Gamma p, q, gamma), the
    window and the time unit, so that fitted models can be checked against them; the per-customer truth
    (lambda, p, nu, drop-out time) is in ``truth_file`` under the var directory.
    """

    seed = models.BigIntegerField(_("seed"))
    customers = models.PositiveIntegerField(_("customers"))
    orders = models.PositiveBigIntegerField(_("orders"), default=0)
    interactions = models.PositiveBigIntegerField(_("interactions"), default=0)
    params = models.JSONField(_("parameters"), default=dict)
    stats = models.JSONField(_("statistics"), default=dict, help_text=_("Rows per table and timings"))
    truth_file = models.CharField(_("truth file"), max_length=500, blank=True, default="")
    label = models.CharField(_("label"), max_length=64, blank=True, default="", help_text=_("e.g. a benchmark tier"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("seed run")
        verbose_name_plural = _("seed runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"seed {self.seed}: {self.customers:,} customers"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
