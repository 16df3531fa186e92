"""Gamma-Gamma spend: the published closed forms, the likelihood against integration over nu, fits on simulated
spend."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from rapport.analytics.engine import gamma_gamma
from rapport.analytics.engine.fitting import FitError
from rapport.analytics.engine.simulate import simulate_spend

# Fader, Hardie & Lee (2005) "RFM and CLV", CDNOW sample.
CDNOW = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def spend():
    x = np.random.default_rng(3).poisson(2.0, 20_000).astype(np.float64)
    return x, simulate_spend(CDNOW, x, seed=5)


@pytest.fixture(scope="module")
def fitted(spend):
    return gamma_gamma.fit(*spend)


def test_it_reproduces_the_published_population_mean():
    assert gamma_gamma.population_average_profit(CDNOW) == pytest.approx(6.25 * 15.44 / 2.74, rel=1e-14)
    assert round(gamma_gamma.population_average_profit(CDNOW), 2) == 35.22
    # A customer with no repeat purchase is expected to spend the population mean, whatever m_x says.
    assert gamma_gamma.conditional_expected_average_profit(CDNOW, 0, 0.0) == pytest.approx(35.2190, abs=1e-4)


def test_the_expected_spend_shrinks_a_customers_mean_towards_the_population_mean():
    x = np.array([1.0, 2.0, 10.0, 100.0])
    m = np.full(4, 50.0)
    got = gamma_gamma.conditional_expected_average_profit(CDNOW, x, m)
    # (gamma + m x) p / (p x + q - 1): x = 2 gives (15.44 + 100) 6.25 / 15.24 = 47.34.
    assert got[1] == pytest.approx(115.44 * 6.25 / 15.24, rel=1e-14)
    weight = 2.74 / (6.25 * x + 2.74)
    np.testing.assert_allclose(got, weight * 35.218978102189784 + (1 - weight) * 50.0, rtol=1e-12)
    assert np.all(np.diff(got) > 0) and got[-1] < 50.0  # more purchases, more trust in the customer's own mean


@pytest.mark.parametrize(("x", "m"), [(1, 20.0), (3, 35.0), (12, 80.0)])
def test_its_likelihood_matches_integration_over_nu(x, m):
    p, q, gamma = CDNOW.values()

    # m_x | nu ~ Gamma(p x, rate nu x); nu ~ Gamma(q, rate gamma).
    def integrand(nu: float) -> float:
        log_m = p * x * math.log(nu * x) + (p * x - 1) * math.log(m) - nu * x * m - gammaln(p * x)
        log_nu = q * math.log(gamma) + (q - 1) * math.log(nu) - gamma * nu - gammaln(q)
        return math.exp(log_m + log_nu)

    density, _ = integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)
    assert gamma_gamma.log_likelihood(CDNOW, [x], [m])[0] == pytest.approx(math.log(density), abs=1e-9)


def test_customers_without_repeat_purchases_carry_no_likelihood():
    got = gamma_gamma.log_likelihood(CDNOW, [0, 2], [0.0, 30.0])
    assert got[0] == 0.0
    assert got[1] < 0.0


def test_it_recovers_the_parameters_of_simulated_spend(fitted, spend):
    x, _ = spend
    assert fitted.converged, fitted.message
    assert fitted.n == np.count_nonzero(x > 0)
    # About 4 standard errors (observed information: p 5%, q 1.8%, gamma 6.8%).
    assert fitted.params["p"] == pytest.approx(6.25, rel=0.2)
    assert fitted.params["q"] == pytest.approx(3.74, rel=0.08)
    assert fitted.params["gamma"] == pytest.approx(15.44, rel=0.27)
    assert gamma_gamma.population_average_profit(fitted) == pytest.approx(35.22, rel=0.03)


def test_the_gradient_is_zero_at_the_estimate(fitted, spend):
    x, m = spend
    names = gamma_gamma.PARAM_NAMES
    theta = np.log([fitted.params[name] for name in names])

    def mean_ll(point):
        values = gamma_gamma.log_likelihood(dict(zip(names, np.exp(point), strict=True)), x, m)
        return float(values[x > 0].mean())

    gradient = []
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-5
        gradient.append((mean_ll(theta + step) - mean_ll(theta - step)) / 2e-5)
    assert np.max(np.abs(gradient)) < 1e-6
    assert fitted.log_likelihood == pytest.approx(mean_ll(theta) * fitted.n, rel=1e-12)


def test_two_starting_points_agree_to_four_significant_figures(fitted, spend):
    other = gamma_gamma.fit(*spend, initial={"p": 0.3, "q": 20.0, "gamma": 500.0})
    assert other.converged, other.message
    for name in gamma_gamma.PARAM_NAMES:
        assert other.params[name] == pytest.approx(fitted.params[name], rel=1e-4)


def test_weights_fit_the_same_as_repeated_customers(spend):
    x, m = spend[0][:3000], spend[1][:3000]
    repeated = gamma_gamma.fit(np.tile(x, 3), np.tile(m, 3), compress_rows=False)
    weighted = gamma_gamma.fit(x, m, weights=np.full(len(x), 3.0))
    for name in gamma_gamma.PARAM_NAMES:
        assert weighted.params[name] == pytest.approx(repeated.params[name], rel=1e-4)
    assert weighted.log_likelihood == pytest.approx(repeated.log_likelihood, rel=1e-10)
    assert weighted.n == repeated.n == 3 * np.count_nonzero(x > 0)


def test_it_refuses_an_expected_spend_when_q_is_at_most_one():
    with pytest.raises(ValueError, match="only for q > 1"):
        gamma_gamma.conditional_expected_average_profit({**CDNOW, "q": 1.0}, [2], [30.0])
    with pytest.raises(ValueError, match="only for q > 1"):
        gamma_gamma.population_average_profit({**CDNOW, "q": 0.8})


@pytest.mark.parametrize(
    ("frequency", "monetary", "message"),
    [
        ([2.0], [0.0], "monetary must be > 0 for customers with repeat purchases"),
        ([2.0], [-5.0], "monetary must be >= 0"),
        ([2.0, 1.0], [np.nan, 3.0], "monetary has 1 NaN"),
        ([0.0, 0.0], [0.0, 0.0], "no customer has a repeat purchase"),
        ([], [], "empty"),
    ],
)
def test_it_rejects_bad_input_naming_the_field(frequency, monetary, message):
    with pytest.raises(FitError, match=message):
        gamma_gamma.fit(frequency, monetary)
