"""Background jobs of duplicate detection: a run started from the web page, and the nightly one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rapport.dedupe.services import dedupe_run


@db_task()
def dedupe_run_task(by_id: int | None = None, threshold: float = 0.9) -> Any:
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return dedupe_run(threshold=threshold, by=by).pk


@db_periodic_task(crontab(hour="2", minute="30"))
def dedupe_nightly() -> Any:
    # New and changed customers of the day are paired overnight; decided pairs are never proposed again.
    return dedupe_run().pk
