"""Orders: one per row, or one row per line; customers by external id; totals and lines kept consistent."""

from decimal import Decimal

import pytest

from rapport.commerce.models import Order, OrderLine
from rapport.commerce.services import product_create
from rapport.customers.models import Customer
from rapport.imports.services import batch_rollback
from tests.imports.conftest import CUSTOMER_HEADERS, customer_row, run

pytestmark = pytest.mark.django_db
ORDER_HEADERS = ["Order number", "Customer", "Order date", "Total", "Currency", "Channel", "Status"]


@pytest.fixture
def customers(var_dir):
    run("customers", CUSTOMER_HEADERS, [customer_row(n) for n in range(1, 4)])


def test_one_order_per_row(customers):
    rows = [["O1", "C0001", "2024-03-01 10:00", "1 234,50", "myr", "Web shop", "paid"],
            ["O2", "C0002", "02/03/2024", "99.90", "MYR", "", ""]]
    out = run("orders", ORDER_HEADERS, rows)
    assert out.counts["created"] == 2
    o1 = Order.objects.get(external_id="O1")
    assert o1.total == Decimal("1234.50") and o1.currency == "MYR" and o1.status == "paid" and o1.channel == "web"
    assert o1.customer.identifiers.get().external_id == "C0001" and o1.source == "shop"
    o2 = Order.objects.get(external_id="O2")
    assert o2.status == "placed" and o2.placed_at.day == 2 and o2.placed_at.month == 3


def test_bad_orders_are_reported_with_the_field(customers):
    rows = [["O1", "C9999", "2024-03-01", "10", "MYR", "", ""],
            ["O2", "C0001", "2024-03-01", "12,34,5x", "MYR", "", ""],
            ["O3", "C0001", "2024-03-01", "10", "RMX", "", ""],
            ["O4", "C0001", "2024-03-01", "10", "MYR", "", "lost"],
            ["O5", "C0001", "2024-03-01", "10", "MYR", "", ""],
            ["O6", "C0001", "2024-03-01", "", "MYR", "", ""]]
    out = run("orders", ORDER_HEADERS, rows)
    assert dict(out.counts) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 5}
    errors = "\n".join(out.first_errors)
    assert 'customer: no customer has the external id "C9999"' in errors
    assert 'total: "12,34,5x" is not an amount' in errors
    assert 'currency: "RMX" is not an ISO 4217 currency code' in errors
    assert 'status: "lost" is not one of' in errors
    assert "total: a new order needs a total (or lines)" in errors


def test_create_missing_makes_a_minimal_customer(customers):
    rows = [["O1", "NEW-1", "2024-03-01", "10", "MYR", "", ""], ["O2", "NEW-1", "2024-03-02", "5", "MYR", "", ""]]
    out = run("orders", ORDER_HEADERS, rows, create_missing=True)
    assert out.counts["created"] == 2 and out.extra["customers_created"] == 1
    placeholder = Customer.objects.get(identifiers__external_id="NEW-1")
    assert placeholder.last_name == "NEW-1" and placeholder.orders.count() == 2 and placeholder.source == "shop"
    # The customer file fills the placeholder in later.
    run("customers", ["Customer ID", "First name", "Last name"], [["NEW-1", "Siti", "Aminah"]])
    placeholder.refresh_from_db()
    assert placeholder.display_name == "Siti Aminah"
    # Rolling the orders back removes the customer the batch made.
    batch_rollback(batch=out.batch)
    assert not Customer.objects.filter(identifiers__external_id="NEW-1").exists()


def test_rerunning_orders_changes_nothing_and_a_change_updates(customers):
    rows = [["O1", "C0001", "2024-03-01 10:00", "10", "MYR", "", ""]]
    run("orders", ORDER_HEADERS, rows)
    assert run("orders", ORDER_HEADERS, rows).counts["unchanged"] == 1
    out = run("orders", ORDER_HEADERS, [["O1", "C0002", "2024-03-01 10:00", "11", "MYR", "", "shipped"]])
    assert out.counts["updated"] == 1
    order = Order.objects.get()
    assert order.total == Decimal("11.00") and order.status == "shipped"
    assert order.customer.identifiers.get().external_id == "C0002"
    batch_rollback(batch=out.batch)
    order.refresh_from_db()
    assert order.total == Decimal("10.00") and order.status == "placed"
    assert order.customer.identifiers.get().external_id == "C0001"


