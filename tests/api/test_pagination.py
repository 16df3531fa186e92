"""Cursor pagination: every row exactly once, in order, with bounded pages and no COUNT(*)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.commerce.services import order_create, product_create
from rapport.customers.services import contact_create
from rapport.interactions.services import interaction_log, note_add, task_create
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _walk(client, url: str) -> list[dict]:
    rows: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        rows.extend(body["results"])
        url = body["next"]
    return rows


@pytest.fixture
def many_customers(agent):
    # Names repeat, so the walk must break ties on the id.
    return [make_customer(owner=agent, first_name=f"N{i % 4}", last_name="") for i in range(23)]


@pytest.mark.parametrize("ordering", ["display_name", "-display_name", "created_at", "-created_at"])
def test_a_cursor_walk_returns_every_customer_once_in_order(api, agent, many_customers, ordering):
    rows = _walk(api.as_user(agent), f"/api/v1/customers/?page_size=5&ordering={ordering}")
    ids = [r["id"] for r in rows]
    assert len(ids) == 23 and len(set(ids)) == 23
    field = ordering.lstrip("-")
    keys = [(r[field], r["id"]) for r in rows]
    assert keys == sorted(keys, reverse=ordering.startswith("-"))


def test_the_walk_keeps_the_filters(api, agent, many_customers):
    rows = _walk(api.as_user(agent), "/api/v1/customers/?page_size=2&ordering=-created_at&email=&kind=person")
    assert len(rows) == 23
    rows = _walk(api.as_user(agent), "/api/v1/customers/?page_size=2&lifecycle_stage=active")
    assert rows == []


@pytest.mark.parametrize("ordering", ["due_at", "-due_at", "created_at", "-created_at"])
def test_a_cursor_walk_crosses_tasks_without_a_due_date(api, agent, mine, ordering):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(13):
        due = None if i % 3 == 0 else start + timedelta(days=i % 5)  # NULLs and ties
        task_create(customer=mine, title=f"t{i}", due_at=due)
    rows = _walk(api.as_user(agent), f"/api/v1/tasks/?page_size=2&ordering={ordering}")
    assert sorted(r["title"] for r in rows) == sorted(f"t{i}" for i in range(13))
    if ordering.endswith("due_at"):
        dues = [r["due_at"] for r in rows]
        dated = [d for d in dues if d is not None]
        assert dated == sorted(dated, reverse=ordering.startswith("-"))
        nulls_at = [i for i, d in enumerate(dues) if d is None]
        expected = list(range(5)) if ordering.startswith("-") else list(range(8, 13))
        assert nulls_at == expected


def test_every_list_can_be_walked(api, admin_user, agent, world):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    org = world.customer
    for i in range(6):
        contact_create(organisation=org, last_name=f"C{i}")
        interaction_log(customer=org, channel="web", direction="inbound", occurred_at=start)  # all at one instant
        note_add(customer=org, body=f"n{i}")
        task_create(customer=org, title=f"t{i}")
        product_create(sku=f"P{i}", name="p", price=Decimal("1.00"), currency="MYR")
        order_create(customer=org, currency="MYR", total=Decimal("1.00"), placed_at=start)
    client = api.as_user(admin_user)
    for resource, count in [("contacts", 8), ("interactions", 8), ("notes", 8), ("tasks", 8), ("products", 7),
                            ("orders", 8)]:
        ids = [r["id"] for r in _walk(client, f"/api/v1/{resource}/?page_size=3")]
        assert len(ids) == count and len(set(ids)) == count, resource


def test_the_page_size_defaults_to_50_and_is_capped_at_200(api, agent):
    for i in range(205):
        make_customer(owner=agent, first_name=f"P{i:03}", last_name="")
    client = api.as_user(agent)
    assert len(client.get("/api/v1/customers/").json()["results"]) == 50
    assert len(client.get("/api/v1/customers/?page_size=7").json()["results"]) == 7
    assert len(client.get("/api/v1/customers/?page_size=1000").json()["results"]) == 200


def test_the_last_page_has_no_next_link(api, agent, many_customers):
    body = api.as_user(agent).get("/api/v1/customers/?page_size=23").json()
    assert len(body["results"]) == 23 and body["next"] is None


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage", "%%%", "e30", _cursor([1, 2]), _cursor({"o": "display_name", "v": "a"}),
        _cursor({"o": "display_name", "v": "a", "i": "x"}), _cursor({"o": "display_name", "v": "a", "i": -1}),
        _cursor({"o": "display_name", "v": "a", "i": 10**30}), _cursor({"o": "display_name", "v": None, "i": 1}),
        _cursor({"o": "created_at", "v": "2026-01-01T00:00:00+00:00", "i": 1}),
        _cursor({"o": "display_name", "v": {"a": 1}, "i": 1}), _cursor({"o": "display_name", "v": "a\x00", "i": 1}),
        _cursor({"o": "display_name", "v": True, "i": 1}),
    ],
)
def test_a_bad_or_foreign_cursor_answers_400_naming_it(api, agent, many_customers, cursor):
    response = api.as_user(agent).get(f"/api/v1/customers/?cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.json()


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-01-01T00:00:00", "9999-99-99", 12, "2026-01-01T00:00:00+00:00"]
)
def test_a_cursor_with_a_date_of_the_wrong_shape_answers_400(api, agent, many_customers, value):
    cursor = _cursor({"o": "-created_at", "v": value, "i": 1})
    response = api.as_user(agent).get(f"/api/v1/customers/?ordering=-created_at&cursor={cursor}")
    assert response.status_code == (200 if value == "2026-01-01T00:00:00+00:00" else 400)


@pytest.mark.parametrize("resource", ["customers", "contacts", "interactions", "notes", "tasks", "products", "orders"])
def test_a_list_never_counts_its_rows(api, admin_user, world, resource):
    with CaptureQueriesContext(connection) as ctx:
        assert api.as_user(admin_user).get(f"/api/v1/{resource}/").status_code == 200
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("resource", ["contacts", "interactions", "notes", "tasks", "orders"])
def test_every_list_needs_as_many_queries_for_50_rows_as_for_5(api, admin_user, agent, resource):
    org = make_customer(owner=agent, kind="organisation", organisation_name="Acme", first_name="", last_name="")
    product = product_create(sku="P", name="p", price=Decimal("1.00"), currency="MYR")

    def add(n):
        for _ in range(n):
            contact_create(organisation=org, last_name="C")
            interaction_log(customer=org, channel="web", direction="inbound", user=agent)
            note_add(customer=org, body="n", author=agent)
            task_create(customer=org, title="t", assignee=agent, created_by=agent)
            order_create(customer=org, currency="MYR", lines=[{"product": product}, {"description": "x",
                                                                                     "unit_price": 1}])

    client = api.as_user(admin_user)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/{resource}/")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    add(5)
    few, rows = queries()
    assert rows == 5
    add(45)
    many, rows = queries()
    assert rows == 50 and many == few
