"""/api/v1/products/ and /api/v1/orders/: amounts are decimal strings with an ISO 4217 currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rapport.commerce.models import Order, OrderLine, Product
from rapport.commerce.services import order_create, product_create

pytestmark = pytest.mark.django_db


# --- products ----------------------------------------------------------------------------------------------


def test_every_signed_in_role_reads_the_catalogue(api, reader, stranger, world):
    for user in (reader, stranger):
        rows = api.as_user(user).get("/api/v1/products/").json()["results"]
        assert [(r["sku"], r["price"], r["currency"]) for r in rows] == [("SKU-1", "9.90", "MYR")]


def test_it_creates_a_product_with_an_exact_price(api, agent):
    response = api.as_user(agent).post(
        "/api/v1/products/", {"sku": "T-1", "name": "Tea", "price": "12.30", "currency": "myr"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["price"] == "12.30" and response.json()["currency"] == "MYR"
    assert Product.objects.get(sku="T-1").price == Decimal("12.30")


def test_a_price_given_as_a_json_number_is_read_exactly(api, agent):
    response = api.as_user(agent).generic(
        "POST", "/api/v1/products/", '{"sku": "T-2", "name": "Tea", "price": 0.1, "currency": "EUR"}',
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["price"] == "0.10"
    assert Product.objects.get(sku="T-2").price == Decimal("0.10")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"currency": "XYZ"}, "currency"), ({"currency": "RM"}, "currency"), ({"price": "1.005"}, "price"),
     ({"price": "abc"}, "price"), ({"price": "1e20"}, "price"), ({"price": "NaN"}, "price"), ({"sku": "SKU-1"}, "sku"),
     ({"sku": ""}, "sku"), ({"name": "x" * 201}, "name")],
)
def test_it_names_the_bad_product_field(api, agent, world, payload, field):
    valid = {"sku": "T-3", "name": "Tea", "price": "1.00", "currency": "MYR"}
    response = api.as_user(agent).post("/api/v1/products/", {**valid, **payload}, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Product.objects.count() == 1


def test_it_creates_an_inactive_product_and_filters_the_catalogue(api, admin_user, world):
    client = api.as_user(admin_user)
    client.post("/api/v1/products/", {"sku": "OLD-1", "name": "Old", "price": "1.00", "currency": "MYR",
                                      "category": "tea", "is_active": False}, format="json")
    product_create(sku="TEA-2", name="Green", price=Decimal("3.00"), currency="MYR", category="tea")

    def skus(query):
        return [r["sku"] for r in client.get(f"/api/v1/products/?{query}").json()["results"]]

    assert skus("") == ["OLD-1", "SKU-1", "TEA-2"]
    assert skus("is_active=false") == ["OLD-1"]
    assert skus("category=tea&is_active=true") == ["TEA-2"]
    assert skus("sku=SKU-1") == ["SKU-1"]
    assert skus("ordering=-sku") == ["TEA-2", "SKU-1", "OLD-1"]


def test_it_updates_and_deletes_a_product_and_keeps_the_order_lines(api, admin_user, world):
    client = api.as_user(admin_user)
    url = f"/api/v1/products/{world.product.pk}/"
    response = client.patch(url, {"price": "10.00", "currency": "usd"}, format="json")
    assert response.status_code == 200 and response.json()["price"] == "10.00" and response.json()["currency"] == "USD"
    assert client.delete(url).status_code == 204
    assert OrderLine.objects.filter(order=world.order, product=None).count() == 1


# --- orders ------------------------------------------------------------------------------------------------


def test_it_creates_an_order_from_lines(api, agent, world):
    response = api.as_user(agent).post(
        "/api/v1/orders/",
        {"customer": world.customer.pk, "currency": "MYR", "channel": "branch",
         "lines": [{"product": world.product.pk, "quantity": "3"},
                   {"description": "Gift wrap", "quantity": 2, "unit_price": "2.25"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total"] == "34.20" and body["currency"] == "MYR" and body["channel"] == "branch"
    assert [(line["description"], line["unit_price"], line["line_total"]) for line in body["lines"]] == [
        ("Widget", "9.90", "29.70"), ("Gift wrap", "2.25", "4.50"),
    ]
    assert Order.objects.get(pk=body["id"]).total == Decimal("34.20")


def test_it_creates_an_order_from_a_total(api, agent, world):
    response = api.as_user(agent).post(
        "/api/v1/orders/", {"customer": world.customer.pk, "currency": "EUR", "total": "99.99",
                            "external_id": "W-1", "source": "shop"}, format="json",
    )
    assert response.status_code == 201 and response.json()["total"] == "99.99" and response.json()["lines"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"currency": "ABC", "total": "1.00"}, "currency"),
        ({}, "total"),
        ({"total": "1.001"}, "total"),
        ({"total": "10.00", "lines": [{"description": "x", "unit_price": "1.00"}]}, "total"),
        ({"lines": [{"quantity": "1"}]}, "lines"),
        ({"lines": [{"description": "x"}]}, "lines"),
        ({"lines": [{"description": "x", "unit_price": "1.00", "quantity": "0"}]}, "lines"),
        ({"lines": [{"product": 987654}]}, "lines"),
        ({"lines": [{"description": "x", "unit_price": "9999999999.00", "quantity": "999999"}]}, "lines"),
        ({"lines": [{"description": "x", "unit_price": "999999999999.00"}] * 3}, "lines"),
        ({"total": "1.00", "status": "lost"}, "status"),
        ({"total": "1.00", "channel": "web3"}, "channel"),
        ({"total": "1.00", "placed_at": "yesterday"}, "placed_at"),
        ({"total": "1.00", "customer": "me"}, "customer"),
    ],
)
def test_a_bad_order_answers_400_naming_the_field_and_writes_nothing(api, agent, world, payload, field):
    before = (Order.objects.count(), OrderLine.objects.count())
    response = api.as_user(agent).post(
        "/api/v1/orders/", {"customer": world.customer.pk, "currency": "MYR", **payload}, format="json"
    )
    assert response.status_code == 400 and field in response.json(), response.json()
    assert (Order.objects.count(), OrderLine.objects.count()) == before


def test_a_reused_external_id_is_refused_and_writes_nothing(api, agent, world):
    order_create(customer=world.customer, currency="MYR", total=Decimal("1.00"), external_id="W-1", source="shop")
    before = Order.objects.count()
    response = api.as_user(agent).post(
        "/api/v1/orders/", {"customer": world.customer.pk, "currency": "MYR", "total": "2.00", "external_id": "W-1",
                            "source": "shop"}, format="json",
    )
    assert response.status_code == 400 and Order.objects.count() == before


def test_it_updates_an_order_status(api, agent, world):
    response = api.as_user(agent).patch(f"/api/v1/orders/{world.order.pk}/", {"status": "paid"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "paid"


def test_the_total_of_an_order_with_lines_cannot_be_overwritten(api, agent, world):
    response = api.as_user(agent).patch(f"/api/v1/orders/{world.order.pk}/", {"total": "1.00"}, format="json")
    assert response.status_code == 400 and "total" in response.json()
    world.order.refresh_from_db()
    assert world.order.total == Decimal("19.80")


def test_the_total_of_an_order_without_lines_can_be_corrected(api, admin_user, world):
    url = f"/api/v1/orders/{world.hidden_order.pk}/"
    assert api.as_user(admin_user).patch(url, {"total": "6.50"}, format="json").json()["total"] == "6.50"


def test_it_deletes_an_order_with_its_lines(api, agent, world):
    assert api.as_user(agent).delete(f"/api/v1/orders/{world.order.pk}/").status_code == 204
    assert not OrderLine.objects.filter(order_id=world.order.pk).exists()


def test_it_filters_and_orders_orders(api, agent, mine):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    for i, (status, channel) in enumerate([("placed", "web"), ("paid", "branch"), ("paid", "web")]):
        order_create(customer=mine, currency="MYR", total=Decimal(i + 1), status=status, channel=channel,
                     placed_at=start + timedelta(days=i), external_id=f"o{i}", source="t")
    client = api.as_user(agent)

    def ids(query):
        response = client.get(f"/api/v1/orders/?{query}")
        assert response.status_code == 200, response.json()
        return [r["external_id"] for r in response.json()["results"]]

    assert ids("") == ["o2", "o1", "o0"]
    assert ids("ordering=placed_at") == ["o0", "o1", "o2"]
    assert ids("status=paid") == ["o2", "o1"]
    assert ids("channel=web&status=paid") == ["o2"]
    assert ids(f"customer={mine.pk}&placed_at_after=2026-05-02T00:00:00Z") == ["o2", "o1"]
    assert client.get("/api/v1/orders/?status=lost").status_code == 400
