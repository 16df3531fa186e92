"""Reads of the stored scores, always through the access-scoping selectors for anything per customer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Subquery

from rapport.analytics.choices import RunStatus
from rapport.analytics.models import CustomerScore, HoldoutCheck, ScoreRun
from rapport.core.access import visible_to


def current_run() -> ScoreRun | None:
    """The latest run that finished scoring: its scores are the current ones."""
    return ScoreRun.objects.filter(status=RunStatus.DONE).order_by("-id").first()


def current_run_id_sql() -> Subquery:
    """The current run's id as a subquery, so a filter on it costs no extra round trip."""
    return Subquery(ScoreRun.objects.filter(status=RunStatus.DONE).order_by("-id").values("id")[:1])


def current_scores(*, user: Any) -> QuerySet[CustomerScore]:
    return visible_to(user, CustomerScore.objects.filter(run_id=current_run_id_sql()))


def customer_score(*, user: Any, customer_id: int) -> CustomerScore | None:
    """The customer's latest score (the 360's badges and reasons), or None when never scored or not visible."""
    return (
        visible_to(user, CustomerScore.objects.filter(customer_id=customer_id, run__status=RunStatus.DONE))
        .order_by("-as_of", "-run_id").select_related("run").defer("run__charts", "run__timings").first()
    )


def customer_score_history(*, user: Any, customer_id: int, limit: int = 12) -> list[CustomerScore]:
    return list(
        visible_to(user, CustomerScore.objects.filter(customer_id=customer_id, run__status=RunStatus.DONE))
        .select_related("run").defer("run__charts", "run__timings").order_by("-as_of", "-run_id")[:limit]
    )


def latest_holdout() -> HoldoutCheck | None:
    return HoldoutCheck.objects.order_by("-id").first()
