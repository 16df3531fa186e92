"""The read-out hands the engine every order and touchpoint up to the as-of day, in the reporting currency, the
same whether it is read in one piece or in parallel slices (ADBC outside a transaction, the cursor inside)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from django.db import connection

from rapport.analytics import readout
from rapport.commerce.models import Order
from rapport.interactions.models import Interaction
from tests.factories import make_customer

AS_OF = date(2026, 3, 31)


def _order(customer, placed_at, total, *, currency="MYR", status="completed"):
    return Order.objects.create(customer=customer, placed_at=placed_at, total=Decimal(total), currency=currency,
                                status=status)


def _history():
    first, second = make_customer(), make_customer()
    _order(first, datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC), "10.00")
    _order(first, datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC), "20.00", status="returned")
    _order(first, datetime(2026, 4, 1, 0, 0, 0, tzinfo=UTC), "99.00")  # after the as-of day
    _order(second, datetime(2026, 2, 1, 12, 0, tzinfo=UTC), "1000.00", currency="IDR")
    _order(second, datetime(2026, 2, 2, 12, 0, tzinfo=UTC), "5.00", currency="XXX")  # no rate: unknown value
    _order(second, datetime(2026, 2, 3, 12, 0, tzinfo=UTC), "7.00", status="cancelled")
    Interaction.objects.create(customer=first, occurred_at=datetime(2026, 3, 1, tzinfo=UTC), channel="web",
                               direction="inbound", subject="x")
    Interaction.objects.create(customer=second, occurred_at=datetime(2026, 3, 2, tzinfo=UTC), channel="phone",
                               direction="outbound", subject="y")
    return first, second


def _rows(table):
    return sorted(zip(*(table.column(n).to_pylist() for n in table.column_names), strict=True),
                  key=lambda row: (row[0], str(row[1])))


def _check(first, second, orders, touch):
    rows = _rows(orders)
    assert [(r[0], r[1].isoformat(), r[3]) for r in rows] == [
        (first.pk, "2026-01-05", False), (first.pk, "2026-03-31", True),
        (second.pk, "2026-02-01", False), (second.pk, "2026-02-02", False),
    ]
    assert rows[0][2] == pytest.approx(10.0)
    assert rows[2][2] == pytest.approx(1000.0 / 3500)  # IDR at 3,500 to the ringgit
    assert rows[3][2] is None
    assert sorted(zip(*(touch.column(n).to_pylist() for n in ("customer_id", "day", "inbound", "self_service")),
                      strict=True)) == [
        (first.pk, (date(2026, 3, 1) - date(1970, 1, 1)).days, True, True),
        (second.pk, (date(2026, 3, 2) - date(1970, 1, 1)).days, False, False),
    ]


@pytest.fixture
def rates(settings):
    settings.REPORTING_CURRENCY = "MYR"
    settings.CURRENCY_RATES = {"MYR": 1.0, "IDR": 3500.0}


@pytest.mark.django_db
def test_it_reads_purchases_and_returns_up_to_the_as_of_day(rates):
    first, second = _history()
    _check(first, second, readout.orders(AS_OF), readout.interactions(AS_OF))


@pytest.mark.django_db(transaction=True)
def test_parallel_slices_read_the_same_rows(rates, monkeypatch):
    first, second = _history()
    # Slice even these few rows (on a file database or PostgreSQL, where the driver reads them).
    monkeypatch.setattr(readout, "MIN_SLICED_IDS", 0)
    monkeypatch.setattr(readout, "MIN_SLICED_BLOCKS", 0)
    _check(first, second, readout.orders(AS_OF, parts=3), readout.interactions(AS_OF, parts=2))
    if connection.vendor == "postgresql":
        assert readout._adbc_usable() and len(readout._slices("commerce_order", 3)) == 3


def test_days_are_utc_days_floored_before_1970_and_keep_nulls():
    us = 86_400_000_000
    instants = [0, us - 1, us, -1, -us, -us - 1, None, 20_000 * us + 23 * 3_600_000_000]
    for zone in ("UTC", "Asia/Tehran", "America/Los_Angeles"):  # the zone is a label: the day is always UTC's
        column = pa.chunked_array([pa.array(instants[:3], pa.timestamp("us", tz=zone)),
                                   pa.array(instants[3:], pa.timestamp("us", tz=zone))])
        assert readout._days(column).to_pylist() == [0, 0, 1, -1, -1, -2, None, 20_000]
    seconds = pa.array([-1, 86_399, 86_400], pa.timestamp("s", tz="UTC"))
    assert readout._days(seconds).to_pylist() == [-1, 0, 1]
