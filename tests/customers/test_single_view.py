from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.commerce.services import order_create
from rapport.customers.selectors import customer_single_view
from rapport.customers.services import consent_record, customer_add_tags, customer_create, identifier_add
from rapport.interactions.services import interaction_log, note_add, task_create
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def _history(customer, agent, n):
    base = timezone.now() - timedelta(days=n)
    for i in range(n):
        interaction_log(
            customer=customer, channel="phone", direction="inbound", subject=f"call {i}",
            occurred_at=base + timedelta(days=i, hours=1), user=agent,
        )
        order_create(
            customer=customer, currency="MYR", total=Decimal("10.50"), placed_at=base + timedelta(days=i, hours=2),
        )
    task_create(customer=customer, title="Follow up", assignee=agent)
    note_add(customer=customer, body="Prefers mornings", author=agent)


def test_it_shows_profile_and_a_merged_timeline_newest_first(agent):
    customer = customer_create(
        first_name="Siti", last_name="Rahman", emails=["siti@example.com"], phones=["+60 12-345 6789"],
        owner=agent, team=agent.team,
    )
    identifier_add(customer=customer, source="shop", external_id="C-1")
    consent_record(customer=customer, channel="email", status="granted", source="web")
    customer_add_tags(customer=customer, names=["vip"])
    _history(customer, agent, 3)

    view = customer_single_view(user=agent, pk=customer.pk)

    assert view.customer.display_name == "Siti Rahman"
    assert [p.value for p in view.facts.contact_points] == ["siti@example.com", "+60 12-345 6789"]
    assert [(i.source, i.external_id) for i in view.facts.identifiers] == [("shop", "C-1")]
    assert [(c.channel, c.status) for c in view.facts.consents] == [("email", "granted")]
    assert [t.name for t in view.facts.tags] == ["vip"]
    kinds = [e.kind for e in view.timeline.entries]
    assert sorted(set(kinds)) == ["interaction", "note", "order", "task"]
    stamps = [e.at for e in view.timeline.entries]
    assert stamps == sorted(stamps, reverse=True)
    order_entry = next(e for e in view.timeline.entries if e.kind == "order")
    assert order_entry.amount == Decimal("10.50") and order_entry.currency == "MYR"
    assert next(e for e in view.timeline.entries if e.kind == "interaction").actor == "agent"


def test_it_pages_the_timeline_by_cursor_without_gaps_or_repeats(agent):
    customer = make_customer(owner=agent)
    _history(customer, agent, 12)  # 24 dated entries plus a task and a note
    seen, cursor = [], None
    while True:
        page = customer_single_view(user=agent, pk=customer.pk, cursor=cursor, limit=5).timeline
        seen.extend((e.kind, e.id) for e in page.entries)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 26 and len(set(seen)) == 26


@pytest.mark.parametrize("history", [1, 40])
def test_it_needs_at_most_five_queries_whatever_the_history(agent, history):
    customer = customer_create(organisation_name="Acme", kind="organisation", owner=agent, team=agent.team)
    _history(customer, agent, history)
    with CaptureQueriesContext(connection) as ctx:
        customer_single_view(user=agent, pk=customer.pk)
    assert len(ctx.captured_queries) <= 5


def test_it_answers_404_for_a_customer_of_another_team(agent, other_team):
    stranger = make_user(role="agent", team=other_team)
    customer = make_customer(owner=stranger)
    with pytest.raises(Http404):
        customer_single_view(user=agent, pk=customer.pk)
