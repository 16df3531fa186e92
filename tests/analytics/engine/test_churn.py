"""Churn risk on a synthetic shop where the churners are planted, and on inputs with nothing to learn from."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pytest

from rapport.analytics.engine.churn import (
    FALLBACK_METHOD,
    MODEL_METHOD,
    ORDER_FEATURES,
    ChurnResult,
    align,
    backtest,
    churn_risk,
    direct_contributions,
    grouped_contributions,
)
from rapport.analytics.engine.metrics import roc_auc
from rapport.analytics.engine.reasons import CAUSES, reasons_for
from rapport.analytics.engine.summary import summarise

START = 19_000  # day numbers: 2022-01-08
AS_OF = START + 730
AFTER = AS_OF + 90  # the fresh window, never seen by the model


@dataclass
class World:
    orders: pa.Table
    customer_id: np.ndarray
    kind: np.ndarray  # loyal, drifter, complainer, mover, once
    event_day: np.ndarray  # when a drifter stops, a complainer complains, a mover moves (inf: never)

    def relationship(self, day: int) -> dict[str, np.ndarray]:
        """Relationship features as measured on ``day``: a complaint stays unresolved, a move is known once made;
        satisfaction is noise."""
        rng = np.random.default_rng(day)
        return {
            "customer_id": self.customer_id,
            "unresolved_complaints": ((self.kind == "complainer") & (self.event_day <= day)).astype(float),
            "moved_away": ((self.kind == "mover") & (self.event_day <= day)).astype(float),
            "satisfaction_mean": np.round(rng.uniform(3, 5, self.customer_id.size), 1),
        }

    def kind_of(self, customer_id: np.ndarray) -> np.ndarray:
        return self.kind[np.searchsorted(self.customer_id, customer_id)]

    def event_of(self, customer_id: np.ndarray) -> np.ndarray:
        return self.event_day[np.searchsorted(self.customer_id, customer_id)]


def planted_world(n: int = 4000, seed: int = 0) -> World:
    """Customers buying at their own rhythm (a gap of 8-35 days); drifters stop at a random time, complainers stop
    when they complain, movers when they move, one-time buyers never come back. Orders run until AFTER."""
    rng = np.random.default_rng(seed)
    cid = np.arange(1, n + 1, dtype=np.int64)
    kind = rng.choice(np.array(["loyal", "drifter", "complainer", "mover", "once"]), n, p=[0.5, 0.25, 0.13, 0.06, 0.06])
    first = rng.integers(START, AS_OF - 60, n)
    gap = rng.uniform(8, 35, n)
    event = np.full(n, np.inf)
    drifter = kind == "drifter"
    event[drifter] = first[drifter] + rng.exponential(300, drifter.sum())
    for k in ("complainer", "mover"):
        chosen = kind == k
        event[chosen] = rng.uniform(first[chosen], AFTER + 60)
    end = np.minimum(event, AFTER).astype(np.int64)
    end[kind == "once"] = first[kind == "once"]
    span = np.maximum(end - first, 0)
    counts = rng.poisson(span / gap)
    owner = np.concatenate([np.arange(n), np.repeat(np.arange(n), counts)])
    day = np.concatenate([first, first[owner[n:]] + (rng.random(owner.size - n) * span[owner[n:]]).astype(np.int64)])
    microseconds = (day * 86_400 + rng.integers(0, 86_400, owner.size)) * 1_000_000
    orders = pa.table(
        {
            "customer_id": pa.array(cid[owner], pa.int64()),
            "placed_at": pa.array(microseconds, pa.timestamp("us", tz="UTC")),
            "total": np.round(rng.gamma(2.0, 25.0, owner.size), 2),
        }
    )
    return World(orders, cid, kind, event)


@pytest.fixture(scope="module")
def world() -> World:
    return planted_world()


@pytest.fixture(scope="module")
def result(world: World) -> ChurnResult:
    return churn_risk(
        world.orders,
        AS_OF,
        relationship=world.relationship(AS_OF),
        relationship_at_cutoff=world.relationship(AS_OF - 90),
        seed=1,
        num_threads=1,
    )


def fresh_outcome(world: World, customer_id: np.ndarray) -> np.ndarray:
    """True for customers who made no purchase in (AS_OF, AFTER]."""
    after = summarise(world.orders, AFTER)
    last = after.last_purchase.astype(np.int64)[np.searchsorted(after.customer_id, customer_id)]
    return last <= AS_OF


def test_the_model_ranks_fresh_outcomes_well(world: World, result: ChurnResult) -> None:
    assert result.method == MODEL_METHOD
    assert result.auc is not None and result.auc > 0.85  # on held-out training customers
    churned = fresh_outcome(world, result.customer_id)
    auc = roc_auc(churned, result.risk)
    assert auc is not None and auc > 0.8, auc  # on a window the model never saw
    assert np.isfinite(result.risk).all() and result.risk.min() >= 0 and result.risk.max() <= 1


def test_everyone_with_a_purchase_is_scored_and_trained_without_leaks(world: World, result: ChurnResult) -> None:
    assert result.customer_id.tolist() == summarise(world.orders, AS_OF).customer_id.tolist()
    assert result.feature_names == (*ORDER_FEATURES, "moved_away", "satisfaction_mean", "unresolved_complaints")
    assert result.cutoff == dt.date(1970, 1, 1) + dt.timedelta(days=AS_OF - 90)
    assert result.notes == ()  # relationship features at the cutoff were given
    assert result.n_train + result.n_valid == len(summarise(world.orders, AS_OF - 90))


def test_contributions_add_up_to_the_risk(result: ChurnResult) -> None:
    assert result.contributions.shape == (len(result), len(result.feature_names))
    logit = result.contributions.sum(axis=1) + result.base_value
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), result.risk, rtol=1e-9, atol=1e-12)
    assert result.booster is not None
    direct = result.booster.predict(result.features, num_iteration=result.best_iteration)
    np.testing.assert_allclose(direct, result.risk, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("threads", [1, 3])
def test_grouped_contributions_equal_lightgbms_own(result: ChurnResult, threads: int) -> None:
    assert result.booster is not None
    features = result.features.copy()
    features[::7, ORDER_FEATURES.index("spend_trend")] = np.nan  # more missing values than the data has
    grouped, grouped_bias = grouped_contributions(result.booster, features, result.best_iteration, threads)
    direct, direct_bias = direct_contributions(result.booster, features, result.best_iteration)
    np.testing.assert_allclose(grouped, direct, rtol=1e-9, atol=1e-9)
    assert grouped_bias == pytest.approx(direct_bias)


def test_training_is_deterministic(world: World, result: ChurnResult) -> None:
    again = churn_risk(
        world.orders,
        AS_OF,
        relationship=world.relationship(AS_OF),
        relationship_at_cutoff=world.relationship(AS_OF - 90),
        seed=1,
        num_threads=1,
    )
    assert again.model_hash == result.model_hash and len(result.model_hash) == 16
    np.testing.assert_array_equal(again.risk, result.risk)
    assert result.model_string() is not None and "tree" in (result.model_string() or "")


def test_reasons_name_the_planted_causes(world: World, result: ChurnResult) -> None:
    top = reasons_for(result)
    kind = world.kind_of(result.customer_id)
    event = world.event_of(result.customer_id)
    days = result.column("days_since_last")
    frequency = result.column("frequency")
    groups = {
        "unresolved_complaints": (kind == "complainer") & (event <= AS_OF) & (event > AS_OF - 45),
        "moved_away": (kind == "mover") & (event <= AS_OF) & (event > AS_OF - 45),
        "drifting_away": (kind == "drifter") & (event < AS_OF - 200) & (frequency > 0),
        "new_customer_not_returning": (kind == "once") & (days > 120),
    }
    for cause, rows in groups.items():
        rows = np.flatnonzero(rows)
        assert rows.size >= 5, cause
        first = Counter(CAUSES[i] for i in top.index[rows, 0])
        named = sum(cause in top.codes(r) for r in rows)
        assert first[cause] / rows.size >= 0.8, (cause, first)
        assert named / rows.size >= 0.9, (cause, named, rows.size)
        assert result.risk[rows].mean() > 0.8, cause


def test_relationship_features_measured_now_are_noted(world: World) -> None:
    small = planted_world(n=600, seed=3)
    r = churn_risk(small.orders, AS_OF, relationship=small.relationship(AS_OF))
    assert any("used for training too" in note for note in r.notes)


def test_the_backtest_scores_a_window_it_did_not_train_on(world: World) -> None:
    scored, report = backtest(
        world.orders,
        AFTER,
        relationship_then=world.relationship(AS_OF),
        relationship_before=world.relationship(AS_OF - 90),
        seed=1,
    )
    assert scored.as_of == dt.date(1970, 1, 1) + dt.timedelta(days=AS_OF)
    assert report.n == len(scored) and report.auc is not None and report.auc > 0.8
    assert report.top_decile_lift is not None and report.top_decile_lift > 1.5


def test_a_record_batch_reader_works(world: World) -> None:
    small = planted_world(n=500, seed=5)
    from_reader = churn_risk(small.orders.to_reader(max_chunksize=1000), AS_OF)
    from_table = churn_risk(small.orders, AS_OF)
    np.testing.assert_array_equal(from_reader.risk, from_table.risk)


def orders_of(customer_id: list[int], days: list[str], totals: list[float] | None = None) -> pa.Table:
    stamps = np.asarray(days, dtype="datetime64[D]").astype("datetime64[us]")
    return pa.table(
        {
            "customer_id": pa.array(customer_id, pa.int64()),
            "placed_at": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "total": pa.array(totals if totals is not None else [10.0] * len(customer_id), pa.float64()),
        }
    )


def test_no_orders_gives_an_empty_result() -> None:
    r = churn_risk(orders_of([], []), dt.date(2024, 1, 1))
    assert len(r) == 0 and r.method == FALLBACK_METHOD
    assert r.contributions.shape == (0, len(ORDER_FEATURES)) and r.risk.shape == (0,)
    assert reasons_for(r).index.shape == (0, 3)


def test_one_customer_falls_back_to_the_heuristic() -> None:
    r = churn_risk(orders_of([1, 1], ["2023-01-01", "2023-02-01"]), dt.date(2024, 1, 1))
    assert r.method == FALLBACK_METHOD and r.booster is None and r.model_hash == "heuristic-v1"
    assert r.risk.shape == (1,) and 0.99 < r.risk[0] <= 1.0  # 334 days against a usual 31
    assert "too little to learn from" in r.notes[0]
    assert reasons_for(r).codes(0) == ["drifting_away"]


def test_a_small_shop_gets_the_heuristic_checked_against_its_window() -> None:
    small = planted_world(n=80, seed=7)
    r = churn_risk(small.orders, AS_OF)
    assert r.method == FALLBACK_METHOD and r.n_valid == len(summarise(small.orders, AS_OF - 90))
    assert r.auc is not None and r.auc > 0.7
    assert np.isfinite(r.contributions).all() and np.isfinite(r.risk).all()


def test_a_single_class_falls_back_and_never_yields_nan() -> None:
    # Everybody buys every week: nobody churned in the training window.
    weeks = np.arange(np.datetime64("2023-01-02"), np.datetime64("2024-01-01"), 7).astype(str).tolist()
    customers = list(range(300))
    table = orders_of([c for c in customers for _ in weeks], [w for _ in customers for w in weeks])
    r = churn_risk(table, dt.date(2024, 1, 1))
    assert r.method == FALLBACK_METHOD and r.positive_rate == 0.0
    assert np.isfinite(r.risk).all() and (r.risk < 0.5).all()
    assert np.isfinite(r.contributions).all()


def test_zero_and_null_totals_do_not_break_the_features() -> None:
    table = pa.table(
        {
            "customer_id": pa.array([1, 1, 2, 3], pa.int64()),
            "placed_at": pa.array(
                np.array(["2023-06-01", "2023-07-01", "2023-06-01", "2023-12-01"], "datetime64[us]"),
                pa.timestamp("us", tz="UTC"),
            ),
            "total": pa.array([0.0, None, None, -5.0], pa.float64()),
        }
    )
    r = churn_risk(table, dt.date(2024, 1, 1))
    assert r.customer_id.tolist() == [1, 2] and np.isfinite(r.risk).all()


def test_relationship_features_align_on_customer_id() -> None:
    names, matrix = align(
        np.array([3, 1, 2, 9]), {"customer_id": np.array([1, 2, 3]), "complaints": np.array([10, 20, 30])}
    )
    assert names == ["complaints"]
    assert matrix[:3, 0].tolist() == [30.0, 10.0, 20.0] and np.isnan(matrix[3, 0])
    for bad in (
        {"complaints": np.array([1])},
        {"customer_id": np.array([1, 1]), "x": np.array([1, 2])},
        {"customer_id": np.array([1]), "bad name": np.array([1])},
        {"customer_id": np.array([1]), "frequency": np.array([1])},
        {"customer_id": np.array([1, 2]), "x": np.array([1])},
    ):
        with pytest.raises(ValueError):
            align(np.array([1]), bad)


@pytest.mark.parametrize("leaves", [18, 31])  # 17 splits: 64-bit keys, relabelled densely; 30: through np.unique
def test_grouped_contributions_equal_lightgbms_own_for_larger_trees(leaves: int) -> None:
    import lightgbm as lgb

    rng = np.random.default_rng(leaves)
    features = rng.normal(size=(4000, 6))
    features[::11, 2] = np.nan
    label = (features[:, 0] + np.nan_to_num(features[:, 2]) * features[:, 1] + rng.normal(size=4000) > 0).astype(float)
    booster = lgb.train(
        {"objective": "binary", "num_leaves": leaves, "min_data_in_leaf": 5, "verbosity": -1, "seed": 1},
        lgb.Dataset(features, label=label), num_boost_round=8,
    )
    assert max(t["num_leaves"] for t in booster.dump_model()["tree_info"]) > 17
    grouped, grouped_bias = grouped_contributions(booster, features, None, 1)
    direct, direct_bias = direct_contributions(booster, features)
    np.testing.assert_allclose(grouped, direct, rtol=1e-9, atol=1e-9)
    assert grouped_bias == pytest.approx(direct_bias)
