"""BG/NBD: the published worked example, the likelihood and expectations against direct integration, and fits on
customers simulated from known parameters."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy import integrate
from scipy.special import betaln, gammaln, hyp2f1

from rapport.analytics.engine import bgnbd
from rapport.analytics.engine.fitting import FitError, compress
from rapport.analytics.engine.simulate import simulate_bgnbd

# Fader, Hardie & Lee (2005), CDNOW sample.
CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def customers():
    # 30,000 customers watched 52-78 weeks on a daily grid (T in days / 7), 39 holdout weeks.
    rng = np.random.default_rng(7)
    big_t = rng.integers(52 * 7, 78 * 7 + 1, 30_000) / 7.0
    return simulate_bgnbd(CDNOW, big_t, holdout=39.0, seed=11)


@pytest.fixture(scope="module")
def fitted(customers):
    return bgnbd.fit(customers.frequency, customers.recency, customers.T)


def _mean_ll(params, c):
    return float(np.mean(bgnbd.log_likelihood(params, c.frequency, c.recency, c.T)))


def test_it_reproduces_the_published_conditional_expectation():
    # FHL 2005, section 5: x = 2, t_x = 30.43, T = 38.86 -> 1.226 repeat transactions in the next 39 weeks.
    expected = bgnbd.conditional_expected_transactions(CDNOW, 39, 2, 30.43, 38.86)
    assert round(float(expected), 3) == 1.226


def test_its_likelihood_is_the_published_formula():
    r, alpha, a, b = CDNOW.values()
    x, t_x, big_t = 3.0, 20.0, 38.0
    first = math.exp(
        betaln(a, b + x)
        - betaln(a, b)
        + gammaln(r + x)
        - gammaln(r)
        + r * math.log(alpha)
        - (r + x) * math.log(alpha + big_t)
    )
    second = math.exp(
        betaln(a + 1, b + x - 1)
        - betaln(a, b)
        + gammaln(r + x)
        - gammaln(r)
        + r * math.log(alpha)
        - (r + x) * math.log(alpha + t_x)
    )
    got = bgnbd.log_likelihood(CDNOW, [x, 0.0], [t_x, 0.0], [big_t, big_t])
    assert got[0] == pytest.approx(math.log(first + second), rel=1e-13)
    # A customer with no repeat purchase: only the first term, B(a, b)/B(a, b) (alpha/(alpha+T))^r.
    assert got[1] == pytest.approx(r * math.log(alpha / (alpha + big_t)), rel=1e-13)


@pytest.mark.parametrize(("x", "t_x", "big_t"), [(0, 0.0, 30.0), (2, 30.43, 38.86), (6, 12.0, 50.0)])
def test_its_likelihood_matches_integration_over_lambda_and_p(x, t_x, big_t):
    r, alpha, a, b = CDNOW.values()

    # Substitutions lambda = y^(1/r)/alpha and p = u^(1/a) turn the Gamma and Beta densities into smooth weights.
    def integrand(u: float, y: float) -> float:
        lam = y ** (1 / r) / alpha
        p = u ** (1 / a)
        alive = (1 - p) ** x * lam**x * math.exp(-lam * big_t)
        died = p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * t_x) if x > 0 else 0.0
        density = math.exp(-(y ** (1 / r))) / math.gamma(r + 1) * (1 - p) ** (b - 1) / (a * math.exp(betaln(a, b)))
        return (alive + died) * density

    value, _ = integrate.dblquad(integrand, 0, 60.0**r, 0, 1, epsabs=0, epsrel=1e-10)
    got = bgnbd.log_likelihood(CDNOW, [x], [t_x], [big_t])[0]
    assert got == pytest.approx(math.log(value), abs=1e-7)


def test_its_analytic_gradient_matches_finite_differences(customers):
    data = bgnbd._Data(customers.frequency, customers.recency, customers.T, np.ones(len(customers.T)))
    for point in (np.array([0.3, 5.0, 0.7, 2.0]), np.array([1.3, 0.5, 3.0, 0.6])):
        _, gradient = bgnbd._mean_log_likelihood_and_gradient(point, data)
        numerical = np.empty(4)
        for i in range(4):
            step = np.zeros(4)
            step[i] = 1e-6 * point[i]
            up = bgnbd._mean_log_likelihood_and_gradient(point + step, data)[0]
            down = bgnbd._mean_log_likelihood_and_gradient(point - step, data)[0]
            numerical[i] = (up - down) / (2 * step[i])
        np.testing.assert_allclose(gradient, numerical, rtol=1e-5, atol=1e-8)


def test_it_recovers_the_parameters_of_simulated_customers(fitted):
    assert fitted.converged, fitted.message
    assert fitted.n == 30_000
    # Tolerances are about 4 standard errors (from the observed information: r 1.2%, alpha 2%, a 4.3%, b 5.7%).
    assert fitted.params["r"] == pytest.approx(0.243, rel=0.05)
    assert fitted.params["alpha"] == pytest.approx(4.414, rel=0.08)
    assert fitted.params["a"] == pytest.approx(0.793, rel=0.17)
    assert fitted.params["b"] == pytest.approx(2.426, rel=0.23)


def test_the_gradient_is_zero_at_the_estimate(fitted, customers):
    names = bgnbd.PARAM_NAMES
    theta = np.log([fitted.params[name] for name in names])
    gradient = []
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-5
        up = _mean_ll(dict(zip(names, np.exp(theta + step), strict=True)), customers)
        down = _mean_ll(dict(zip(names, np.exp(theta - step), strict=True)), customers)
        gradient.append((up - down) / 2e-5)
    assert np.max(np.abs(gradient)) < 1e-6
    assert fitted.log_likelihood == pytest.approx(_mean_ll(fitted, customers) * 30_000, rel=1e-12)


def test_two_starting_points_agree_to_four_significant_figures(fitted, customers):
    other = bgnbd.fit(
        customers.frequency, customers.recency, customers.T, initial={"r": 3.0, "alpha": 0.5, "a": 4.0, "b": 0.3}
    )
    assert other.converged, other.message
    for name in bgnbd.PARAM_NAMES:
        assert other.params[name] == pytest.approx(fitted.params[name], rel=1e-4)


def test_a_compressed_fit_equals_the_full_fit(fitted, customers):
    full = bgnbd.fit(customers.frequency, customers.recency, customers.T, compress_rows=False)
    (x, t_x, big_t), counts = compress((customers.frequency, customers.recency, customers.T))
    assert len(counts) < 0.8 * len(customers.T)  # the daily grid does fold rows
    weighted = bgnbd.fit(x, t_x, big_t, weights=counts, compress_rows=False)
    for name in bgnbd.PARAM_NAMES:
        assert full.params[name] == pytest.approx(fitted.params[name], rel=1e-4)
        assert weighted.params[name] == pytest.approx(fitted.params[name], rel=1e-4)
    assert weighted.log_likelihood == pytest.approx(full.log_likelihood, rel=1e-10)
    assert weighted.n == full.n == 30_000


def test_predictions_match_a_simulated_holdout_period(customers):
    c = customers
    expected = bgnbd.conditional_expected_transactions(CDNOW, 39.0, c.frequency, c.recency, c.T)
    assert expected.sum() == pytest.approx(c.holdout_frequency.sum(), rel=0.04)  # sd of the ratio ~1%
    silent = bgnbd.probability_no_purchase(CDNOW, 39.0, c.frequency, c.recency, c.T)
    sd = math.sqrt(float(np.sum(silent * (1 - silent))))
    assert abs(silent.sum() - np.count_nonzero(c.holdout_frequency == 0)) < 4 * sd
    alive = bgnbd.probability_alive(CDNOW, c.frequency, c.recency, c.T)
    sd = math.sqrt(float(np.sum(alive * (1 - alive))))
    assert abs(alive.sum() - np.count_nonzero(c.alive)) < 4 * sd


@pytest.mark.parametrize(
    ("params", "x", "t_x", "big_t", "t"),
    [
        (CDNOW, 2, 30.43, 38.86, 39.0),
        (CDNOW, 400, 990.0, 1000.0, 5000.0),  # as printed, the 2F1 would be ~1e300 here
        ({"r": 2.0, "alpha": 0.5, "a": 3.0, "b": 40.0}, 150, 80.0, 100.0, 300.0),
        ({"r": 0.2, "alpha": 80.0, "a": 0.3, "b": 0.8}, 0, 0.0, 500.0, 1000.0),
    ],
)
def test_the_expectation_matches_integration_over_the_dropout_probability(params, x, t_x, big_t, t):
    # Given alive, lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x) independently, and an alive customer with
    # (lambda, p) makes (1 - exp(-lambda p t)) / p purchases on average; integrate lambda out in closed form
    # and p numerically.
    r, alpha, a, b = params.values()
    shape, rate = r + x, alpha + big_t

    def integrand(p: float) -> float:
        density = math.exp((a - 1) * math.log(p) + (b + x - 1) * math.log1p(-p) - betaln(a, b + x))
        return density * -math.expm1(-shape * math.log1p(p * t / rate)) / p

    if_alive, _ = integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-11, limit=500, points=[1e-6, 1e-3, 0.1])
    alive = bgnbd.probability_alive(params, x, t_x, big_t)
    got = bgnbd.conditional_expected_transactions(params, t, x, t_x, big_t)
    assert np.isfinite(got)
    assert got == pytest.approx(alive * if_alive, rel=1e-8)


def test_it_sums_the_series_where_scipy_gives_up(monkeypatch):
    x = np.array([0.0, 2.0, 40.0])
    t_x = np.array([0.0, 30.43, 35.0])
    big_t = np.array([38.86, 38.86, 38.86])
    direct = bgnbd.conditional_expected_transactions(CDNOW, 52.0, x, t_x, big_t)
    monkeypatch.setattr(bgnbd, "hyp2f1", lambda *args: np.full(np.broadcast(*args).shape, np.nan))
    fallback = bgnbd.conditional_expected_transactions(CDNOW, 52.0, x, t_x, big_t)
    np.testing.assert_allclose(fallback, direct, rtol=1e-12)


def test_a_new_customer_follows_the_published_population_curve():
    r, alpha, a, b = CDNOW.values()
    t = np.array([1.0, 39.0, 78.0])
    z = t / (alpha + t)
    published = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))  # FHL eq. 9
    np.testing.assert_allclose(bgnbd.expected_transactions(CDNOW, t), published, rtol=1e-12)


def test_the_expectation_is_continuous_through_a_equal_to_one():
    def at(a: float) -> float:
        params = {**CDNOW, "a": a}
        return float(bgnbd.conditional_expected_transactions(params, 39.0, 2, 30.43, 38.86))

    left, middle, right = at(1 - 3e-4), at(1.0), at(1 + 3e-4)
    assert middle == pytest.approx((left + right) / 2, rel=1e-7)
    assert left != right


def test_probability_alive_is_one_without_repeat_purchases_however_long_ago():
    # The trap: a one-time buyer from ten years ago is "alive" by BG/NBD's definition.
    alive = bgnbd.probability_alive(CDNOW, [0, 0, 1], [0.0, 0.0, 1.0], [1.0, 520.0, 520.0])
    assert alive[0] == alive[1] == 1.0
    # One repeat purchase in week 1 and nothing since: 1 / (1 + a/b ((alpha+T)/(alpha+t_x))^(r+1)) ~ 1%.
    r, alpha, a, b = CDNOW.values()
    assert alive[2] == pytest.approx(1 / (1 + a / b * ((alpha + 520) / (alpha + 1)) ** (r + 1)), rel=1e-12)
    assert alive[2] == pytest.approx(0.0103, abs=1e-4)


def test_probability_no_purchase_does_rank_silent_one_time_buyers():
    # What to use instead: for x = 0 it is ((alpha+T)/(alpha+T+t))^r, rising with the time since the purchase.
    r, alpha = CDNOW["r"], CDNOW["alpha"]
    silent = bgnbd.probability_no_purchase(CDNOW, 52.0, [0, 0], [0.0, 0.0], [4.0, 200.0])
    np.testing.assert_allclose(silent, ((alpha + np.array([4.0, 200.0])) / (alpha + np.array([56.0, 252.0]))) ** r)
    assert silent[1] > silent[0]


def test_probability_no_purchase_starts_at_one_and_leaves_it_at_the_purchase_rate():
    x, t_x, big_t = 3.0, 20.0, 38.0
    assert bgnbd.probability_no_purchase(CDNOW, 0.0, x, t_x, big_t) == 1.0
    # For small t, 1 - P(no purchase) ~ E[Y(t)] ~ P(alive) (r+x)/(alpha+T) t.
    h = 1e-4
    slope_buy = (1 - bgnbd.probability_no_purchase(CDNOW, h, x, t_x, big_t)) / h
    slope_expect = bgnbd.conditional_expected_transactions(CDNOW, h, x, t_x, big_t) / h
    rate = bgnbd.probability_alive(CDNOW, x, t_x, big_t) * (CDNOW["r"] + x) / (CDNOW["alpha"] + big_t)
    assert slope_buy == pytest.approx(rate, rel=1e-3)
    assert slope_expect == pytest.approx(rate, rel=1e-3)


def test_predictions_broadcast_a_horizon_over_customers():
    x, t_x, big_t = np.array([0.0, 1.0, 5.0]), np.array([0.0, 10.0, 30.0]), np.array([40.0, 40.0, 40.0])
    together = bgnbd.conditional_expected_transactions(CDNOW, 26.0, x, t_x, big_t)
    one_by_one = [
        float(bgnbd.conditional_expected_transactions(CDNOW, 26.0, *row)) for row in zip(x, t_x, big_t, strict=True)
    ]
    np.testing.assert_allclose(together, one_by_one, rtol=1e-14)
    curve = bgnbd.conditional_expected_transactions(CDNOW, np.array([13.0, 26.0, 52.0]), 5.0, 30.0, 40.0)
    assert curve.shape == (3,)
    assert np.all(np.diff(curve) > 0)


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([], [], [], "empty"),
        ([1.0, np.nan], [1.0, 0.0], [2.0, 2.0], "frequency has 1 NaN"),
        ([-1.0], [0.0], [2.0], "frequency must be >= 0"),
        ([1.5], [1.0], [2.0], "whole number"),
        ([1.0], [3.0], [2.0], "recency must not exceed T"),
        ([0.0], [1.0], [2.0], "recency must be 0 when frequency is 0"),
        ([2.0], [0.0], [2.0], "merge same-day purchases"),
        ([1.0], [1.0], [-2.0], "T must be >= 0"),
        ([1.0, 2.0], [1.0], [2.0, 3.0], "one length"),
    ],
)
def test_it_rejects_bad_input_naming_the_field(frequency, recency, T, message):
    with pytest.raises(ValueError, match=message):
        bgnbd.fit(frequency, recency, T)


def test_bad_input_is_a_fit_error_and_names_the_first_customer():
    with pytest.raises(FitError, match=r"recency must not exceed T: 1 customer\(s\), first at index 1 \(5, 4\)"):
        bgnbd.fit([0.0, 1.0], [0.0, 5.0], [4.0, 4.0])


def test_it_rejects_negative_weights_and_bad_parameters():
    with pytest.raises(ValueError, match="weights must be >= 0"):
        bgnbd.fit([0.0, 1.0], [0.0, 1.0], [4.0, 4.0], weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="parameter a must be a positive number"):
        bgnbd.probability_alive({**CDNOW, "a": -1.0}, 1, 1.0, 2.0)
    with pytest.raises(ValueError, match="missing parameter"):
        bgnbd.probability_alive({"r": 1.0}, 1, 1.0, 2.0)


def test_it_reports_non_convergence_instead_of_raising(customers):
    result = bgnbd.fit(customers.frequency, customers.recency, customers.T, max_iterations=2)
    assert not result.converged
    assert "did not converge from 3 starting point(s)" in result.message  # all tried: not a verdict on the data
    assert math.isfinite(result.log_likelihood)
    assert set(result.params) == set(bgnbd.PARAM_NAMES)


def test_it_reports_a_dropout_the_data_cannot_identify():
    # Nobody ever drops out (p ~ 0): the maximum is at a -> 0 / b -> infinity, which is no estimate at all.
    big_t = np.random.default_rng(1).integers(26 * 7, 39 * 7, 5000) / 7.0
    c = simulate_bgnbd({"r": 0.243, "alpha": 4.414, "a": 0.01, "b": 1000.0}, big_t, seed=2)
    result = bgnbd.fit(c.frequency, c.recency, c.T)
    assert not result.converged
    assert "the data do not identify" in result.message
    assert result.params["r"] == pytest.approx(0.243, rel=0.1)  # the purchase process is still estimated


def test_a_fit_accepts_a_fit_result_as_parameters(fitted):
    assert bgnbd.probability_alive(fitted, 2, 30.43, 38.86) == bgnbd.probability_alive(fitted.params, 2, 30.43, 38.86)


@pytest.mark.slow
def test_a_million_customers_fit_in_about_a_second():
    rng = np.random.default_rng(3)
    big_t = rng.integers(1, 731, 1_000_000) / 7.0  # two years of first purchases, days on a grid
    c = simulate_bgnbd(CDNOW, big_t, seed=5)
    recency = np.ceil(c.recency * 7) / 7  # purchase days on the same grid
    started = time.perf_counter()
    result = bgnbd.fit(c.frequency, recency, c.T)
    elapsed = time.perf_counter() - started
    assert result.converged, result.message
    assert result.params["r"] == pytest.approx(0.243, rel=0.03)
    assert elapsed < 5.0  # measured ~1.2 s (validation, compression to ~330,000 rows, fit) on 2 busy cores
