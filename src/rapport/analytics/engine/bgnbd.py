"""The BG/NBD model: Fader, Hardie & Lee (2005), "'Counting your customers' the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2), 275-284; and the note Fader, Hardie & Lee, "Computing P(alive) using
the BG/NBD model" (2008).

While alive, a customer buys as a Poisson process with rate ``lambda``; after each *repeat* purchase they
drop out for good with probability ``p``. Across customers ``lambda ~ Gamma(r, alpha)`` (shape, rate) and
``p ~ Beta(a, b)``. Per customer: ``frequency`` x (repeat purchases), ``recency`` t_x (first to last purchase),
``T`` (first purchase to the as-of date), in periods (weeks unless the caller chose otherwise).

Likelihood (FHL 2005 eq. 6), with ``B`` the beta function::

    L = B(a, b+x)/B(a, b) * G(r+x)/G(r) * alpha^r / (alpha+T)^(r+x)
      + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x)/G(r) * alpha^r / (alpha+t_x)^(r+x)

computed as ``gammaln`` and ``betaln`` terms joined by ``logaddexp``, never as a ratio of gamma functions or
powers (``(alpha+T)^(r+x)`` overflows for heavy buyers). Its gradient is analytic (digamma terms); terms that
depend on x alone are computed once per distinct x, so a fit costs a few array passes per iteration.

Published estimates on the CDNOW sample (2,357 customers, 39 weeks): r = 0.243, alpha = 4.414, a = 0.793,
b = 2.426 (log-likelihood -9582.4).

All prediction functions take the parameters (a mapping or a :class:`FitResult`) first and broadcast their array
arguments, so one call scores every customer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from rapport.analytics.engine._special import hyp2f1_series
from rapport.analytics.engine.fitting import (
    FitError,
    FitResult,
    ParamsLike,
    check_horizon,
    check_summary,
    compress,
    group_rows,
    maximise_likelihood,
    param_values,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

PARAM_NAMES: tuple[str, ...] = ("r", "alpha", "a", "b")

# The expectation has a factor 1/(a-1) times a bracket that vanishes at a = 1: within this distance of 1 the
# cancellation would cost digits, so the value is interpolated between a = 1 -+ this distance instead.
_A_NEAR_ONE = 1e-4


@dataclass(frozen=True)
class _Parts:
    gamma_part: FloatArray  # per distinct x: log G(r+x) - log G(r)
    log_aT: FloatArray  # per row: log(alpha + T)
    log_atx: FloatArray  # per row: log(alpha + t_x)
    mixed: FloatArray  # per row: log of the bracketed sum of eq. 6
    share_first: FloatArray  # per row: the first term's share of that sum
    share_second: FloatArray  # per row: the second term's share (0 when x = 0)


class _Data:
    """Compressed rows and the grouping by distinct frequency that the likelihood and its gradient share."""

    def __init__(self, x: FloatArray, t_x: FloatArray, big_t: FloatArray, w: FloatArray) -> None:
        self.x, self.t_x, self.big_t, self.w = x, t_x, big_t, w
        self.distinct_x, inverse = np.unique(x, return_inverse=True)
        self.x_index: IntArray = inverse.astype(np.intp)
        self.weight_per_x = np.bincount(self.x_index, weights=w, minlength=len(self.distinct_x)).astype(
            np.float64, copy=False
        )
        self.total = float(w.sum())


def log_likelihood(params: ParamsLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
    """Each customer's log-likelihood ``log L(r, alpha, a, b | x, t_x, T)`` (FHL 2005 eq. 6)."""
    r, alpha, a, b = param_values(params, PARAM_NAMES)
    x, t_x, big_t, w = check_summary(frequency, recency, T)
    data = _Data(x, t_x, big_t, w)
    parts = _parts(r, alpha, a, b, data)
    return parts.gamma_part[data.x_index] + r * math.log(alpha) + parts.mixed


def fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    compress_rows: bool = True,
    initial: ParamsLike | None = None,
    max_iterations: int = 1000,
) -> FitResult:
    """Estimate r, alpha, a, b by maximum likelihood.

    ``weights`` counts identical customers (a pre-compressed summary); with ``compress_rows`` identical
    ``(x, t_x, T)`` rows are folded first, which changes nothing in the result and cuts the work to the
    distinct rows. ``initial`` is tried before the built-in starting points. Never raises on non-convergence:
    see ``FitResult.converged`` and ``message``. Raises :class:`FitError` (a ValueError) on bad input.
    """
    x, t_x, big_t, w = check_summary(frequency, recency, T, weights)
    if compress_rows:
        (x, t_x, big_t), w = compress((x, t_x, big_t), w)
    data = _Data(x, t_x, big_t, w)
    if not _dot(w, big_t) > 0:
        raise FitError("T is 0 for every customer: there is no observation time to fit")

    def mean_ll_grad(params: FloatArray) -> tuple[float, FloatArray]:
        return _mean_log_likelihood_and_gradient(params, data)

    rate = _repeat_rate(data)
    return maximise_likelihood(
        PARAM_NAMES,
        _starts(rate, initial),
        total_weight=data.total,
        mean_log_likelihood_with_gradient=mean_ll_grad,
        scales=(1.0, 1.0 / rate, 1.0, 1.0),
        max_iterations=max_iterations,
    )


