"""The per-customer summary: hand-made orders, awkward rows, and DuckDB against the plain NumPy reference."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from rapport.analytics.engine.summary import Summary, summarise, summarise_many, summarise_numpy, to_day

UTC = dt.UTC
AS_OF = dt.date(2024, 3, 31)


def at(day: str, hour: int = 12, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=tz)


def orders(rows: list[tuple], *, returns: bool = False, decimal: bool = False) -> pa.Table:
    """Rows of (customer_id, placed_at, total[, is_return])."""
    total_type = pa.decimal128(12, 2) if decimal else pa.float64()
    totals = [None if r[2] is None else (Decimal(str(r[2])) if decimal else float(r[2])) for r in rows]
    columns = {
        "customer_id": pa.array([r[0] for r in rows], pa.int64()),
        "placed_at": pa.array([r[1] for r in rows], pa.timestamp("us", tz="UTC")),
        "total": pa.array(totals, total_type),
    }
    if returns:
        columns["is_return"] = pa.array([r[3] if len(r) > 3 else False for r in rows], pa.bool_())
    return pa.table(columns)


def one(summary: Summary, customer_id: int) -> dict[str, object]:
    i = int(np.flatnonzero(summary.customer_id == customer_id)[0])
    return {name: getattr(summary, name)[i] for name in Summary.ARRAY_FIELDS}


def test_purchases_on_one_day_are_one_transaction() -> None:
    table = orders(
        [
            (1, at("2024-01-01", 9), 10.0),
            (1, at("2024-01-01", 18), 5.0),  # same day: merged into a 15.0 transaction
            (1, at("2024-01-08"), 20.0),
            (1, at("2024-01-15"), 30.0),
        ]
    )
    s = summarise(table, AS_OF)
    row = one(s, 1)
    assert row["frequency"] == 2
    assert row["recency"] == pytest.approx(14 / 7)
    assert row["T"] == pytest.approx((AS_OF - dt.date(2024, 1, 1)).days / 7)
    assert row["monetary"] == pytest.approx(25.0)  # (20 + 30) / 2: the first day is not a repeat
    assert row["total_spend"] == pytest.approx(65.0)
    assert row["n_orders"] == 4
    assert row["gap_mean"] == pytest.approx(7.0)
    assert row["gap_max"] == pytest.approx(7.0)
    assert row["first_purchase"] == np.datetime64("2024-01-01")
    assert row["last_purchase"] == np.datetime64("2024-01-15")
    assert row["days_since_last"] == (AS_OF - dt.date(2024, 1, 15)).days


def test_the_day_is_the_utc_date_of_the_instant() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    table = orders(
        [
            (1, at("2024-01-01", 23), 10.0),
            (1, dt.datetime(2024, 1, 2, 0, 30, tzinfo=plus_two), 5.0),  # 22:30 UTC on 1 January: the same day
            (2, at("2024-01-01", 23), 10.0),
            (2, at("2024-01-02", 1), 5.0),  # the next UTC day
        ]
    )
    s = summarise(table, AS_OF)
    assert one(s, 1)["frequency"] == 0
    assert one(s, 2)["frequency"] == 1


def test_days_before_1970_are_floored_not_truncated() -> None:
    table = orders(
        [(1, dt.datetime(1969, 12, 31, 23, tzinfo=UTC), 1.0), (1, dt.datetime(1970, 1, 1, 1, tzinfo=UTC), 1.0)]
    )
    s = summarise(table, dt.date(1970, 1, 10))
    assert s.frequency.tolist() == [1]
    assert s.first_purchase[0] == np.datetime64("1969-12-31")


def test_orders_after_the_as_of_date_are_left_out_and_counted() -> None:
    table = orders(
        [
            (1, at("2024-03-01"), 10.0),
            (1, at("2024-03-31", 23), 10.0),  # on the as-of day: counts
            (1, at("2024-04-01", 0), 99.0),  # the day after: does not
            (2, at("2024-05-01"), 10.0),  # a customer who does not exist yet
        ]
    )
    s = summarise(table, AS_OF)
    assert s.customer_id.tolist() == [1]
    assert s.frequency.tolist() == [1]
    assert s.total_spend.tolist() == [20.0]
    assert s.skipped_future == 2
    assert s.days_since_last.tolist() == [0]


def test_as_of_before_everyones_first_purchase_gives_an_empty_summary() -> None:
    table = orders([(1, at("2024-03-01"), 10.0), (2, at("2024-03-02"), 10.0)])
    s = summarise(table, dt.date(2024, 1, 1))
    assert len(s) == 0
    assert s.skipped_future == 2
    assert s.frequency.dtype == np.int64 and s.monetary.dtype == np.float64


def test_no_orders_gives_an_empty_summary() -> None:
    s = summarise(orders([]), AS_OF)
    assert len(s) == 0
    assert s.skipped_future == 0
    assert s.first_purchase.dtype == np.dtype("datetime64[D]")
    assert s.to_arrow().num_rows == 0


def test_returns_are_counted_but_are_not_purchases() -> None:
    table = orders(
        [
            (1, at("2024-01-01"), 50.0),
            (1, at("2024-01-05"), -20.0),  # a negative total is a return
            (1, at("2024-01-09"), 30.0, True),  # flagged a return: its (positive) value counts as returned
            (1, at("2024-01-20"), 40.0),
            (2, at("2024-01-03"), -15.0),  # only a return: not a customer of the summary
        ],
        returns=True,
    )
    s = summarise(table, AS_OF)
    assert s.customer_id.tolist() == [1]
    row = one(s, 1)
    assert row["frequency"] == 1
    assert row["monetary"] == pytest.approx(40.0)
    assert row["total_spend"] == pytest.approx(90.0)
    assert row["n_orders"] == 2
    assert row["n_returns"] == 2
    assert row["returns_value"] == pytest.approx(50.0)
    assert s.customers_without_purchase == 1


def test_a_zero_total_is_a_purchase_worth_nothing() -> None:
    table = orders([(1, at("2024-01-01"), 10.0), (1, at("2024-01-10"), 0.0), (1, at("2024-01-20"), 30.0)])
    row = one(summarise(table, AS_OF), 1)
    assert row["frequency"] == 2
    assert row["monetary"] == pytest.approx(15.0)  # (0 + 30) / 2


def test_a_null_total_is_a_purchase_of_unknown_value() -> None:
    table = orders(
        [
            (1, at("2024-01-01"), 10.0),
            (1, at("2024-01-10"), None),  # a day of unknown value: a transaction, left out of the mean
            (1, at("2024-01-20"), 30.0),
            (1, at("2024-01-20", 15), None),  # unknown next to a known order: the day is worth 30
        ]
    )
    row = one(summarise(table, AS_OF), 1)
    assert row["frequency"] == 2
    assert row["monetary"] == pytest.approx(30.0)
    assert row["total_spend"] == pytest.approx(40.0)
    assert row["n_null_totals"] == 2
    assert row["n_orders"] == 4


def test_one_customer_with_one_order() -> None:
    s = summarise(orders([(7, at("2024-02-01"), 12.5)]), AS_OF)
    row = one(s, 7)
    assert (row["frequency"], row["recency"], row["monetary"]) == (0, 0.0, 0.0)
    assert row["total_spend"] == pytest.approx(12.5)
    assert math.isnan(row["gap_mean"]) and math.isnan(row["gap_max"])  # no gap yet


def test_gaps_and_the_spend_trend() -> None:
    as_of = dt.date(2024, 12, 31)
    day = lambda n: dt.datetime.combine(as_of - dt.timedelta(days=n), dt.time(12), tzinfo=UTC)  # noqa: E731
    table = orders(
        [
            (1, day(300), 10.0),
            (1, day(170), 100.0),  # prior window (90, 180]
            (1, day(100), 50.0),  # prior window
            (1, day(60), 20.0),  # recent window (0, 90]
            (1, day(89), 5.0),
        ]
    )
    row = one(summarise(table, as_of), 1)
    assert row["gap_max"] == 130.0
    assert row["gap_mean"] == pytest.approx(240 / 4)
    assert row["spend_recent"] == pytest.approx(25.0) and row["orders_recent"] == 2
    assert row["spend_prior"] == pytest.approx(150.0) and row["orders_prior"] == 2


def test_a_date_column_and_decimal_totals() -> None:
    table = pa.table(
        {
            "customer_id": pa.array([1, 1, 2], pa.int64()),
            "placed_at": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 2, 1)], pa.date32()),
            "total": pa.array([Decimal("10.10"), Decimal("20.20"), Decimal("5.00")], pa.decimal128(12, 2)),
        }
    )
    s = summarise(table, AS_OF, period_days=1)
    assert s.frequency.tolist() == [1, 0]
    assert s.recency.tolist() == [7.0, 0.0]
    assert s.monetary[0] == pytest.approx(20.2)


def test_a_record_batch_reader_is_read_like_a_table() -> None:
    table = orders([(1, at("2024-01-01"), 10.0), (1, at("2024-01-08"), 20.0)], decimal=True)
    from_reader = summarise(table.to_reader(max_chunksize=1), AS_OF)
    from_table = summarise(table, AS_OF)
    assert from_reader.monetary.tolist() == from_table.monetary.tolist() == [20.0]


def test_rows_without_customer_or_date_are_ignored() -> None:
    table = pa.table(
        {
            "customer_id": pa.array([1, None, 1], pa.int64()),
            "placed_at": pa.array([at("2024-01-01"), at("2024-01-02"), None], pa.timestamp("us", tz="UTC")),
            "total": pa.array([1.0, 2.0, 3.0]),
        }
    )
    s = summarise(table, AS_OF)
    assert s.customer_id.tolist() == [1] and s.total_spend.tolist() == [1.0]


def test_bad_input_is_rejected_with_the_column_named() -> None:
    with pytest.raises(ValueError, match="total"):
        summarise(pa.table({"customer_id": [1], "placed_at": [at("2024-01-01")]}), AS_OF)
    with pytest.raises(TypeError, match="placed_at"):
        summarise(pa.table({"customer_id": [1], "placed_at": ["2024-01-01"], "total": [1.0]}), AS_OF)


def test_to_day_reads_dates_datetimes_and_numbers() -> None:
    assert to_day(dt.date(1970, 1, 2)) == 1
    assert to_day(dt.datetime(1970, 1, 2, 23, tzinfo=dt.timezone(dt.timedelta(hours=-2)))) == 2  # 01:00 UTC next day
    assert to_day(np.datetime64("1970-01-03")) == 2
    assert to_day(5) == 5


def test_take_keeps_the_metadata() -> None:
    s = summarise(orders([(1, at("2024-01-01"), 1.0), (2, at("2024-01-02"), 2.0)]), AS_OF)
    sub = s.take(s.customer_id == 2)
    assert sub.customer_id.tolist() == [2] and sub.as_of == AS_OF and sub.period_days == 7


def random_orders(seed: int, n: int = 4000, customers: int = 400) -> tuple[pa.Table, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    cid = rng.integers(1, customers, n)
    day = rng.integers(-30, 400, n)  # some before 1970
    seconds = day * 86400 + rng.integers(0, 86400, n)
    total = np.round(rng.gamma(2.0, 30.0, n), 2)
    total[rng.random(n) < 0.05] *= -1  # returns
    total[rng.random(n) < 0.03] = 0.0
    total[rng.random(n) < 0.03] = np.nan  # unknown
    is_return = rng.random(n) < 0.03
    table = pa.table(
        {
            "customer_id": pa.array(cid, pa.int64()),
            "placed_at": pa.array(seconds * 1_000_000, pa.timestamp("us", tz="UTC")),
            "total": pa.array(total, pa.float64(), from_pandas=True),  # NaN -> NULL
            "is_return": pa.array(is_return),
        }
    )
    return table, {"customer_id": cid, "day": day, "total": total, "is_return": is_return}


@pytest.mark.parametrize(("seed", "as_of_day", "period"), [(0, 300, 7), (1, 150, 7), (2, 380, 30), (3, 0, 1)])
def test_duckdb_agrees_with_the_numpy_reference(seed: int, as_of_day: int, period: int) -> None:
    table, raw = random_orders(seed)
    fast = summarise(table, as_of_day, period_days=period)
    slow = summarise_numpy(raw["customer_id"], raw["day"], raw["total"], as_of_day, period, is_return=raw["is_return"])
    assert len(fast) == len(slow) > 0
    for name in Summary.ARRAY_FIELDS:
        a, b = getattr(fast, name), getattr(slow, name)
        assert a.dtype == b.dtype, name
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=name)
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert fast.skipped_future == slow.skipped_future
    assert fast.customers_without_purchase == slow.customers_without_purchase


def test_several_as_of_days_in_one_pass_equal_one_at_a_time() -> None:
    table, _ = random_orders(4)
    days = [300, 120, 300, -40]
    together = summarise_many(table, days)
    assert [s.as_of_day for s in together] == days
    for summary, day in zip(together, days, strict=True):
        alone = summarise(table, day)
        assert summary.skipped_future == alone.skipped_future
        assert summary.customers_without_purchase == alone.customers_without_purchase
        for name in Summary.ARRAY_FIELDS:
            # Sums of floats in parallel threads may differ in the last bit from run to run.
            a, b = getattr(summary, name), getattr(alone, name)
            if a.dtype.kind == "f":
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=name)
            else:
                np.testing.assert_array_equal(a, b, err_msg=name)
    assert summarise_many(table, []) == []
