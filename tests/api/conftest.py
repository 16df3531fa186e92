"""Fixtures for the API suite: callers of every role, and clients signed in as them."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import make_customer, make_user


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` signs it in (the session way) and returns it."""
    client = APIClient()

    def as_user(user):
        client.force_login(user)
        return client

    client.as_user = as_user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def analyst(db):
    return make_user(role="analyst", username="analyst")


@pytest.fixture
def reader(team):
    return make_user(role="read_only", team=team, username="reader")


@pytest.fixture
def colleague(team):
    """Another agent in the agent's team."""
    return make_user(role="agent", team=team, username="colleague")


@pytest.fixture
def stranger(other_team):
    """An agent of another team."""
    return make_user(role="agent", team=other_team, username="stranger")


@pytest.fixture
def mine(agent):
    return make_customer(owner=agent, first_name="Mine", emails=["mine@example.com"])


@pytest.fixture
def colleagues(colleague):
    return make_customer(owner=colleague, first_name="Colleagues")


@pytest.fixture
def theirs(stranger):
    return make_customer(owner=stranger, first_name="Theirs")


@pytest.fixture
def world(agent, stranger):
    """One record of every resource on a customer the agent owns, and a customer the agent may not see."""
    from decimal import Decimal
    from types import SimpleNamespace

    from rapport.commerce.services import order_create, product_create
    from rapport.customers.services import contact_create
    from rapport.interactions.services import interaction_log, note_add, task_create

    org = make_customer(owner=agent, kind="organisation", organisation_name="Acme", first_name="", last_name="")
    hidden = make_customer(owner=stranger, kind="organisation", organisation_name="Hidden", first_name="")
    product = product_create(sku="SKU-1", name="Widget", price=Decimal("9.90"), currency="MYR")
    return SimpleNamespace(
        customer=org,
        hidden=hidden,
        contact=contact_create(organisation=org, last_name="Tan"),
        hidden_contact=contact_create(organisation=hidden, last_name="Lim"),
        interaction=interaction_log(customer=org, channel="phone", direction="inbound", subject="Hello"),
        hidden_interaction=interaction_log(customer=hidden, channel="email", direction="outbound"),
        note=note_add(customer=org, body="Likes tea"),
        hidden_note=note_add(customer=hidden, body="Secret"),
        task=task_create(customer=org, title="Call back"),
        hidden_task=task_create(customer=hidden, title="Hidden task"),
        product=product,
        order=order_create(customer=org, currency="MYR", lines=[{"product": product, "quantity": 2}]),
        hidden_order=order_create(customer=hidden, currency="MYR", total=Decimal("5.00")),
    )


def create_payloads(world) -> dict[str, dict]:
    """A valid create payload per resource, about the world's visible customer."""
    cid = world.customer.pk
    return {
        "customers": {"first_name": "Nur", "last_name": "Aziz", "emails": ["nur@example.com"], "tags": ["vip"]},
        "contacts": {"organisation": cid, "first_name": "Ali", "last_name": "Hassan", "email": "ali@example.com"},
        "interactions": {"customer": cid, "channel": "email", "direction": "outbound", "subject": "Offer"},
        "notes": {"customer": cid, "body": "Called about the offer"},
        "tasks": {"customer": cid, "title": "Send the brochure", "due_at": "2030-01-01T09:00:00Z"},
        "products": {"sku": "SKU-NEW", "name": "Gadget", "price": "19.90", "currency": "MYR"},
        "orders": {
            "customer": cid, "currency": "MYR",
            "lines": [
                {"product": world.product.pk, "quantity": "1"},
                {"description": "Gift wrap", "unit_price": "2.50"},
            ],
        },
    }


RESOURCES = ["customers", "contacts", "interactions", "notes", "tasks", "products", "orders"]


def detail_of(world, resource: str, hidden: bool = False):
    """The world's record of ``resource`` (the invisible one with ``hidden``); products have no hidden one."""
    name = {"customers": "customer", "contacts": "contact", "interactions": "interaction", "notes": "note",
            "tasks": "task", "products": "product", "orders": "order"}[resource]
    if hidden:
        name = "hidden" if resource == "customers" else f"hidden_{name}"
    return getattr(world, name)
