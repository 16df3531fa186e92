"""Pareto/NBD: the hypergeometric likelihood against direct integration over lambda and mu, the log-space 2F1
where SciPy fails, predictions against integration and a simulated holdout, and fits on simulated customers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from rapport.analytics.engine import _special, pareto_nbd
from rapport.analytics.engine.fitting import compress
from rapport.analytics.engine.simulate import simulate_pareto_nbd

# Fader, Hardie & Lee (2005), CDNOW sample.
CDNOW = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
# The other branch of the likelihood (alpha < beta) and a strongly unequal alpha > beta.
BETA_LARGER = {"r": 0.8, "alpha": 3.0, "s": 1.3, "beta": 40.0}
ALPHA_LARGER = {"r": 2.0, "alpha": 60.0, "s": 0.3, "beta": 1.5}


@pytest.fixture(scope="module")
def customers():
    rng = np.random.default_rng(7)
    big_t = rng.integers(52 * 7, 78 * 7 + 1, 20_000) / 7.0
    return simulate_pareto_nbd(CDNOW, big_t, holdout=39.0, seed=11)


@pytest.fixture(scope="module")
def fitted(customers):
    return pareto_nbd.fit(customers.frequency, customers.recency, customers.T)


def _gamma_expectation(func, r1, rate1, r2, rate2):
    """E[func(lambda, mu)] for independent Gamma(r1, rate1), Gamma(r2, rate2), by 2-D quadrature. The
    substitutions lambda = y^(1/r1)/rate1 (mu likewise) make the densities smooth: exp(-y^(1/r)) / G(r+1)."""

    def integrand(v: float, u: float) -> float:
        lam, mu = u ** (1 / r1) / rate1, v ** (1 / r2) / rate2
        weight = math.exp(-(u ** (1 / r1)) - v ** (1 / r2)) / (math.gamma(r1 + 1) * math.gamma(r2 + 1))
        return func(lam, mu) * weight

    value, _ = integrate.dblquad(integrand, 0, 60.0**r1, 0, 60.0**r2, epsabs=0, epsrel=1e-10)
    return value


@pytest.mark.parametrize("params", [CDNOW, BETA_LARGER, ALPHA_LARGER], ids=["cdnow", "beta_larger", "alpha_larger"])
@pytest.mark.parametrize(("x", "t_x", "big_t"), [(0, 0.0, 30.0), (2, 30.43, 38.86), (5, 10.0, 52.0)])
def test_its_likelihood_matches_integration_over_lambda_and_mu(params, x, t_x, big_t):
    r, alpha, s, beta = params.values()

    def individual(lam: float, mu: float) -> float:
        # Schmittlein et al.: alive throughout, or died at some tau in (t_x, T].
        return lam**x * mu / (lam + mu) * math.exp(-(lam + mu) * t_x) + lam ** (x + 1) / (lam + mu) * math.exp(
            -(lam + mu) * big_t
        )

    expected = _gamma_expectation(individual, r, alpha, s, beta)
    got = pareto_nbd.log_likelihood(params, [x], [t_x], [big_t])[0]
    assert got == pytest.approx(math.log(expected), abs=1e-7)


@pytest.mark.parametrize(
    ("params", "x", "t_x", "big_t"),
    [
        (CDNOW, 300, 95.0, 100.0),
        ({"r": 0.5, "alpha": 5000.0, "s": 0.7, "beta": 0.5}, 400, 3.0, 500.0),  # SciPy's 2F1 is NaN here
        ({"r": 0.5, "alpha": 0.5, "s": 0.7, "beta": 5000.0}, 400, 3.0, 500.0),  # the printed 2F1 overflows (~1e1260)
    ],
)
def test_its_likelihood_stays_exact_for_heavy_buyers_and_unequal_rates(params, x, t_x, big_t):
    # The death-time form: L = C [(alpha+T)^-(r+x) (beta+T)^-s + s int_{t_x}^T (alpha+tau)^-(r+x) (beta+tau)^-(s+1)],
    # with the integrand scaled by its value at t_x so that quad sees numbers near 1.
    r, alpha, s, beta = params.values()

    def log_f(tau: float) -> float:
        return -(r + x) * math.log(alpha + tau) - (s + 1) * math.log(beta + tau)

    top = log_f(t_x)
    integral, _ = integrate.quad(lambda tau: math.exp(log_f(tau) - top), t_x, big_t, epsabs=0, epsrel=1e-12, limit=500)
    alive = -(r + x) * math.log(alpha + big_t) - s * math.log(beta + big_t)
    bracket = np.logaddexp(alive, math.log(s) + math.log(integral) + top)
    expected = gammaln(r + x) - gammaln(r) + r * math.log(alpha) + s * math.log(beta) + bracket
    got = pareto_nbd.log_likelihood(params, [x], [t_x], [big_t])[0]
    assert np.isfinite(got)
    assert got == pytest.approx(expected, rel=1e-10)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")  # the reference's own rounding note
def test_the_log_hypergeometric_matches_quadrature_where_scipy_fails():
    k = np.array([5.0, 150.0, 400.0, 800.0, 300.0])
    b = np.array([2.0, 7.5, 60.0, 3.0, 0.2])
    z = np.array([0.5, 1 - 1e-5, 1 - 1e-6, 0.9995, 1 - 1e-9])
    got = _special.log_hyp2f1_k_k1(k, b, z)
    for ki, bi, zi, gi in zip(k, b, z, got, strict=True):
        # 2F1(k, b; k+1; z) = k int_0^1 u^(k-1) (1 - z u)^-b du, scaled by its value at u = 1.
        scale = -bi * math.log1p(-zi)

        def integrand(u: float, ki=ki, bi=bi, zi=zi, scale=scale) -> float:
            return ki * math.exp((ki - 1) * math.log(u) - bi * math.log1p(-zi * u) - scale) if u > 0 else 0.0

        breaks = [1 - 1e-2, 1 - 1e-4, 1 - 1e-6, 1 - 1e-8]
        value, _ = integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-12, limit=1000, points=breaks)
        assert gi == pytest.approx(math.log(value) + scale, rel=1e-9)


def test_the_two_branches_meet_where_alpha_equals_beta():
    x, t_x, big_t = np.array([0.0, 3.0, 12.0]), np.array([0.0, 20.0, 35.0]), np.array([39.0, 39.0, 39.0])
    below = pareto_nbd.log_likelihood({**CDNOW, "alpha": 11.67 * (1 - 1e-9)}, x, t_x, big_t)
    equal = pareto_nbd.log_likelihood({**CDNOW, "alpha": 11.67}, x, t_x, big_t)
    above = pareto_nbd.log_likelihood({**CDNOW, "alpha": 11.67 * (1 + 1e-9)}, x, t_x, big_t)
    np.testing.assert_allclose(below, equal, rtol=1e-8)
    np.testing.assert_allclose(above, equal, rtol=1e-8)


def test_it_recovers_the_parameters_of_simulated_customers(fitted):
    assert fitted.converged, fitted.message
    assert fitted.n == 20_000
    # About 4 standard errors (observed information: r 3%, alpha 2.6%, s 5.4%, beta 11%).
    assert fitted.params["r"] == pytest.approx(0.55, rel=0.12)
    assert fitted.params["alpha"] == pytest.approx(10.58, rel=0.11)
    assert fitted.params["s"] == pytest.approx(0.61, rel=0.22)
    assert fitted.params["beta"] == pytest.approx(11.67, rel=0.45)


def test_the_gradient_is_zero_at_the_estimate(fitted, customers):
    names = pareto_nbd.PARAM_NAMES
    theta = np.log([fitted.params[name] for name in names])

    def mean_ll(point):
        params = dict(zip(names, np.exp(point), strict=True))
        return float(np.mean(pareto_nbd.log_likelihood(params, customers.frequency, customers.recency, customers.T)))

    gradient = []
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-5
        gradient.append((mean_ll(theta + step) - mean_ll(theta - step)) / 2e-5)
    assert np.max(np.abs(gradient)) < 1e-6
    assert fitted.log_likelihood == pytest.approx(mean_ll(theta) * 20_000, rel=1e-12)


def test_two_starting_points_agree_to_four_significant_figures(fitted, customers):
    other = pareto_nbd.fit(
        customers.frequency, customers.recency, customers.T, initial={"r": 2.0, "alpha": 2.0, "s": 3.0, "beta": 100.0}
    )
    assert other.converged, other.message
    for name in pareto_nbd.PARAM_NAMES:
        assert other.params[name] == pytest.approx(fitted.params[name], rel=1e-4)


def test_a_compressed_fit_equals_the_full_fit(customers):
    head = slice(0, 6000)
    x, t_x, big_t = customers.frequency[head], customers.recency[head], customers.T[head]
    full = pareto_nbd.fit(x, t_x, big_t, compress_rows=False)
    (ux, ut_x, ubig_t), counts = compress((x, t_x, big_t))
    weighted = pareto_nbd.fit(ux, ut_x, ubig_t, weights=counts)
    assert full.converged and weighted.converged
    for name in pareto_nbd.PARAM_NAMES:
        assert weighted.params[name] == pytest.approx(full.params[name], rel=1e-4)
    assert weighted.log_likelihood == pytest.approx(full.log_likelihood, rel=1e-9)
    assert weighted.n == full.n == 6000


def test_it_reports_a_death_rate_the_data_cannot_identify():
    # Lifetimes far longer than the observation: only s / beta is seen, not s and beta separately.
    big_t = np.random.default_rng(1).integers(26 * 7, 39 * 7, 2000) / 7.0
    c = simulate_pareto_nbd({"r": 0.55, "alpha": 10.58, "s": 0.01, "beta": 1e4}, big_t, seed=2)
    result = pareto_nbd.fit(c.frequency, c.recency, c.T)
    assert not result.converged
    assert "the data do not identify" in result.message
    assert "s = " in result.message or "beta" in result.message
    assert result.message.startswith("did not converge from 1 starting point(s)")  # the others would end alike


def test_predictions_match_a_simulated_holdout_period(customers):
    c = customers
    expected = pareto_nbd.conditional_expected_transactions(CDNOW, 39.0, c.frequency, c.recency, c.T)
    assert expected.sum() == pytest.approx(c.holdout_frequency.sum(), rel=0.07)  # sd of the ratio ~2%
    silent = pareto_nbd.probability_no_purchase(CDNOW, 39.0, c.frequency, c.recency, c.T)
    sd = math.sqrt(float(np.sum(silent * (1 - silent))))
    assert abs(silent.sum() - np.count_nonzero(c.holdout_frequency == 0)) < 4 * sd
    alive = pareto_nbd.probability_alive(CDNOW, c.frequency, c.recency, c.T)
    sd = math.sqrt(float(np.sum(alive * (1 - alive))))
    assert abs(alive.sum() - np.count_nonzero(c.alive)) < 4 * sd


@pytest.mark.parametrize("params", [CDNOW, BETA_LARGER, ALPHA_LARGER], ids=["cdnow", "beta_larger", "alpha_larger"])
def test_probability_no_purchase_matches_integration_over_the_posterior(params):
    r, alpha, s, beta = params.values()
    x, t_x, big_t, t = 4.0, 25.0, 39.0, 26.0

    # Given alive: lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T); a purchase comes before death and t.
    def buys(lam: float, mu: float) -> float:
        return lam / (lam + mu) * -math.expm1(-(lam + mu) * t)

    buys_if_alive = _gamma_expectation(buys, r + x, alpha + big_t, s, beta + big_t)
    alive = pareto_nbd.probability_alive(params, x, t_x, big_t)
    got = pareto_nbd.probability_no_purchase(params, t, x, t_x, big_t)
    assert got == pytest.approx(1 - alive * buys_if_alive, rel=1e-8)


def test_the_expectation_is_the_published_formula_and_continuous_at_s_equal_one():
    x, t_x, big_t, t = 3.0, 30.0, 39.0, 52.0
    r, alpha, s, beta = CDNOW.values()
    alive = pareto_nbd.probability_alive(CDNOW, x, t_x, big_t)
    published = (
        (r + x) * (beta + big_t) / ((alpha + big_t) * (s - 1)) * (1 - ((beta + big_t) / (beta + big_t + t)) ** (s - 1))
    )
    got = pareto_nbd.conditional_expected_transactions(CDNOW, t, x, t_x, big_t)
    assert got == pytest.approx(alive * published, rel=1e-12)

    def at(s_value: float) -> float:
        return float(pareto_nbd.conditional_expected_transactions({**CDNOW, "s": s_value}, t, x, t_x, big_t))

    assert at(1.0) == pytest.approx((at(1 - 1e-6) + at(1 + 1e-6)) / 2, rel=1e-9)


def test_a_new_customer_follows_the_published_population_curve():
    r, alpha, s, beta = CDNOW.values()
    t = np.array([1.0, 39.0, 78.0])
    published = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    np.testing.assert_allclose(pareto_nbd.expected_transactions(CDNOW, t), published, rtol=1e-12)


def test_probability_alive_falls_for_silent_one_time_buyers():
    # Unlike BG/NBD, a Pareto/NBD customer can die without a purchase: x = 0 customers are not all alive.
    alive = pareto_nbd.probability_alive(CDNOW, [0, 0, 0], [0.0, 0.0, 0.0], [0.0, 10.0, 100.0])
    assert alive[0] == 1.0
    assert 1.0 > alive[1] > alive[2] > 0.0
    # For x = 0 the closed form is simple: P(alive) = 1 / (1 + s/(r+s) ((alpha+T)^r (beta+T)^s A0)).
    r, alpha, s, beta = CDNOW.values()
    integral, _ = integrate.quad(lambda tau: (alpha + tau) ** -r * (beta + tau) ** -(s + 1), 0, 100, epsrel=1e-12)
    expected = 1 / (1 + s * (alpha + 100) ** r * (beta + 100) ** s * integral)
    assert alive[2] == pytest.approx(expected, rel=1e-9)


def test_probability_no_purchase_starts_at_one_and_leaves_it_at_the_purchase_rate():
    x, t_x, big_t = 3.0, 20.0, 38.0
    assert pareto_nbd.probability_no_purchase(CDNOW, 0.0, x, t_x, big_t) == 1.0
    h = 1e-4
    slope = (1 - pareto_nbd.probability_no_purchase(CDNOW, h, x, t_x, big_t)) / h
    rate = pareto_nbd.probability_alive(CDNOW, x, t_x, big_t) * (CDNOW["r"] + x) / (CDNOW["alpha"] + big_t)
    assert slope == pytest.approx(rate, rel=1e-3)


def test_it_rejects_bad_input_naming_the_field():
    with pytest.raises(ValueError, match="recency must not exceed T"):
        pareto_nbd.fit([1.0], [3.0], [2.0])
    with pytest.raises(ValueError, match="T has 1 NaN"):
        pareto_nbd.probability_alive(CDNOW, [1.0], [1.0], [np.nan])
    with pytest.raises(ValueError, match="t must be >= 0"):
        pareto_nbd.probability_no_purchase(CDNOW, -1.0, 1.0, 1.0, 2.0)
