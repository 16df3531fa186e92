"""The Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer
base analysis", Journal of Marketing Research 42(4), 415-430 (after Colombo & Jiang 1999); and Fader & Hardie,
"The Gamma-Gamma model of monetary value" (note).

A customer's transaction values are ``z ~ Gamma(p, nu)`` (shape, rate) around their own mean ``p/nu``; across
customers ``nu ~ Gamma(q, gamma)``. We observe ``m_x``, the mean of the x *repeat* transactions (the first
purchase is left out, as in the summaries), so only customers with x > 0 carry information. The mean of x
values is ``Gamma(p x, nu x)``; integrating nu out::

    f(m_x | p, q, gamma, x) = G(p x + q) / (G(p x) G(q)) * gamma^q m_x^(p x - 1) x^(p x) / (gamma + m_x x)^(p x + q)

Its gradient is analytic (digamma terms). The posterior mean spend::

    E[Z | p, q, gamma, m_x, x] = (gamma + m_x x) p / (p x + q - 1)
                               = w * p gamma / (q - 1) + (1 - w) * m_x,   w = (q - 1) / (p x + q - 1)

a weighted average of the population mean and the customer's own mean, which only exists for q > 1 (a
``Gamma(q, gamma)`` rate has a finite mean inverse only then): :func:`conditional_expected_average_profit`
refuses q <= 1 rather than return a meaningless number.

The model assumes spend is independent of purchase frequency; check the correlation of ``m_x`` and x among
repeat buyers before relying on it (near zero is the condition FHL state).

Published estimates on the CDNOW sample (its repeat buyers): p = 6.25, q = 3.74, gamma = 15.44, so the
population mean spend per transaction is 6.25 * 15.44 / 2.74 = 35.22 dollars.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, gammaln

from rapport.analytics.engine.fitting import (
    FitError,
    FitResult,
    ParamsLike,
    as_float_array,
    compress,
    maximise_likelihood,
    param_values,
    require,
)

FloatArray = NDArray[np.float64]

PARAM_NAMES: tuple[str, ...] = ("p", "q", "gamma")


def check_spend(
    frequency: ArrayLike, monetary: ArrayLike, weights: ArrayLike | None = None, *, require_data: bool = True
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate ``(x, m_x)`` (and weights): finite, x a non-negative whole number, ``m_x >= 0``.

    For fitting (``require_data``) also: one-dimensional, one length, non-empty, and ``m_x > 0`` wherever
    x > 0 (the model has no zero spend: a customer whose repeat purchases were all free must be left out).
    """
    x = as_float_array("frequency", frequency)
    m = as_float_array("monetary", monetary)
    w = as_float_array("weights", weights) if weights is not None else np.ones_like(x)
    if require_data:
        for name, array in (("frequency", x), ("monetary", m), ("weights", w)):
            if array.ndim != 1:
                raise FitError(f"{name} must be one-dimensional, got shape {array.shape}")
        if not len(x) == len(m) == len(w):
            raise FitError(f"frequency, monetary (and weights) must have one length, got {len(x)}, {len(m)}, {len(w)}")
        if len(x) == 0:
            raise FitError("no customers to fit: the arrays are empty")
    else:
        try:
            x, m = np.broadcast_arrays(x, m)
        except ValueError:
            shapes = f"{np.shape(x)}, {np.shape(m)}"
            raise FitError(f"frequency and monetary must broadcast together, got {shapes}") from None
    require(x >= 0, "frequency must be >= 0", x)
    require(x == np.floor(x), "frequency must be a whole number of repeat transactions", x)
    require(m >= 0, "monetary must be >= 0", m)
    if require_data:
        require((x == 0) | (m > 0), "monetary must be > 0 for customers with repeat purchases", x, m)
        require(w >= 0, "weights must be >= 0", w)
    return x, m, w


