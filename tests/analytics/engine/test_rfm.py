"""RFM quintile scores and the named segments."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pytest

from rapport.analytics.engine.rfm import (
    SEGMENT_GRID,
    SEGMENT_LABELS,
    SEGMENTS,
    fm_score,
    quintile_scores,
    rfm_from_summary,
    rfm_scores,
    segment_of,
)
from rapport.analytics.engine.summary import summarise


def test_quintiles_are_balanced() -> None:
    rng = np.random.default_rng(0)
    n = 1003
    scores = rfm_scores(np.arange(n), rng.integers(0, 400, n), rng.integers(1, 20, n), rng.gamma(2, 50, n))
    for column in (scores.r, scores.f, scores.m):
        counts = np.bincount(column, minlength=6)[1:]
        assert counts.min() >= n // 5 and counts.max() <= n // 5 + 1
        assert set(column.tolist()) == {1, 2, 3, 4, 5}


def test_frequency_quintiles_stay_balanced_when_most_customers_bought_once() -> None:
    rng = np.random.default_rng(1)
    n = 1000
    transactions = np.where(rng.random(n) < 0.7, 1, rng.integers(2, 10, n))
    days = rng.integers(0, 365, n)
    scores = rfm_scores(np.arange(n), days, transactions, rng.gamma(2, 50, n))
    assert np.bincount(scores.f, minlength=6)[1:].tolist() == [200] * 5
    once = transactions == 1
    # Among the one-time buyers the more recent ones get the higher F (the documented tie-break)...
    order = np.argsort(days[once], kind="stable")
    assert np.all(np.diff(scores.f[once][order].astype(int)) <= 0)
    # ...and every repeat buyer scores at least as high as every one-time buyer.
    assert scores.f[~once].min() >= scores.f[once].max()


def test_ties_go_to_the_customer_better_on_the_next_dimension() -> None:
    # Five customers, all with two transactions: F falls to recency, most recent first.
    days = np.array([50, 10, 40, 20, 30])
    scores = rfm_scores(np.array([1, 2, 3, 4, 5]), days, np.full(5, 2), np.full(5, 100.0))
    assert scores.f.tolist() == [1, 5, 2, 4, 3]
    assert scores.r.tolist() == [1, 5, 2, 4, 3]
    # Complete ties fall to the customer id, lower first, so the result never depends on the input order.
    same = rfm_scores(np.array([30, 10, 20, 50, 40]), np.zeros(5), np.ones(5), np.zeros(5))
    assert same.f.tolist() == [3, 5, 4, 1, 2]


def test_recency_more_recent_is_better_and_monetary_is_total_spend() -> None:
    scores = rfm_scores(np.arange(5), np.array([0, 100, 200, 300, 400]), np.ones(5), np.array([1.0, 5, 4, 3, 2]))
    assert scores.r.tolist() == [5, 4, 3, 2, 1]
    assert scores.m.tolist() == [1, 5, 4, 3, 2]


def test_fm_is_the_mean_rounded_half_up() -> None:
    f = np.array([1, 3, 3, 5, 2], dtype=np.int8)
    m = np.array([1, 4, 3, 4, 1], dtype=np.int8)
    assert fm_score(f, m).tolist() == [1, 4, 3, 5, 2]


@pytest.mark.parametrize(
    ("r", "fm", "segment"),
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "loyal"),
        (3, 4, "loyal"),
        (5, 2, "potential_loyalists"),
        (4, 3, "potential_loyalists"),
        (5, 1, "new"),
        (4, 1, "promising"),
        (3, 3, "need_attention"),
        (3, 1, "about_to_sleep"),
        (3, 2, "about_to_sleep"),
        (2, 3, "at_risk"),
        (1, 4, "at_risk"),
        (1, 5, "cant_lose_them"),
        (2, 5, "cant_lose_them"),
        (1, 1, "hibernating"),
        (2, 2, "hibernating"),
    ],
)
def test_segment_grid(r: int, fm: int, segment: str) -> None:
    assert segment_of(r, fm) == segment


def test_every_segment_is_reachable_named_and_snake_case() -> None:
    assert {code for row in SEGMENT_GRID for code in row} == set(SEGMENTS)
    assert set(SEGMENT_LABELS) == set(SEGMENTS)
    assert all(re.fullmatch(r"[a-z_]+", code) for code in SEGMENTS)


def test_segments_of_known_customers() -> None:
    # Ten customers, two per quintile of recency; F and M move together so FM is easy to read off.
    cid = np.arange(10)
    days = np.array([1, 2, 10, 11, 100, 101, 200, 201, 300, 301])  # R: 5 5 4 4 3 3 2 2 1 1
    transactions = np.array([1, 1, 20, 19, 6, 5, 3, 2, 18, 17])  # F: 1 1 5 5 3 3 2 2 4 4
    spend = np.array([10.0, 12, 1000, 900, 300, 250, 50, 40, 800, 700])  # M: as F
    scores = rfm_scores(cid, days, transactions, spend)
    assert scores.segment.tolist() == [
        "new",
        "new",
        "loyal",
        "loyal",
        "need_attention",
        "need_attention",
        "hibernating",
        "hibernating",
        "at_risk",
        "at_risk",
    ]
    assert scores.rfm_code.tolist()[::2] == [511, 455, 333, 222, 144]


def test_rfm_from_a_summary_and_counts() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    cid = rng.integers(1, 500, n)
    seconds = rng.integers(0, 365, n) * 86400
    table = pa.table(
        {
            "customer_id": pa.array(cid, pa.int64()),
            "placed_at": pa.array(seconds * 1_000_000 + 1_700_000_000_000_000, pa.timestamp("us", tz="UTC")),
            "total": rng.gamma(2, 20, n),
        }
    )
    summary = summarise(table, dt.date(2025, 1, 1))
    scores = rfm_from_summary(summary)
    assert len(scores) == len(summary)
    assert scores.customer_id.tolist() == summary.customer_id.tolist()
    counts = scores.counts()
    assert list(counts) == list(SEGMENTS) and sum(counts.values()) == len(summary)


def test_empty_and_tiny_inputs() -> None:
    empty = rfm_scores(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    assert len(empty) == 0 and empty.segment.tolist() == []
    tiny = rfm_scores(np.array([1, 2]), np.array([5, 50]), np.array([3, 1]), np.array([10.0, 1.0]))
    assert tiny.r.tolist() == [3, 1] and tiny.f.tolist() == [3, 1]
    assert quintile_scores(np.array([7.0])).tolist() == [1]
    with pytest.raises(ValueError):
        rfm_scores(np.arange(3), np.arange(2), np.arange(3), np.arange(3))
