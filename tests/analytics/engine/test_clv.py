"""Customer lifetime value: monthly discounting of the conditional expected transactions, for either model."""

from __future__ import annotations

import numpy as np
import pytest

from rapport.analytics.engine import bgnbd, clv, gamma_gamma, pareto_nbd

BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PARETO = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
MONTH = 365.25 / 12 / 7

X = np.array([0.0, 1.0, 2.0, 7.0])
T_X = np.array([0.0, 10.0, 30.43, 37.0])
BIG_T = np.array([38.86, 38.86, 38.86, 38.86])
M_X = np.array([0.0, 20.0, 45.0, 60.0])


@pytest.mark.parametrize(("name", "params"), [("bgnbd", BGNBD), ("pareto_nbd", PARETO)])
def test_without_discount_it_is_the_expected_transactions_over_the_horizon_times_spend(name, params):
    model = clv.MODELS[name]
    spend = gamma_gamma.conditional_expected_average_profit(SPEND, X, M_X)
    value = clv.customer_lifetime_value(name, params, X, T_X, BIG_T, spend, horizon_months=12, discount_rate=0.0)
    transactions = model.conditional_expected_transactions(params, 12 * MONTH, X, T_X, BIG_T)
    np.testing.assert_allclose(value, transactions * spend, rtol=1e-12)


def test_each_month_is_discounted_from_its_end():
    first = bgnbd.conditional_expected_transactions(BGNBD, MONTH, X, T_X, BIG_T)
    second = bgnbd.conditional_expected_transactions(BGNBD, 2 * MONTH, X, T_X, BIG_T)
    value = clv.customer_lifetime_value("bgnbd", BGNBD, X, T_X, BIG_T, 40.0, horizon_months=2, discount_rate=0.05)
    np.testing.assert_allclose(value, 40.0 * (first / 1.05 + (second - first) / 1.05**2), rtol=1e-12)


def test_for_the_published_customer_it_gives_a_hand_checked_value():
    # FHL's customer (x = 2, t_x = 30.43, T = 38.86), 39 weeks ahead as 9 months of 39/9 weeks, no discount:
    # 1.226 transactions at the Gamma-Gamma expected spend (15.44 + 2 * 45) * 6.25 / (12.5 + 2.74) = 43.2415.
    spend = gamma_gamma.conditional_expected_average_profit(SPEND, 2, 45.0)
    assert spend == pytest.approx(43.2415, abs=1e-4)
    value = clv.customer_lifetime_value(
        "bgnbd", BGNBD, 2, 30.43, 38.86, spend, horizon_months=9, discount_rate=0.0, periods_per_month=39 / 9
    )
    assert value == pytest.approx(1.226028 * 43.2415, rel=1e-5)


def test_discounting_lowers_and_a_longer_horizon_raises_the_value():
    base = clv.customer_lifetime_value("pareto_nbd", PARETO, X, T_X, BIG_T, M_X + 10, discount_rate=0.01)
    cheaper = clv.customer_lifetime_value("pareto_nbd", PARETO, X, T_X, BIG_T, M_X + 10, discount_rate=0.03)
    longer = clv.customer_lifetime_value("pareto_nbd", PARETO, X, T_X, BIG_T, M_X + 10, horizon_months=24)
    assert np.all(cheaper < base) and np.all(longer > base) and np.all(base > 0)


def test_it_values_many_customers_in_one_call():
    rng = np.random.default_rng(0)
    n = 50_000
    big_t = rng.uniform(1, 100, n)
    x = rng.poisson(2, n).astype(np.float64)
    t_x = np.where(x > 0, big_t * rng.uniform(0.01, 1, n), 0.0)
    value = clv.customer_lifetime_value("bgnbd", BGNBD, x, t_x, big_t, 30.0, horizon_months=24)
    assert value.shape == (n,)
    assert np.isfinite(value).all() and (value >= 0).all()
    np.testing.assert_allclose(
        value[:3],
        [
            clv.customer_lifetime_value("bgnbd", BGNBD, *row, 30.0, horizon_months=24)
            for row in zip(x[:3], t_x[:3], big_t[:3], strict=True)
        ],
        rtol=1e-13,
    )


def test_the_registry_exposes_the_same_functions_for_every_model():
    assert {"bgnbd": bgnbd, "pareto_nbd": pareto_nbd} == clv.MODELS
    names = [
        "fit",
        "log_likelihood",
        "expected_transactions",
        "conditional_expected_transactions",
        "probability_alive",
        "probability_no_purchase",
    ]
    for model in clv.MODELS.values():
        assert all(callable(getattr(model, name)) for name in names)
        assert len(model.PARAM_NAMES) == 4
    history = (2.0, 30.43, 38.86)
    assert clv.get_model("bgnbd").probability_no_purchase(BGNBD, 13.0, *history) == pytest.approx(
        bgnbd.probability_no_purchase(BGNBD, 13.0, *history)
    )
    assert clv.get_model(pareto_nbd) is pareto_nbd


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon_months": 0}, "horizon_months"),
        ({"horizon_months": 500}, "horizon_months"),
        ({"discount_rate": -1.5}, "discount_rate"),
        ({"periods_per_month": 0.0}, "periods_per_month"),
    ],
)
def test_it_rejects_a_bad_horizon_or_rate(kwargs, message):
    with pytest.raises(ValueError, match=message):
        clv.customer_lifetime_value("bgnbd", BGNBD, X, T_X, BIG_T, 30.0, **kwargs)


def test_it_rejects_an_unknown_model_and_negative_spend():
    with pytest.raises(ValueError, match="unknown model 'pareto'; known: bgnbd, pareto_nbd"):
        clv.customer_lifetime_value("pareto", PARETO, X, T_X, BIG_T, 30.0)
    with pytest.raises(ValueError, match="expected_spend must be >= 0"):
        clv.customer_lifetime_value("bgnbd", BGNBD, X, T_X, BIG_T, -1.0)
