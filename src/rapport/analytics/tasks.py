"""Background jobs: the nightly scoring and a run started by hand."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rapport.analytics.services import analytics_run


@db_task()
def analytics_run_task(by_id: int | None = None) -> Any:
    from django.contrib.auth import get_user_model

    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return analytics_run(by=by).pk


@db_periodic_task(crontab(hour="3", minute="15"))
def analytics_nightly() -> Any:
    # After the day's orders and the duplicate merges (02:30): scores, stages and retention tasks for the morning.
    return analytics_run().pk