LINE_HEADERS = ["Order number", "Customer", "Order date", "Currency", "SKU", "Description", "Qty", "Unit price"]


def test_orders_with_lines_on_repeated_rows(customers):
    product_create(sku="TEA-1", name="Teh tarik", price=Decimal("4.50"), currency="MYR")
    rows = [["O1", "C0001", "2024-03-01", "MYR", "TEA-1", "", "2", ""],
            ["O1", "C0001", "2024-03-01", "MYR", "", "Delivery", "1", "5.00"],
            ["O2", "C0002", "2024-03-02", "MYR", "", "Kuih", "3", "1,50"]]
    out = run("orders", LINE_HEADERS, rows, chunk_size=2)  # O1's two rows stay in one chunk
    assert out.counts["created"] == 3 and out.batch.chunks.count() == 2
    o1 = Order.objects.get(external_id="O1")
    assert o1.total == Decimal("14.00")
    assert [(line.description, line.quantity, line.line_total) for line in o1.lines.order_by("pk")] == [
        ("", Decimal("2.000"), Decimal("9.00")), ("Delivery", Decimal("1.000"), Decimal("5.00"))]
    assert o1.lines.first().product.sku == "TEA-1"
    assert run("orders", LINE_HEADERS, rows).counts["unchanged"] == 3
    # Other lines replace the order's lines; the rollback brings the old ones back with their ids.
    old_ids = sorted(o1.lines.values_list("pk", flat=True))
    changed = run("orders", LINE_HEADERS, [["O1", "C0001", "2024-03-01", "MYR", "", "Nasi lemak", "1", "8"]])
    assert changed.counts["updated"] == 1 and o1.lines.get().description == "Nasi lemak"
    o1.refresh_from_db()
    assert o1.total == Decimal("8.00")
    batch_rollback(batch=changed.batch)
    o1.refresh_from_db()
    assert o1.total == Decimal("14.00") and sorted(o1.lines.values_list("pk", flat=True)) == old_ids


def test_an_order_with_one_bad_line_is_rejected_whole(customers):
    rows = [["O1", "C0001", "2024-03-01", "MYR", "", "Good", "1", "5"],
            ["O1", "C0001", "2024-03-01", "MYR", "", "Bad", "1", "five"],
            ["O2", "C0001", "2024-03-01", "MYR", "NOPE", "", "1", ""],
            ["O3", "C0001", "2024-03-01", "MYR", "", "Ok", "1", "2"]]
    out = run("orders", LINE_HEADERS, rows)
    assert dict(out.counts) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    errors = "\n".join(out.first_errors)
    assert 'another line of order "O1" was rejected' in errors and 'no product has the SKU "NOPE"' in errors
    assert list(Order.objects.values_list("external_id", flat=True)) == ["O3"]


def test_a_total_beside_lines_must_be_their_sum(customers):
    headers = [*LINE_HEADERS, "Total"]
    rows = [["O1", "C0001", "2024-03-01", "MYR", "", "A", "2", "5", "11"]]
    out = run("orders", headers, rows)
    assert out.counts["rejected"] == 1 and "is not the sum of the order's lines (10.00)" in out.first_errors[0]
    assert not OrderLine.objects.exists()


def test_lines_of_one_order_must_be_consecutive(customers):
    rows = [["O1", "C0001", "2024-03-01", "MYR", "", "A", "1", "1"],
            ["O2", "C0001", "2024-03-01", "MYR", "", "B", "1", "1"],
            ["O3", "C0001", "2024-03-01", "MYR", "", "C", "1", "1"],
            ["O1", "C0001", "2024-03-01", "MYR", "", "D", "1", "1"]]
    out = run("orders", LINE_HEADERS, rows, chunk_size=2)
    assert out.counts["rejected"] == 1 and "must be on consecutive rows" in out.first_errors[0]
