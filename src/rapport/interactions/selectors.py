from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rapport.core.access import visible_to
from rapport.core.keyset import BadCursor, Ordering
from rapport.interactions.models import Interaction, Note, Task

TaskScope = Literal["mine", "team"]
TaskBucket = Literal["overdue", "today", "upcoming", "none"]
TASK_SCOPES: tuple[TaskScope, ...] = ("mine", "team")
TASK_BUCKETS: tuple[TaskBucket, ...] = ("overdue", "today", "upcoming", "none")
COUNT_CAP = 10_000


def interaction_list(*, user: Any) -> QuerySet[Interaction]:
    return visible_to(user, Interaction.objects.select_related("customer", "user"))


def interaction_recent(*, user: Any, limit: int = 10) -> list[Interaction]:
    """The latest touchpoints on the customers the user (and so their team) may see, newest first.

    ``visible_to`` already is "my team's customers" for a team-scoped user, the own customers for an agent and
    everything for an administrator. The order matches ``interaction_recent_idx`` so the database reads the
    index backwards and stops after ``limit`` rows; customer and staff member come in the same query.
    """
    return list(interaction_list(user=user).order_by("-occurred_at", "-id")[:limit])


def note_list(*, user: Any) -> QuerySet[Note]:
    return visible_to(user, Note.objects.select_related("customer", "author"))


def task_list(*, user: Any) -> QuerySet[Task]:
    return visible_to(user, Task.objects.select_related("customer", "assignee"))


def task_get(*, user: Any, pk: Any) -> Task:
    """The task, or Http404 when it does not exist *or* the user may not see it (no hint that it exists)."""
    try:
        return task_list(user=user).get(pk=int(pk))
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task") from None


def task_list_open_for(*, user: Any) -> QuerySet[Task]:
    """The user's own open tasks, overdue first (nulls last), then by due date."""
    return task_list(user=user).filter(assignee=user, done_at__isnull=True).order_by(
        F("due_at").asc(nulls_last=True), "id"
    )


# --- The tasks page: open tasks in day buckets, recently done, keyset pages -------------------------------------


@dataclass(frozen=True)
class DayBounds:
    """Midnight today and tomorrow in the active time zone (the user's, set by the middleware), as instants."""

    today: date
    start: datetime
    end: datetime

    @classmethod
    def now(cls, now: datetime | None = None) -> DayBounds:
        today = timezone.localdate(now)
        return cls(today=today, start=local_midnight(today), end=local_midnight(today + timedelta(days=1)))

    def bucket_of(self, due_at: datetime | None) -> TaskBucket:
        if due_at is None:
            return "none"
        if due_at < self.start:
            return "overdue"
        if due_at < self.end:
            return "today"
        return "upcoming"


def local_midnight(day: date) -> datetime:
    # make_aware picks the right offset on a DST change day (a day can be 23 or 25 hours long).
    return timezone.make_aware(datetime.combine(day, time.min))


def week_start(*, first_weekday: int, now: datetime | None = None) -> datetime:
    """The instant the current week began in the active zone; ``first_weekday`` 0 is Sunday, 1 Monday (Django's
    FIRST_DAY_OF_WEEK convention)."""
    today = timezone.localdate(now)
    # date.weekday() counts Monday as 0; Django's format counts Sunday as 0.
    back = (today.weekday() + 1 - first_weekday) % 7
    return local_midnight(today - timedelta(days=back))


def task_scope(*, user: Any, scope: TaskScope) -> QuerySet[Task]:
    """The tasks behind a tab: ``mine`` those assigned to the user, ``team`` every task the user may see.

    For a team-scoped user (a manager) ``visible_to`` is exactly the team's customers plus their own; for an
    administrator it is everything; for an agent it is the tasks on their own customers, whoever holds them.
    No second permission filter is built here (decision 0002).
    """
    tasks = task_list(user=user)
    return tasks.filter(assignee=user) if scope == "mine" else tasks


def _bucket_filter(bucket: TaskBucket, bounds: DayBounds) -> Q:
    if bucket == "overdue":
        return Q(due_at__lt=bounds.start)
    if bucket == "today":
        return Q(due_at__gte=bounds.start, due_at__lt=bounds.end)
    if bucket == "upcoming":
        return Q(due_at__gte=bounds.end)
    return Q(due_at__isnull=True)


def _open_in_bucket(*, user: Any, scope: TaskScope, bucket: TaskBucket, bounds: DayBounds) -> QuerySet[Task]:
    return task_scope(user=user, scope=scope).filter(_bucket_filter(bucket, bounds), done_at__isnull=True)


@dataclass
class TaskPage:
    rows: list[Task] = field(default_factory=list)
    next_cursor: str | None = None


# The dated buckets and the done list exclude NULLs, so their orderings need no NULL handling; the undated
# bucket pages on id alone.
_BY_DUE = Ordering(field="due_at", descending=False, nullable=False)
_BY_ID = Ordering(field="id", descending=False, nullable=False)
_BY_DONE = Ordering(field="done_at", descending=True, nullable=False)


def _page(queryset: QuerySet[Task], ordering: Ordering, after: str | None, limit: int) -> TaskPage:
    try:
        rows, cursor = ordering.page(queryset, after, limit)
    except BadCursor:
        # A cursor that is not ours (or was issued for another list) starts from the top, not an error page.
        rows, cursor = ordering.page(queryset, None, limit)
    return TaskPage(rows=rows, next_cursor=cursor)


def tasks_due(
    *,
    user: Any,
    scope: TaskScope = "mine",
    bucket: TaskBucket,
    after: str | None = None,
    limit: int = 20,
    bounds: DayBounds | None = None,
) -> TaskPage:
    """One page of the open tasks in ``bucket``, soonest due first, after the row ``after`` points at.

    Keyset on (due_at, id): each page is a range read of ``task_assignee_due_idx`` (mine) or
    ``task_open_due_idx`` (team), never an OFFSET. "No due date" pages on id alone.
    """
    bounds = bounds or DayBounds.now()
    tasks = _open_in_bucket(user=user, scope=scope, bucket=bucket, bounds=bounds)
    return _page(tasks, _BY_ID if bucket == "none" else _BY_DUE, after, limit)


def tasks_due_count(
    *, user: Any, scope: TaskScope = "mine", bucket: TaskBucket, cap: int = COUNT_CAP, bounds: DayBounds | None = None
) -> int:
    """How many open tasks are in ``bucket``, counting no further than ``cap`` + 1.

    A COUNT over a LIMIT-ed subquery stops early on a huge team; show it with the ``capped`` filter.
    """
    bounds = bounds or DayBounds.now()
    return _open_in_bucket(user=user, scope=scope, bucket=bucket, bounds=bounds)[: cap + 1].count()


def tasks_done(*, user: Any, scope: TaskScope = "mine", after: str | None = None, limit: int = 20) -> TaskPage:
    """One page of completed tasks, the most recently done first; keyset on (done_at, id) going down."""
    tasks = task_scope(user=user, scope=scope).filter(done_at__isnull=False)
    return _page(tasks, _BY_DONE, after, limit)


def tasks_done_count(*, user: Any, scope: TaskScope = "mine", cap: int = COUNT_CAP) -> int:
    return task_scope(user=user, scope=scope).filter(done_at__isnull=False)[: cap + 1].count()