def log_likelihood(params: ParamsLike, frequency: ArrayLike, monetary: ArrayLike) -> FloatArray:
    """Each customer's ``log f(m_x | p, q, gamma, x)``; 0 for customers with x = 0, who carry no spend data."""
    p, q, gamma = param_values(params, PARAM_NAMES)
    x, m, _ = check_spend(frequency, monetary)
    out = np.zeros_like(x)
    repeat = x > 0
    out[repeat] = _row_log_likelihood(p, q, gamma, x[repeat], m[repeat])
    return out


def fit(
    frequency: ArrayLike,
    monetary: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    compress_rows: bool = True,
    initial: ParamsLike | None = None,
    max_iterations: int = 1000,
) -> FitResult:
    """Estimate p, q, gamma by maximum likelihood over the customers with x > 0 (the others are skipped).

    ``FitResult.n`` counts the customers used. Arguments and behaviour as :func:`.bgnbd.fit`.
    """
    x, m, w = check_spend(frequency, monetary, weights)
    repeat = (x > 0) & (w > 0)
    if not repeat.any():
        raise FitError("no customer has a repeat purchase: the Gamma-Gamma model has nothing to fit")
    x, m, w = x[repeat], m[repeat], w[repeat]
    if compress_rows:
        (x, m), w = compress((x, m), w)
    total = float(w.sum())
    log_m, log_x = np.log(m), np.log(x)

    def mean_ll_grad(params: np.ndarray) -> tuple[float, FloatArray]:
        p, q, gamma = (float(v) for v in params)
        px = p * x
        log_gm = np.log(gamma + m * x)
        value = gammaln(px + q) - gammaln(px) - gammaln(q) + q * math.log(gamma) + (px - 1.0) * log_m
        value += px * log_x - (px + q) * log_gm
        psi_pxq = digamma(px + q)
        d_p = x * (psi_pxq - digamma(px) + log_m + log_x - log_gm)
        d_q = psi_pxq - digamma(q) + math.log(gamma) - log_gm
        d_gamma = q / gamma - (px + q) / (gamma + m * x)
        gradient = np.array([np.sum(w * d_p), np.sum(w * d_q), np.sum(w * d_gamma)]) / total
        return float(np.sum(w * value)) / total, gradient

    mean_spend = float(np.sum(w * m)) / total
    starts = [[1.0, 2.0, mean_spend], [5.0, 3.0, 0.4 * mean_spend], [0.5, 1.5, mean_spend]]
    if initial is not None:
        starts.insert(0, list(param_values(initial, PARAM_NAMES)))
    return maximise_likelihood(
        PARAM_NAMES,
        starts,
        total_weight=total,
        mean_log_likelihood_with_gradient=mean_ll_grad,
        scales=(1.0, 1.0, mean_spend),  # gamma carries the currency's unit
        max_iterations=max_iterations,
    )


def conditional_expected_average_profit(params: ParamsLike, frequency: ArrayLike, monetary: ArrayLike) -> FloatArray:
    """``E[Z | x, m_x] = (gamma + m_x x) p / (p x + q - 1)``: expected value of a customer's future transactions.

    For x = 0 it is the population mean ``p gamma / (q - 1)`` (m_x is then ignored). Requires q > 1.
    """
    p, q, gamma = param_values(params, PARAM_NAMES)
    _require_mean(q)
    x, m, _ = check_spend(frequency, monetary, require_data=False)
    return (gamma + m * x) * p / (p * x + q - 1.0)


def population_average_profit(params: ParamsLike) -> float:
    """``p gamma / (q - 1)``: the mean transaction value across customers. Requires q > 1."""
    p, q, gamma = param_values(params, PARAM_NAMES)
    _require_mean(q)
    return p * gamma / (q - 1.0)


def _require_mean(q: float) -> None:
    if not q > 1.0:
        raise ValueError(
            f"q = {q:g}: the Gamma-Gamma expected spend exists only for q > 1 (with q <= 1 the spread of customers'"
            " mean spend is too heavy-tailed for a mean); check the data for outliers or use the median"
        )


def _row_log_likelihood(p: float, q: float, gamma: float, x: FloatArray, m: FloatArray) -> FloatArray:
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * math.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )
