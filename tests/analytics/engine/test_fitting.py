"""The shared fitting machinery: compression, input checks, the optimiser and how it reports failure."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats
from scipy.special import digamma, gammaln

from rapport.analytics.engine.fitting import (
    FitError,
    FitResult,
    check_summary,
    compress,
    group_rows,
    maximise_likelihood,
    param_values,
)

GAMMA_SAMPLE = np.random.default_rng(0).gamma(2.5, 1 / 0.7, 5000)


def _gamma_mean_ll(params: np.ndarray) -> float:
    shape, rate = params
    return float(
        np.mean(shape * np.log(rate) - gammaln(shape) + (shape - 1) * np.log(GAMMA_SAMPLE) - rate * GAMMA_SAMPLE)
    )


def _gamma_mean_ll_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
    shape, rate = params
    gradient = np.array(
        [math.log(rate) - digamma(shape) + np.mean(np.log(GAMMA_SAMPLE)), shape / rate - np.mean(GAMMA_SAMPLE)]
    )
    return _gamma_mean_ll(params), gradient


def test_compress_folds_identical_rows_and_sums_their_weights():
    x = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    t = np.array([2.0, 0.0, 2.0, 3.0, 0.0])
    (ux, ut), counts = compress((x, t))
    np.testing.assert_array_equal(ux, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(ut, [0.0, 2.0, 3.0])
    np.testing.assert_array_equal(counts, [2.0, 2.0, 1.0])
    _, weights = compress((x, t), np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(weights, [7.0, 4.0, 4.0])


def test_group_rows_maps_every_row_to_its_distinct_row():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 4, 1000).astype(np.float64)
    t = rng.integers(0, 5, 1000).astype(np.float64)
    (ux, ut), inverse = group_rows((x, t))
    assert len(ux) == len(np.unique(np.stack([x, t], axis=1), axis=0))
    np.testing.assert_array_equal(ux[inverse], x)
    np.testing.assert_array_equal(ut[inverse], t)


def test_the_optimiser_finds_a_known_maximum_likelihood_estimate():
    shape, _, scale = stats.gamma.fit(GAMMA_SAMPLE, floc=0)
    for kwargs in ({"mean_log_likelihood": _gamma_mean_ll}, {"mean_log_likelihood_with_gradient": _gamma_mean_ll_grad}):
        result = maximise_likelihood(("shape", "rate"), [[1.0, 1.0]], total_weight=5000, **kwargs)
        assert result.converged, result.message
        assert result.params["shape"] == pytest.approx(shape, rel=1e-5)
        assert result.params["rate"] == pytest.approx(1 / scale, rel=1e-5)
        assert result.log_likelihood == pytest.approx(5000 * _gamma_mean_ll(np.array([shape, 1 / scale])), rel=1e-9)
        assert result.n == 5000 and result.iterations > 0


def test_it_moves_to_the_next_start_when_the_likelihood_is_not_finite_at_one():
    def mean_ll(params: np.ndarray) -> float:
        return math.nan if params[0] > 50 else _gamma_mean_ll(params)

    result = maximise_likelihood(
        ("shape", "rate"), [[100.0, 1.0], [1.0, 1.0]], total_weight=5000, mean_log_likelihood=mean_ll
    )
    assert result.converged
    assert "start 2 of 2" in result.message


def test_a_parameter_that_runs_away_is_reported_not_raised():
    # The likelihood rises forever with the second parameter: it is not identified.
    def mean_ll_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = params
        return -((a - 2.0) ** 2) - 1 / b, np.array([-2 * (a - 2.0), 1 / b**2])

    result = maximise_likelihood(
        ("a", "b"), [[1.0, 1.0]], total_weight=10, mean_log_likelihood_with_gradient=mean_ll_grad
    )
    assert not result.converged
    assert "b = " in result.message and "ran more than e^12 away from its natural scale" in result.message
    assert result.params["a"] == pytest.approx(2.0, rel=1e-6)


def test_running_out_of_iterations_is_reported_not_raised():
    result = maximise_likelihood(
        ("shape", "rate"), [[50.0, 0.01]], total_weight=5000, mean_log_likelihood=_gamma_mean_ll, max_iterations=1
    )
    assert not result.converged
    assert result.message.startswith("did not converge from 1 starting point(s): stopped after 1 iterations")


def test_it_needs_exactly_one_objective():
    with pytest.raises(ValueError, match="exactly one"):
        maximise_likelihood(("a",), [[1.0]], total_weight=1)


def test_a_fit_result_is_frozen():
    result = FitResult({"r": 1.0}, -3.0, True, 4, "ok", 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.converged = False  # type: ignore[misc]


def test_parameters_come_from_a_mapping_or_a_fit_result():
    result = FitResult({"r": 1.5, "alpha": 2.0}, -3.0, True, 4, "ok", 10)
    assert param_values(result, ("alpha", "r")) == (2.0, 1.5)
    assert param_values({"r": 1, "alpha": 2}, ("r", "alpha")) == (1.0, 2.0)
    with pytest.raises(ValueError, match="parameter r must be a positive number, got nan"):
        param_values({"r": math.nan, "alpha": 2}, ("r", "alpha"))


def test_the_summary_check_broadcasts_for_prediction_but_not_for_fitting():
    x, t_x, big_t, _ = check_summary(2.0, np.array([1.0, 3.0]), 4.0, require_data=False)
    assert x.shape == t_x.shape == big_t.shape == (2,)
    with pytest.raises(FitError, match="one length"):
        check_summary([2.0], [1.0, 3.0], [4.0])
    with pytest.raises(FitError, match="weights must have a positive sum"):
        check_summary([2.0], [1.0], [4.0], [0.0])
    with pytest.raises(FitError, match="frequency must be numbers"):
        check_summary(["two"], [1.0], [4.0])
