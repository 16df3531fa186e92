from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.analytics.choices import RunStatus


class ScoreRun(models.Model):
    """One scoring of every customer at an as-of date: the fitted parameters, the model version and what happened.

    The customers' scores of a run are its :class:`CustomerScore` rows; the latest run that is done is current.
    ``charts`` holds the dashboard's aggregates over all customers, computed in the same pass, so the dashboard
    never aggregates a million rows on a page view.
    """

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    model_version = models.CharField(_("model version"), max_length=64, blank=True, default="")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    customers = models.PositiveIntegerField(_("customers scored"), default=0)
    orders = models.PositiveBigIntegerField(_("orders read"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    charts = models.JSONField(_("dashboard figures"), default=dict, blank=True)
    timings = models.JSONField(_("timings"), default=dict, blank=True)
    lifecycle_changes = models.PositiveIntegerField(_("lifecycle changes"), default=0)
    tasks_created = models.PositiveIntegerField(_("tasks created"), default=0)
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"], name="scorerun_status_idx")]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.get_status_display()})"


class HoldoutCheck(models.Model):
    """``rapport analytics fit --holdout-end``: how the models did on history they were not fitted on."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    calibration_end = models.DateField(_("calibration end"))
    holdout_end = models.DateField(_("holdout end"))
    result = models.JSONField(_("result"), default=dict)

    class Meta:
        verbose_name = _("holdout check")
        verbose_name_plural = _("holdout checks")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.calibration_end} → {self.holdout_end}"
