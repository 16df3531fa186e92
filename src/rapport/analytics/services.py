"""Writes of the analytics domain: a scoring run (also the nightly job) and a holdout check."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from rapport.analytics import pipeline, writeback
from rapport.analytics.choices import RunStatus
from rapport.analytics.engine.fitting import FitError
from rapport.analytics.models import ScoreRun
from rapport.analytics.readout import ReadoutError

log = logging.getLogger(__name__)


def options_for(as_of: date) -> pipeline.Options:
    conf = settings.ANALYTICS
    return pipeline.Options(
        as_of=as_of, period_days=conf["PERIOD_DAYS"], horizon_days=conf["HORIZON_DAYS"],
        annual_discount=conf["ANNUAL_DISCOUNT_PERCENT"] / 100, churn_window_days=conf["CHURN_WINDOW_DAYS"],
        gross_margin=conf["GROSS_MARGIN_PERCENT"] / 100, threads=max(1, min(4, os.cpu_count() or 1)),
    )


def analytics_run(
    *, as_of: date | None = None, by: Any = None, create_tasks: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ScoreRun:
    """Score every customer as of ``as_of`` (today by default) and make the scores current.

    When the data cannot be scored (no orders, a model that does not converge), the run is recorded with
    status "kept the previous scores" and the reason, and the previous run stays current: never a half
    written or NaN score.
    """
    as_of = as_of or timezone.localdate()
    options = options_for(as_of)
    run = ScoreRun.objects.create(
        as_of=as_of, started_by=by if getattr(by, "pk", None) else None,
        settings={
            "reporting_currency": settings.REPORTING_CURRENCY, "period_days": options.period_days,
            "horizon_days": options.horizon_days, "annual_discount": options.annual_discount,
            "churn_window_days": options.churn_window_days, "gross_margin": options.gross_margin,
        },
    )
    try:
        scoring = pipeline.score(options, progress)
    except (pipeline.ScoringError, FitError, ReadoutError, ValueError) as exc:
        run.status = RunStatus.KEPT_PREVIOUS
        run.notes = str(exc)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "notes", "finished_at"])
        log.warning("analytics run %s kept the previous scores: %s", run.pk, exc)
        return run
    writeback.store(run, scoring, create_tasks=create_tasks,
                    calls_per_owner=settings.ANALYTICS["CALLS_PER_OWNER"])
    writeback.prune_runs(settings.ANALYTICS["KEEP_RUNS"])
    return run
