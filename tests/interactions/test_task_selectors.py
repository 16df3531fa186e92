"""The selectors behind the tasks page and the home page: day buckets in the reader's zone, keyset pages,
capped counts, who sees which task, the team's recent activity."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.core.keyset import Ordering, encode_cursor
from rapport.interactions.models import Task
from rapport.interactions.selectors import (
    DayBounds,
    interaction_recent,
    task_get,
    tasks_done,
    tasks_done_count,
    tasks_due,
    tasks_due_count,
    week_start,
)
from rapport.interactions.services import interaction_log, task_complete, task_create, task_reopen
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

KL = ZoneInfo("Asia/Kuala_Lumpur")  # UTC+8 all year
# 17:30 on 10 March in UTC is already 01:30 on 11 March in Kuala Lumpur.
NOW = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)


def titles(page):
    return [t.title for t in page.rows]


def test_a_task_falls_in_the_day_bucket_of_the_readers_zone(agent):
    customer = make_customer(owner=agent)
    # 23:00 on 10 March in KL: yesterday there, still today in UTC.
    late_yesterday = task_create(customer=customer, title="A", due_at=datetime(2026, 3, 10, 15, tzinfo=UTC),
                                 assignee=agent)
    # 18:00 on 11 March in KL: today there, tomorrow in UTC.
    this_evening = task_create(customer=customer, title="B", due_at=datetime(2026, 3, 11, 10, tzinfo=UTC),
                               assignee=agent)
    with timezone.override(KL):
        kl = DayBounds.now(NOW)
        assert kl.today.isoformat() == "2026-03-11"
        assert [kl.bucket_of(t.due_at) for t in (late_yesterday, this_evening)] == ["overdue", "today"]
        assert titles(tasks_due(user=agent, bucket="overdue", bounds=kl)) == ["A"]
        assert titles(tasks_due(user=agent, bucket="today", bounds=kl)) == ["B"]
        assert titles(tasks_due(user=agent, bucket="upcoming", bounds=kl)) == []
    with timezone.override(UTC):
        utc = DayBounds.now(NOW)
        assert titles(tasks_due(user=agent, bucket="overdue", bounds=utc)) == []
        assert titles(tasks_due(user=agent, bucket="today", bounds=utc)) == ["A"]
        assert titles(tasks_due(user=agent, bucket="upcoming", bounds=utc)) == ["B"]


def test_a_day_with_a_clock_change_is_23_hours_long():
    with timezone.override(ZoneInfo("Europe/Warsaw")):
        bounds = DayBounds.now(datetime(2026, 3, 29, 12, tzinfo=UTC))
    # Same-zone subtraction in Python is wall-clock time; the instants are 23 hours apart.
    assert bounds.end.astimezone(UTC) - bounds.start.astimezone(UTC) == timedelta(hours=23)


def test_undated_and_done_tasks_stay_out_of_the_dated_buckets(agent):
    customer = make_customer(owner=agent)
    task_create(customer=customer, title="someday", assignee=agent)
    done = task_create(customer=customer, title="done", due_at=NOW - timedelta(days=3), assignee=agent)
    task_complete(task=done)
    bounds = DayBounds.now(NOW)
    assert titles(tasks_due(user=agent, bucket="none", bounds=bounds)) == ["someday"]
    assert titles(tasks_due(user=agent, bucket="overdue", bounds=bounds)) == []
    assert titles(tasks_done(user=agent)) == ["done"]


def test_pages_follow_the_cursor_without_offset_or_repeats(agent):
    customer = make_customer(owner=agent)
    due = NOW + timedelta(days=2)
    # Equal due dates on purpose: the id breaks the tie, so no row is skipped or shown twice.
    made = [task_create(customer=customer, title=f"t{i}", due_at=due, assignee=agent) for i in range(5)]
    made.append(task_create(customer=customer, title="t5", due_at=due + timedelta(hours=1), assignee=agent))
    bounds, seen, after = DayBounds.now(NOW), [], None
    with CaptureQueriesContext(connection) as queries:
        while True:
            page = tasks_due(user=agent, bucket="upcoming", after=after, limit=2, bounds=bounds)
            seen += page.rows
            after = page.next_cursor
            if after is None:
                break
    assert seen == made
    assert len(queries) == 3
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_undated_tasks_page_on_their_id(agent):
    customer = make_customer(owner=agent)
    made = [task_create(customer=customer, title=f"n{i}", assignee=agent) for i in range(3)]
    first = tasks_due(user=agent, bucket="none", limit=2)
    assert first.rows == made[:2] and first.next_cursor
    assert tasks_due(user=agent, bucket="none", after=first.next_cursor, limit=2).rows == made[2:]


def test_done_tasks_come_most_recent_first_page_by_page(agent):
    customer = make_customer(owner=agent)
    made = [task_create(customer=customer, title=f"d{i}", assignee=agent) for i in range(3)]
    for i, task in enumerate(made):
        Task.objects.filter(pk=task.pk).update(done_at=NOW - timedelta(hours=3 - i))
    first = tasks_done(user=agent, limit=2)
    assert titles(first) == ["d2", "d1"]
    assert titles(tasks_done(user=agent, after=first.next_cursor, limit=2)) == ["d0"]
    assert tasks_done_count(user=agent) == 3


def test_a_cursor_that_is_not_ours_starts_from_the_top(agent):
    customer = make_customer(owner=agent)
    task_create(customer=customer, title="x", assignee=agent)
    assert titles(tasks_due(user=agent, bucket="none", after="garbage")) == ["x"]
    assert titles(tasks_due(user=agent, bucket="none", after="not-a-cursor!!")) == ["x"]
    # A cursor issued for the done list is not taken for the due list.
    done_cursor = encode_cursor(Ordering(field="done_at", descending=True, nullable=False), NOW, 7)
    assert titles(tasks_due(user=agent, bucket="none", after=done_cursor)) == ["x"]


def test_counts_stop_one_past_the_cap(agent):
    customer = make_customer(owner=agent)
    for i in range(5):
        task_create(customer=customer, title=f"c{i}", assignee=agent)
    with CaptureQueriesContext(connection) as queries:
        assert tasks_due_count(user=agent, bucket="none", cap=3) == 4
    assert "LIMIT 4" in queries.captured_queries[0]["sql"].upper()
    assert tasks_due_count(user=agent, bucket="none") == 5


def test_mine_is_what_i_hold_and_team_is_what_i_may_see(agent, manager, team, other_team, admin_user):
    teammate = make_user(role="agent", team=team)
    stranger = make_user(role="agent", team=other_team)
    mine = make_customer(owner=agent)
    teammates = make_customer(owner=teammate)
    theirs = make_customer(owner=stranger)
    task_create(customer=mine, title="my own", assignee=agent)
    task_create(customer=mine, title="handed to a teammate", assignee=teammate)
    task_create(customer=teammates, title="teammate's", assignee=teammate)
    task_create(customer=theirs, title="other team's", assignee=stranger)

    def open_titles(user, scope):
        return sorted(titles(tasks_due(user=user, scope=scope, bucket="none")))

    assert open_titles(agent, "mine") == ["my own"]
    # An agent sees the tasks on their own customers, whoever holds them, and nothing of the other team.
    assert open_titles(agent, "team") == ["handed to a teammate", "my own"]
    assert open_titles(manager, "team") == ["handed to a teammate", "my own", "teammate's"]
    assert open_titles(manager, "mine") == []
    assert open_titles(admin_user, "team") == ["handed to a teammate", "my own", "other team's", "teammate's"]


def test_another_teams_task_is_not_found(agent, other_team):
    from django.http import Http404

    stranger = make_user(role="agent", team=other_team)
    task = task_create(customer=make_customer(owner=stranger), title="theirs", assignee=stranger)
    with pytest.raises(Http404):
        task_get(user=agent, pk=task.pk)
    with pytest.raises(Http404):
        task_get(user=agent, pk="nope")
    assert task_get(user=stranger, pk=task.pk) == task


def test_reopening_undoes_a_completion(agent):
    task = task_create(customer=make_customer(owner=agent), title="call back", assignee=agent,
                       due_at=NOW + timedelta(days=1))
    task_complete(task=task)
    task_reopen(task=task)
    task.refresh_from_db()
    assert task.done_at is None and task.due_at == NOW + timedelta(days=1) and task.assignee == agent


@pytest.mark.parametrize(("zone", "first_weekday", "expected"), [
    # 20:00 UTC on Sunday 8 March is 04:00 on Monday 9 March in Kuala Lumpur.
    ("UTC", 0, datetime(2026, 3, 8, tzinfo=UTC)),
    ("UTC", 1, datetime(2026, 3, 2, tzinfo=UTC)),
    ("Asia/Kuala_Lumpur", 0, datetime(2026, 3, 8, tzinfo=ZoneInfo("Asia/Kuala_Lumpur"))),
    ("Asia/Kuala_Lumpur", 1, datetime(2026, 3, 9, tzinfo=ZoneInfo("Asia/Kuala_Lumpur"))),
])
def test_the_week_starts_at_local_midnight_on_the_locales_first_day(zone, first_weekday, expected):
    with timezone.override(ZoneInfo(zone)):
        assert week_start(first_weekday=first_weekday, now=datetime(2026, 3, 8, 20, tzinfo=UTC)) == expected


def test_recent_activity_is_the_latest_visible_interactions_in_one_query(manager, team, other_team):
    teammate = make_user(role="agent", team=team)
    stranger = make_user(role="agent", team=other_team)
    ours = make_customer(owner=teammate)
    theirs = make_customer(owner=stranger)
    for i in range(12):
        interaction_log(customer=ours, channel="phone", direction="outbound", subject=f"call {i}", user=teammate,
                        occurred_at=NOW - timedelta(hours=i))
    interaction_log(customer=theirs, channel="email", direction="inbound", subject="secret", occurred_at=NOW)
    with CaptureQueriesContext(connection) as queries:
        rows = interaction_recent(user=manager, limit=10)
        names = [(r.customer.display_name, str(r.user)) for r in rows]
    assert len(queries) == 1
    assert [r.subject for r in rows] == [f"call {i}" for i in range(10)]
    assert names[0] == (ours.display_name, str(teammate))
    assert "LIMIT 10" in queries.captured_queries[0]["sql"].upper()