def expected_transactions(params: ParamsLike, t: ArrayLike) -> FloatArray:
    """``E[X(t)]``: expected repeat transactions of a new customer in the ``t`` periods after the first purchase.

    FHL 2005 eq. 9, ``(a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]``: the conditional
    expectation below for a customer with no history (x = t_x = T = 0).
    """
    horizon = check_horizon(t)
    zeros = np.zeros_like(horizon)
    return conditional_expected_transactions(params, horizon, zeros, zeros, zeros)


def conditional_expected_transactions(
    params: ParamsLike, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """``E[Y(t) | x, t_x, T]``: expected repeat transactions in the next ``t`` periods given the history.

    FHL 2005 eq. 10::

        (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
        / [1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)]

    As printed, the 2F1 grows like ``(1-z)^(a-1-r-x)`` and overflows for heavy buyers over long horizons while
    the power in front underflows. Euler's transformation ``2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)``
    cancels the two: the bracket is ``1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``, whose 2F1 stays near 1.
    The denominator is ``1 / P(alive)``, taken from :func:`probability_alive`. Where SciPy's hyp2f1 still returns
    inf or NaN the power series is summed instead.
    """
    if np.ndim(t) == 0:
        return conditional_expected_transactions_over(params, np.atleast_1d(t), frequency, recency, T)[0]
    r, alpha, a, b = param_values(params, PARAM_NAMES)
    horizon, x, t_x, big_t = _broadcast(t, frequency, recency, T)
    alive = _probability_alive(r, alpha, a, b, x, t_x, big_t)
    return alive * _expected_alive(r, alpha, a, b, horizon, x, big_t)


def conditional_expected_transactions_over(
    params: ParamsLike, horizons: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """:func:`conditional_expected_transactions` at several horizons: one row per horizon, in the shape of the
    broadcast customer arrays.

    P(alive) is computed once, and the expectation if alive depends on a customer only through ``(x, T)``: it is
    evaluated once per distinct pair (a million customers have a few tens of thousands), the costly 2F1 with it.
    """
    r, alpha, a, b = param_values(params, PARAM_NAMES)
    steps = check_horizon(np.atleast_1d(np.asarray(horizons, dtype=np.float64)))
    x, t_x, big_t, _ = check_summary(frequency, recency, T, require_data=False)
    x, t_x, big_t = np.broadcast_arrays(x, t_x, big_t)
    shape = x.shape
    x, t_x, big_t = x.ravel(), t_x.ravel(), big_t.ravel()
    alive = _probability_alive(r, alpha, a, b, x, t_x, big_t)
    (pair_x, pair_t), inverse = group_rows((x, big_t))
    out = np.empty((len(steps), len(x)), dtype=np.float64)
    for i, step in enumerate(steps.tolist()):
        per_pair = _expected_alive(r, alpha, a, b, np.full(len(pair_x), step), pair_x, pair_t)
        out[i] = alive * per_pair[inverse]
    return out.reshape((len(steps), *shape))


def _expected_alive(
    r: float, alpha: float, a: float, b: float, t: FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """:func:`_expected_if_alive`, interpolated across a = 1 where the formula is 0/0."""
    if abs(a - 1.0) >= _A_NEAR_ONE:
        return _expected_if_alive(r, alpha, a, b, t, x, big_t)
    # Linear interpolation across a = 1; the error is O(_A_NEAR_ONE^2) relative.
    below = _expected_if_alive(r, alpha, 1.0 - _A_NEAR_ONE, b, t, x, big_t)
    above = _expected_if_alive(r, alpha, 1.0 + _A_NEAR_ONE, b, t, x, big_t)
    share = (a - (1.0 - _A_NEAR_ONE)) / (2 * _A_NEAR_ONE)
    return below + share * (above - below)


def probability_alive(params: ParamsLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
    """``P(alive | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))`` (FHL 2008 note).

    THE TRAP: it is exactly 1 for every customer with no repeat purchase, however long ago they bought, because
    a BG/NBD customer can only drop out right after a repeat purchase. Never rank churn risk by it alone; use
    :func:`probability_no_purchase` (or the expected transactions), which do fall for silent one-time buyers.
    """
    r, alpha, a, b = param_values(params, PARAM_NAMES)
    x, t_x, big_t, _ = check_summary(frequency, recency, T, require_data=False)
    return _probability_alive(r, alpha, a, b, x, t_x, big_t)


def probability_no_purchase(
    params: ParamsLike, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """``P(Y(t) = 0 | x, t_x, T)``: the probability of no purchase in the next ``t`` periods, given the history.

    Exact, not an approximation: ``P(dead) + P(alive) * E[exp(-lambda t) | alive, history]``. A BG/NBD customer
    drops out only *after* a purchase, so while alive the first purchase after T comes at rate lambda whatever
    happens later, and "no purchase in t" is just "the next purchase is beyond t". Given alive, the posterior of
    lambda is ``Gamma(r + x, alpha + T)`` (the likelihood of an alive customer is ``lambda^x e^(-lambda T)``
    times ``(1-p)^x``, independent of p), so ``E[exp(-lambda t)] = ((alpha+T)/(alpha+T+t))^(r+x)``::

        P = 1 - P(alive) * (1 - ((alpha+T)/(alpha+T+t))^(r+x))
    """
    r, alpha, a, b = param_values(params, PARAM_NAMES)
    horizon, x, t_x, big_t = _broadcast(t, frequency, recency, T)
    alive = _probability_alive(r, alpha, a, b, x, t_x, big_t)
    buys_if_alive = -np.expm1(-(r + x) * np.log1p(horizon / (alpha + big_t)))
    return 1.0 - alive * buys_if_alive


# --- internals -----------------------------------------------------------------------------------------------


def _broadcast(
    t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    horizon = check_horizon(t)
    x, t_x, big_t, _ = check_summary(frequency, recency, T, require_data=False)
    horizon, x, t_x, big_t = np.broadcast_arrays(horizon, x, t_x, big_t)
    return horizon, x, t_x, big_t


def _probability_alive(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    repeat = x > 0
    # log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x), the odds of having dropped out; log1p keeps the
    # recent buyers (T - t_x small) exact. Customers with x = 0 get a harmless placeholder (b+x-1 may be < 0).
    b_x = np.where(repeat, b + x - 1.0, 1.0)
    log_odds_dead = np.log(a / b_x) + (r + x) * np.log1p((big_t - t_x) / (alpha + t_x))
    return np.where(repeat, expit(-log_odds_dead), 1.0)


def _expected_if_alive(
    r: float, alpha: float, a: float, b: float, t: FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """``E[Y(t) | alive, x, T]``: the FHL 2005 eq. 10 numerator after Euler's transformation."""
    big_a = alpha + big_t
    z = t / (big_a + t)
    log_keep = -np.log1p(t / big_a)  # log(1 - z), exact for small t
    c = a + b + x - 1.0
    with np.errstate(all="ignore"):
        f = np.asarray(hyp2f1(a + b - 1.0 - r, a - 1.0, c, z), dtype=np.float64)
    bad = ~np.isfinite(f)
    if bad.any():
        f = f.copy()
        f[bad] = hyp2f1_series(np.asarray(a + b - 1.0 - r), np.asarray(a - 1.0), c[bad], z[bad])
    with np.errstate(divide="ignore", invalid="ignore"):
        # 1 - (1-z)^(a-1) F as -expm1(...) keeps the digits when both factors are near 1 (short horizons).
        bracket = np.where(f > 0, -np.expm1((a - 1.0) * log_keep + np.log(f)), 1.0 - np.exp((a - 1.0) * log_keep) * f)
    return c / (a - 1.0) * bracket


def _parts(r: float, alpha: float, a: float, b: float, data: _Data) -> _Parts:
    """The pieces of the log-likelihood shared by its value and its gradient.

    Per row the log of the bracketed sum is ``M = logaddexp(F, S)``, F and S the logs of the two terms of eq. 6
    (S = -inf when x = 0). It is written out as ``max + log1p(e)``, ``e = exp(-|F - S|)``, because NumPy's
    logaddexp and SciPy's expit were measured 5-15x slower here (their handling of -inf), and because the same
    ``e`` gives both terms' shares of the sum, which the gradient needs.
    """
    ux = data.distinct_x
    repeat = ux > 0
    log_beta_ab = betaln(a, b)
    gamma_part = gammaln(r + ux) - gammaln(r)
    beta_first = betaln(a, b + ux) - log_beta_ab
    b_x = np.where(repeat, b + ux - 1.0, 1.0)  # placeholder where x = 0: that term does not exist
    beta_second = np.where(repeat, betaln(a + 1.0, b_x) - log_beta_ab, -np.inf)
    rx = r + data.x
    log_aT = np.log(alpha + data.big_t)
    log_atx = np.log(alpha + data.t_x)
    first = beta_first[data.x_index] - rx * log_aT
    second = beta_second[data.x_index] - rx * log_atx
    gap = second - first
    e = np.exp(-np.abs(gap))
    mixed = np.maximum(first, second) + np.log1p(e)
    larger_share = 1.0 / (1.0 + e)
    second_larger = gap > 0
    share_second = np.where(second_larger, larger_share, e * larger_share)
    share_first = np.where(second_larger, e * larger_share, larger_share)
    return _Parts(gamma_part, log_aT, log_atx, mixed, share_first, share_second)


def _mean_log_likelihood_and_gradient(params: FloatArray, data: _Data) -> tuple[float, FloatArray]:
    """Mean log-likelihood and its analytic gradient in (r, alpha, a, b).

    With ``F = log B(a,b+x) - log B(a,b) - (r+x) log(alpha+T)`` and ``S`` the second term likewise, the log of
    the bracket is ``M = logaddexp(F, S)`` and its derivatives are the weighted ``w_F dF + w_S dS`` with
    ``w_F = exp(F - M)``. Terms that depend on x only are summed per distinct x (``np.bincount``)::

        dF/da = psi(a+b) - psi(a+b+x)               dS/da = 1/a + psi(a+b) - psi(a+b+x)
        dF/db = psi(b+x) - psi(b) + psi(a+b) - psi(a+b+x)
        dS/db = psi(b+x-1) - psi(b) + psi(a+b) - psi(a+b+x)
        dF/dr = -log(alpha+T), dF/dalpha = -(r+x)/(alpha+T), and S likewise with t_x
    """
    r, alpha, a, b = (float(v) for v in params)
    ux = data.distinct_x
    parts = _parts(r, alpha, a, b, data)
    w, total = data.w, data.total
    value = (_dot(parts.gamma_part, data.weight_per_x) + r * math.log(alpha) * total + _dot(w, parts.mixed)) / total

    w_first = w * parts.share_first
    w_second = w * parts.share_second  # 0 where x = 0
    sum_first = np.bincount(data.x_index, weights=w_first, minlength=len(ux)).astype(np.float64, copy=False)
    sum_second = np.bincount(data.x_index, weights=w_second, minlength=len(ux)).astype(np.float64, copy=False)
    rx = r + data.x

    d_r = (
        _dot(digamma(r + ux) - digamma(r), data.weight_per_x)
        + math.log(alpha) * total
        - _dot(w_first, parts.log_aT)
        - _dot(w_second, parts.log_atx)
    )
    d_alpha = r / alpha * total - _dot(w_first, rx / (alpha + data.big_t)) - _dot(w_second, rx / (alpha + data.t_x))
    repeat = ux > 0
    psi_ab = digamma(a + b)
    psi_abx = digamma(a + b + ux)
    d_a = _dot(psi_ab - psi_abx, sum_first) + _dot(np.where(repeat, 1.0 / a + psi_ab - psi_abx, 0.0), sum_second)
    b_x = np.where(repeat, b + ux - 1.0, 1.0)
    psi_b = digamma(b)
    d_b = _dot(digamma(b + ux) - psi_b + psi_ab - psi_abx, sum_first) + _dot(
        np.where(repeat, digamma(b_x) - psi_b + psi_ab - psi_abx, 0.0), sum_second
    )
    return value, np.array([d_r, d_alpha, d_a, d_b]) / total


def _dot(u: FloatArray, v: FloatArray) -> float:
    """``sum(u * v)`` without BLAS: np.dot here was measured 5-20x slower on a busy 2-core
    machine (OpenBLAS threads), and pairwise summation is as accurate."""
    return float(np.sum(u * v))


def _repeat_rate(data: _Data) -> float:
    """Repeat purchases per period across customers: 1/rate is alpha's natural scale (E[lambda] = r / alpha)."""
    return max(_dot(data.w, data.x), 0.5) / _dot(data.w, data.big_t)


def _starts(rate: float, initial: ParamsLike | None) -> list[list[float]]:
    """Starting points scaled to the data's time unit through ``rate``."""
    starts = [
        [1.0, 1.0 / rate, 1.0, 1.0],
        [0.5, 0.5 / rate, 0.5, 3.0],
        [2.0, 2.0 / rate, 2.0, 6.0],
    ]
    if initial is not None:
        starts.insert(0, list(param_values(initial, PARAM_NAMES)))
    return starts
