"""The per-person home page: my open tasks, my customers' stage moves this week, the sales card, my team's
latest activity; all in the reader's zone, within what they may see, in a flat number of queries."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.services import user_update_preferences
from rapport.customers.models import LifecycleChange
from rapport.interactions.services import interaction_log, task_complete, task_create
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

# Sunday 8 March, 20:00 UTC: already Monday 9 March, 04:00, in Kuala Lumpur (UTC+8).
NOW = datetime(2026, 3, 8, 20, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def card(content: bytes, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', content.decode(), re.S)
    assert match, f"no {heading_id} card"
    return match.group(0)


def stage_change(customer, when, from_stage="active", to_stage="at_risk", reason=""):
    return LifecycleChange.objects.create(
        customer=customer, from_stage=from_stage, to_stage=to_stage, changed_at=when, reason=reason
    )


def test_my_open_tasks_come_overdue_first_with_complete_buttons(client, agent, frozen):
    customer = make_customer(owner=agent)
    task_create(customer=customer, title="Later", due_at=NOW + timedelta(days=3), assignee=agent)
    task_create(customer=customer, title="Undated", assignee=agent)
    late = task_create(customer=customer, title="Late", due_at=NOW - timedelta(days=2), assignee=agent)
    task_create(customer=customer, title="Soon", due_at=NOW + timedelta(hours=1), assignee=agent)
    task_complete(task=task_create(customer=customer, title="Finished", assignee=agent))
    client.force_login(agent)
    tasks = card(client.get(reverse("web:home")).content, "home-tasks")
    order = [t for t in re.findall(r'<div class="fw-semibold">([^<]+)</div>', tasks)]
    assert order == ["Late", "Soon", "Later", "Undated"]
    assert "Was due" in tasks and "Today" in tasks and "Finished" not in tasks
    assert reverse("web:task-complete", args=[late.pk]) in tasks


def test_at_most_ten_tasks_with_a_link_to_the_rest(client, agent):
    customer = make_customer(owner=agent)
    for i in range(12):
        task_create(customer=customer, title=f"Task {i:02d}", assignee=agent)
    client.force_login(agent)
    tasks = card(client.get(reverse("web:home")).content, "home-tasks")
    assert tasks.count('class="list-group-item d-flex') == 10 and "Task 10" not in tasks
    assert "All my tasks" in tasks and reverse("web:task-list") in tasks


def test_a_read_only_user_gets_no_complete_buttons(client, team, agent):
    viewer = make_user(role="read_only", team=team)
    task = task_create(customer=make_customer(owner=viewer), title="Watch only", assignee=viewer)
    client.force_login(viewer)
    tasks = card(client.get(reverse("web:home")).content, "home-tasks")
    assert "Watch only" in tasks and reverse("web:task-complete", args=[task.pk]) not in tasks


def test_stage_changes_this_week_start_at_the_readers_midnight(client, agent, frozen):
    customer = make_customer(owner=agent, first_name="Wobbly")
    LifecycleChange.objects.all().delete()  # the "Created" rows the factory wrote at the real time
    # 01:00 on Sunday 8 March in KL, but still Saturday 7 March (17:00) in UTC.
    stage_change(customer, datetime(2026, 3, 7, 17, tzinfo=UTC), reason="No order in 90 days")
    client.force_login(agent)

    # In UTC (English weeks start on Sunday) the week began at 00:00 on 8 March: the change is last week's.
    changes = card(client.get(reverse("web:home")).content, "home-lifecycle")
    assert "Wobbly" not in changes and "None of your customers changed stage since 03/08/2026." in changes

    user_update_preferences(user=agent, time_zone="Asia/Kuala_Lumpur")
    changes = card(client.get(reverse("web:home")).content, "home-lifecycle")
    assert "Wobbly" in changes and reverse("web:customer-detail", args=[customer.pk]) in changes
    assert "Active" in changes and "At risk" in changes and "No order in 90 days" in changes
    assert "1 a.m." in changes  # when, in the reader's zone


def test_stage_changes_are_only_of_my_own_customers(client, agent, manager, frozen):
    mine = make_customer(owner=agent, first_name="Minnie")
    teams = make_customer(owner=manager, first_name="Teamy")
    LifecycleChange.objects.all().delete()
    stage_change(mine, NOW - timedelta(hours=1))
    stage_change(teams, NOW - timedelta(hours=1))
    client.force_login(agent)
    changes = card(client.get(reverse("web:home")).content, "home-lifecycle")
    assert "Minnie" in changes and "Teamy" not in changes


def test_the_sales_card_loads_its_own_panel(client, agent):
    client.force_login(agent)
    sales = card(client.get(reverse("web:home")).content, "home-sales")
    assert f'hx-get="{reverse("web:sales-home-panel")}"' in sales and 'hx-trigger="load"' in sales
    assert "spinner-border" in sales


def test_team_activity_is_the_latest_ten_the_user_may_see(client, manager, team, other_team):
    teammate = make_user(role="agent", team=team, first_name="Tess", last_name="Mate")
    stranger = make_user(role="agent", team=other_team)
    ours = make_customer(owner=teammate, first_name="Ourcustomer")
    theirs = make_customer(owner=stranger, first_name="Theircustomer")
    now = timezone.now()
    for i in range(12):
        interaction_log(customer=ours, channel="phone", direction="outbound", subject=f"Call {i:02d}",
                        user=teammate, occurred_at=now - timedelta(minutes=i))
    interaction_log(customer=theirs, channel="email", direction="inbound", subject="Private", occurred_at=now)
    client.force_login(manager)
    activity = card(client.get(reverse("web:home")).content, "home-activity")
    subjects = re.findall(r"Call \d\d", activity)
    assert subjects == [f"Call {i:02d}" for i in range(10)]
    assert "Private" not in activity and "Theircustomer" not in activity
    assert "Tess Mate" in activity and "Phone" in activity


def test_an_agent_never_sees_another_teams_tasks_or_customers_at_home(client, agent, other_team):
    stranger = make_user(role="agent", team=other_team)
    theirs = make_customer(owner=stranger, first_name="Foreign")
    task_create(customer=theirs, title="Foreign task", assignee=agent)  # even if handed to the agent
    interaction_log(customer=theirs, channel="phone", direction="inbound", subject="Foreign call")
    client.force_login(agent)
    page = client.get(reverse("web:home")).content.decode()
    assert "Foreign" not in page


def test_the_home_page_needs_the_same_queries_for_one_row_or_fifty(client, agent, django_assert_max_num_queries):
    customers = []

    def add(n):
        for _ in range(n):
            customer = make_customer(owner=agent)
            customers.append(customer)
            task_create(customer=customer, title="t", due_at=timezone.now() - timedelta(days=1), assignee=agent)
            interaction_log(customer=customer, channel="phone", direction="outbound", user=agent)
            stage_change(customer, timezone.now())

    add(1)
    client.force_login(agent)
    # Session, user, tasks, stage changes, activity: each list one query, whatever its length.
    with django_assert_max_num_queries(5) as one:
        client.get(reverse("web:home"))
    add(49)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("web:home"))
    assert card(response.content, "home-activity").count("list-group-item") == 10
