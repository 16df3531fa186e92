"""The timeline's channel and kind filters: one query, filtered inside each branch, keyset pages intact."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.commerce.services import order_create
from rapport.customers.selectors import customer_single_view
from rapport.customers.services import contact_create, customer_create
from rapport.customers.timeline import _branch, registered_sources, timeline_page
from rapport.interactions.services import interaction_log, note_add, task_create
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

USERS = get_user_model()._meta.db_table


def _history(customer, agent, n=4):
    base = timezone.now() - timedelta(days=n + 1)
    for i in range(n):
        for offset, channel in enumerate(("email", "phone", "chat")):
            interaction_log(customer=customer, channel=channel, direction="inbound", subject=f"{channel} {i}",
                            occurred_at=base + timedelta(days=i, minutes=offset), user=agent)
        order_create(customer=customer, currency="MYR", total=Decimal("9.99"), channel="phone",
                     placed_at=base + timedelta(days=i, hours=1))
    note_add(customer=customer, body="a note", author=agent)
    task_create(customer=customer, title="a task", assignee=agent)


def test_a_channel_filter_keeps_only_entries_of_that_channel(agent):
    customer = make_customer(owner=agent)
    _history(customer, agent)
    page = timeline_page(customer_id=customer.pk, user_table=USERS, channels={"email"})
    assert [e.title for e in page.entries] == ["email 3", "email 2", "email 1", "email 0"]


def test_a_channel_filter_drops_the_kinds_without_a_channel(agent):
    customer = make_customer(owner=agent)
    _history(customer, agent, 1)
    page = timeline_page(customer_id=customer.pk, user_table=USERS, channels={"phone"})
    # Orders carry a sales channel too: a phone order matches "phone"; notes and tasks have none.
    assert sorted(e.kind for e in page.entries) == ["interaction", "order"]


def test_kinds_and_channels_combine(agent):
    customer = make_customer(owner=agent)
    _history(customer, agent, 2)
    page = timeline_page(customer_id=customer.pk, user_table=USERS, kinds={"interaction"}, channels={"phone", "chat"})
    assert {e.kind for e in page.entries} == {"interaction"}
    assert sorted(e.title for e in page.entries) == ["chat 0", "chat 1", "phone 0", "phone 1"]


def test_an_empty_channel_set_matches_nothing(agent):
    customer = make_customer(owner=agent)
    _history(customer, agent, 1)
    with CaptureQueriesContext(connection) as ctx:
        page = timeline_page(customer_id=customer.pk, user_table=USERS, channels=set())
    assert page.entries == [] and page.next_cursor is None and len(ctx.captured_queries) == 0


def test_filtered_pages_follow_the_cursor_without_gaps_or_repeats(agent):
    customer = make_customer(owner=agent)
    _history(customer, agent, 7)
    seen, cursor = [], None
    while True:
        page = timeline_page(customer_id=customer.pk, user_table=USERS, cursor=cursor, limit=3,
                             kinds={"interaction"}, channels={"phone", "email"})
        seen.extend(e.title for e in page.entries)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 14 and len(set(seen)) == 14
    assert all(t.startswith(("phone", "email")) for t in seen)


def test_a_filtered_page_is_one_query_with_the_filter_inside_every_branch(agent):
    customer = make_customer(owner=agent)
    _history(customer, agent, 2)
    with CaptureQueriesContext(connection) as ctx:
        timeline_page(customer_id=customer.pk, user_table=USERS, channels={"email"})
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    with_channel = [s for s in registered_sources() if s.channel != "NULL"]
    assert sql.count(" UNION ALL ") == len(with_channel) - 1
    assert sql.count(" IN (") == len(with_channel)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_filtered_interaction_branch_still_walks_the_timeline_index(agent):
    customer = make_customer(owner=agent)
    source = next(s for s in registered_sources() if s.kind == "interaction")
    sql, params = _branch(source, USERS, None, 21, frozenset({"email"}))
    with connection.cursor() as db:
        db.execute(f"EXPLAIN QUERY PLAN {sql}", [customer.pk, *params])
        plan = " ".join(str(row[-1]) for row in db.fetchall())
    assert "interaction_timeline_idx" in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("history", [1, 30])
def test_the_single_view_filters_in_the_same_few_queries(agent, history):
    customer = make_customer(owner=agent)
    _history(customer, agent, history)
    with CaptureQueriesContext(connection) as ctx:
        view = customer_single_view(user=agent, pk=customer.pk, kinds={"interaction"}, channels={"chat"}, limit=10)
    assert len(ctx.captured_queries) <= 3  # a person has no contact persons to read
    assert {e.title.split()[0] for e in view.timeline.entries} == {"chat"}


def test_the_single_view_can_leave_the_contact_persons_to_a_later_request(agent):
    organisation = customer_create(kind="organisation", organisation_name="Acme", owner=agent, team=agent.team)
    contact_create(organisation=organisation, last_name="Tan")
    with CaptureQueriesContext(connection) as ctx:
        view = customer_single_view(user=agent, pk=organisation.pk, with_contacts=False)
    assert view.contacts == [] and len(ctx.captured_queries) == 3
    assert [c.last_name for c in customer_single_view(user=agent, pk=organisation.pk).contacts] == ["Tan"]


def test_entries_name_the_colleague_by_full_name_or_else_username(agent, team):
    from tests.factories import make_user

    named = make_user(role="agent", team=team, first_name="Nur", last_name="Aisyah")
    customer = make_customer(owner=agent)
    interaction_log(customer=customer, channel="phone", direction="inbound", subject="by name", user=named)
    agent.first_name = agent.last_name = ""
    agent.save()
    interaction_log(customer=customer, channel="phone", direction="inbound", subject="by login", user=agent)
    actors = {e.title: e.actor for e in timeline_page(customer_id=customer.pk, user_table=USERS).entries}
    assert actors == {"by name": "Nur Aisyah", "by login": agent.username}
