"""Simulated customers: deterministic, consistent with their own transactions, and distributed as the models say."""

from __future__ import annotations

import numpy as np
import pytest

from rapport.analytics.engine import bgnbd, pareto_nbd
from rapport.analytics.engine.simulate import simulate_bgnbd, simulate_pareto_nbd, simulate_spend

BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PARETO = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
SIMULATORS = [(simulate_bgnbd, BGNBD), (simulate_pareto_nbd, PARETO)]
IDS = ["bgnbd", "pareto_nbd"]


def _lengths(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 78 * 7 + 1, n) / 7.0


@pytest.mark.parametrize(("simulate", "params"), SIMULATORS, ids=IDS)
def test_a_seed_gives_the_same_customers_every_time(simulate, params):
    big_t = _lengths(2000)
    one = simulate(params, big_t, holdout=26.0, spend=SPEND, seed=42, return_transactions=True)
    two = simulate(params, big_t, holdout=26.0, spend=SPEND, seed=42, return_transactions=True)
    other = simulate(params, big_t, holdout=26.0, spend=SPEND, seed=43)
    for field in ("frequency", "recency", "monetary", "holdout_frequency", "holdout_monetary", "alive"):
        np.testing.assert_array_equal(getattr(one, field), getattr(two, field))
    np.testing.assert_array_equal(one.transactions.time, two.transactions.time)
    assert not np.array_equal(one.frequency, other.frequency)


@pytest.mark.parametrize(("simulate", "params"), SIMULATORS, ids=IDS)
def test_the_summaries_follow_the_transactions_and_the_conventions(simulate, params):
    big_t = _lengths(3000)
    c = simulate(params, big_t, holdout=26.0, spend=SPEND, seed=7, return_transactions=True)
    tr = c.transactions
    assert tr is not None
    in_calibration = tr.time <= big_t[tr.customer]
    np.testing.assert_array_equal(c.frequency, np.bincount(tr.customer[in_calibration], minlength=3000))
    np.testing.assert_array_equal(c.holdout_frequency, np.bincount(tr.customer[~in_calibration], minlength=3000))
    last = np.zeros(3000)
    np.maximum.at(last, tr.customer[in_calibration], tr.time[in_calibration])
    np.testing.assert_array_equal(c.recency, last)
    spent = np.bincount(tr.customer[in_calibration], weights=tr.value[in_calibration], minlength=3000)
    np.testing.assert_allclose(c.monetary[c.frequency > 0], (spent / np.maximum(c.frequency, 1))[c.frequency > 0])
    # The conventions the fits check: 0 <= t_x <= T, t_x = 0 and m_x = 0 exactly when x = 0.
    assert np.all(c.recency <= c.T) and np.all((c.frequency > 0) == (c.recency > 0))
    assert np.all(c.monetary[c.frequency == 0] == 0) and np.all(c.monetary[c.frequency > 0] > 0)
    assert np.all(tr.time <= big_t[tr.customer] + 26.0)
    # Times ascend within each customer.
    same = tr.customer[1:] == tr.customer[:-1]
    assert np.all(np.diff(tr.time)[same] >= 0)


@pytest.mark.parametrize(
    ("simulate", "params", "model"), [(*SIMULATORS[0], bgnbd), (*SIMULATORS[1], pareto_nbd)], ids=IDS
)
def test_the_mean_frequency_is_the_models_expectation(simulate, params, model):
    big_t = _lengths(40_000, seed=2)
    c = simulate(params, big_t, seed=9)
    expected = model.expected_transactions(params, big_t)
    assert c.frequency.mean() == pytest.approx(expected.mean(), rel=0.03)  # sd of the mean ~1%


def test_a_bgnbd_customer_only_leaves_after_a_repeat_purchase():
    c = simulate_bgnbd(BGNBD, _lengths(5000), seed=3)
    assert np.all(c.alive[c.frequency == 0])
    assert not np.all(c.alive)


def test_a_pareto_nbd_customer_can_leave_without_buying_again():
    c = simulate_pareto_nbd(PARETO, _lengths(5000), seed=3)
    assert not np.all(c.alive[c.frequency == 0])


def test_without_a_holdout_or_spend_model_those_fields_are_zero():
    c = simulate_bgnbd(BGNBD, _lengths(1000), seed=1)
    assert c.transactions is None
    assert not c.holdout_frequency.any() and not c.holdout_monetary.any() and not c.monetary.any()


def test_spend_averages_to_the_population_mean():
    x = np.random.default_rng(0).poisson(3.0, 60_000).astype(np.float64)
    m = simulate_spend(SPEND, x, seed=4)
    assert np.all(m[x == 0] == 0) and np.all(m[x > 0] > 0)
    # E[m_x] = E[p / nu] = p gamma / (q - 1) = 35.22 for every x.
    assert m[x > 0].mean() == pytest.approx(35.22, rel=0.02)


def test_transaction_values_average_to_the_population_mean():
    c = simulate_pareto_nbd(PARETO, _lengths(20_000), spend=SPEND, seed=5, return_transactions=True)
    assert c.transactions is not None
    per_customer = np.bincount(c.transactions.customer, weights=c.transactions.value, minlength=20_000)
    counts = np.bincount(c.transactions.customer, minlength=20_000)
    assert (per_customer[counts > 0] / counts[counts > 0]).mean() == pytest.approx(35.22, rel=0.03)


def test_it_rejects_bad_lengths():
    with pytest.raises(ValueError, match="T must be a one-dimensional array"):
        simulate_bgnbd(BGNBD, np.array([-1.0, 2.0]))
    with pytest.raises(ValueError, match="holdout must be >= 0"):
        simulate_pareto_nbd(PARETO, np.array([1.0]), holdout=-1.0)
