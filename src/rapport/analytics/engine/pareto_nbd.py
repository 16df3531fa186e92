"""The Pareto/NBD model: Schmittlein, Morrison & Colombo (1987), "Counting your customers: who are they and what
will they do next?", Management Science 33(1), 1-24; in the form of Fader & Hardie, "A note on deriving the
Pareto/NBD model and related expressions" (2005), whose likelihood has the alpha >= beta / alpha < beta
branches below.

While alive, a customer buys as a Poisson process with rate ``lambda``; their lifetime from the first purchase
is exponential with rate ``mu``. Across customers ``lambda ~ Gamma(r, alpha)`` and ``mu ~ Gamma(s, beta)``
(shape, rate), independent. Per customer: ``frequency`` x, ``recency`` t_x, ``T`` as in :mod:`.bgnbd`.

Likelihood (Fader & Hardie 2005)::

    L = G(r+x) alpha^r beta^s / G(r) * { 1 / ((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) * A0 }

    alpha >= beta:  A0 = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t_x)) / (alpha+t_x)^(r+s+x)
                       - 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+T))   / (alpha+T)^(r+s+x)
    alpha <  beta:  A0 = the same with alpha <-> beta and s+1 -> r+x

``s/(r+s+x) * A0`` is ``s * int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau``: the customer dies at some
tau between the last purchase and T. Each 2F1 term is the *tail* of that integral from its lower limit
(:func:`_log_tail`), so every quantity here is built from tails computed in log space:

- the powers ``(alpha+t_x)^-(r+s+x)`` are taken as ``-(r+s+x) log(alpha+t_x)``: they underflow for heavy buyers;
- ``log 2F1`` comes from :func:`._special.log_hyp2f1_k_k1`, safe where SciPy overflows or returns NaN;
- for P(alive) the difference of the two tails is ``logsubexp`` (no cancellation to zero or below), and the sum
  with the first term ``logaddexp``; the likelihood sums the three terms against the largest (``_log_braces``).

Tails depend on ``(x, lower limit)`` only, so they are evaluated once per distinct pair: with days on a grid
that is far fewer than the customers. The gradient is numerical (central differences on the log-parameters,
see :mod:`.fitting`): the derivatives in r and s would need derivatives of 2F1 in its parameters.

Published estimates on the CDNOW sample (2,357 customers, 39 weeks; Fader, Hardie & Lee 2005): r = 0.55,
alpha = 10.58, s = 0.61, beta = 11.67 (log-likelihood -9595.0).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, gammaln

from rapport.analytics.engine._special import log_hyp2f1_k_k1, logsubexp
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

PARAM_NAMES: tuple[str, ...] = ("r", "alpha", "s", "beta")


class _Data:
    """Rows, their distinct frequencies, and the distinct ``(x, lower limit)`` pairs whose tails they need."""

    def __init__(self, x: FloatArray, t_x: FloatArray, big_t: FloatArray, w: FloatArray) -> None:
        self.x, self.t_x, self.big_t, self.w = x, t_x, big_t, w
        self.distinct_x, inverse = np.unique(x, return_inverse=True)
        self.x_index: IntArray = inverse.astype(np.intp)
        self.weight_per_x = np.bincount(self.x_index, weights=w, minlength=len(self.distinct_x)).astype(
            np.float64, copy=False
        )
        self.total = float(w.sum())
        n = len(x)
        (self.pair_x, self.pair_lo), pair_index = group_rows((np.concatenate([x, x]), np.concatenate([t_x, big_t])))
        self.tail_tx_index, self.tail_T_index = pair_index[:n], pair_index[n:]


def log_likelihood(params: ParamsLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
    """Each customer's log-likelihood ``log L(r, alpha, s, beta | x, t_x, T)`` (Fader & Hardie 2005)."""
    r, alpha, s, beta = param_values(params, PARAM_NAMES)
    x, t_x, big_t, w = check_summary(frequency, recency, T)
    data = _Data(x, t_x, big_t, w)
    return _row_log_likelihood(r, alpha, s, beta, data)


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
    """Estimate r, alpha, s, beta by maximum likelihood (arguments as :func:`.bgnbd.fit`)."""
    x, t_x, big_t, w = check_summary(frequency, recency, T, weights)
    if compress_rows:
        (x, t_x, big_t), w = compress((x, t_x, big_t), w)
    if not float(np.sum(w * big_t)) > 0:
        raise FitError("T is 0 for every customer: there is no observation time to fit")
    data = _Data(x, t_x, big_t, w)

    def mean_ll(params: FloatArray) -> float:
        r, alpha, s, beta = (float(v) for v in params)
        return _mean_log_likelihood(r, alpha, s, beta, data)

    # Natural scales: alpha ~ r / purchase rate, beta ~ s * mean observation length.
    rate = max(float(np.sum(data.w * data.x)), 0.5) / float(np.sum(data.w * data.big_t))
    mean_t = float(np.sum(data.w * data.big_t)) / data.total
    return maximise_likelihood(
        PARAM_NAMES,
        _starts(rate, mean_t, initial),
        total_weight=data.total,
        mean_log_likelihood=mean_ll,
        scales=(1.0, 1.0 / rate, 1.0, mean_t),
        max_iterations=max_iterations,
    )


def expected_transactions(params: ParamsLike, t: ArrayLike) -> FloatArray:
    """``E[X(t)] = r beta / (alpha (s-1)) * [1 - (beta/(beta+t))^(s-1)]``: a new customer's expected repeat
    transactions in the ``t`` periods after the first purchase (Schmittlein et al. 1987)."""
    horizon = check_horizon(t)
    zeros = np.zeros_like(horizon)
    return conditional_expected_transactions(params, horizon, zeros, zeros, zeros)


def conditional_expected_transactions(
    params: ParamsLike, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """``E[Y(t) | x, t_x, T]`` (Schmittlein et al. 1987; Fader & Hardie 2005)::

        (r+x)(beta+T) / ((alpha+T)(s-1)) * [1 - ((beta+T)/(beta+T+t))^(s-1)] * P(alive | x, t_x, T)

    The bracket over ``s - 1`` is computed as ``-expm1((s-1) log(...)) / (s-1)``, exact on both sides of s = 1
    and replaced by its limit ``log((beta+T+t)/(beta+T))`` at s = 1 itself.
    """
    r, alpha, s, beta = param_values(params, PARAM_NAMES)
    horizon, x, t_x, big_t = _broadcast(t, frequency, recency, T)
    alive = _probability_alive(r, alpha, s, beta, x, t_x, big_t)
    return alive * _expected_alive(r, alpha, s, beta, horizon, x, big_t)


def conditional_expected_transactions_over(
    params: ParamsLike, horizons: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """:func:`conditional_expected_transactions` at several horizons (one row per horizon), with P(alive), the
    costly part, computed once."""
    r, alpha, s, beta = param_values(params, PARAM_NAMES)
    steps = check_horizon(np.atleast_1d(np.asarray(horizons, dtype=np.float64)))
    x, t_x, big_t, _ = check_summary(frequency, recency, T, require_data=False)
    x, t_x, big_t = np.broadcast_arrays(x, t_x, big_t)
    alive = _probability_alive(r, alpha, s, beta, x, t_x, big_t)
    rows = [alive * _expected_alive(r, alpha, s, beta, np.full(x.shape, step), x, big_t) for step in steps.tolist()]
    return np.stack(rows)


def _expected_alive(
    r: float, alpha: float, s: float, beta: float, horizon: FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    log_ratio = np.log1p(horizon / (beta + big_t))  # log((beta+T+t)/(beta+T))
    lifetime_factor = log_ratio if s == 1.0 else -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
    return (r + x) * (beta + big_t) / (alpha + big_t) * lifetime_factor


def probability_alive(params: ParamsLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
    """``P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0)`` (Fader & Hardie 2005).

    Unlike BG/NBD's, it falls for one-time buyers as time passes (a Pareto/NBD customer can die at any moment).
    """
    r, alpha, s, beta = param_values(params, PARAM_NAMES)
    x, t_x, big_t, _ = check_summary(frequency, recency, T, require_data=False)
    return _probability_alive(r, alpha, s, beta, x, t_x, big_t)


def probability_no_purchase(
    params: ParamsLike, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """``P(Y(t) = 0 | x, t_x, T)``: the probability of no purchase in the next ``t`` periods, given the history.

    Derived here (it is exact). Given alive at T with rates lambda and mu, the next purchase (rate lambda) must
    come before death (rate mu) and within t: ``P(buy) = lambda/(lambda+mu) (1 - exp(-(lambda+mu) t))
    = int_0^t lambda e^(-lambda u) e^(-mu u) du``. Given alive, the posteriors are independent,
    ``lambda ~ Gamma(r+x, alpha+T)`` and ``mu ~ Gamma(s, beta+T)``; taking expectations inside the integral::

        P(buy | alive) = (r+x) (alpha+T)^(r+x) (beta+T)^s * int_T^(T+t) (alpha+tau)^-(r+x+1) (beta+tau)^-s dtau
        P(no purchase) = 1 - P(alive) * P(buy | alive)

    and the integral is a difference of two tails of the same family as the likelihood's.
    """
    r, alpha, s, beta = param_values(params, PARAM_NAMES)
    horizon, x, t_x, big_t = _broadcast(t, frequency, recency, T)
    alive = _probability_alive(r, alpha, s, beta, x, t_x, big_t)
    log_integral = logsubexp(_pair_log_tail(r + 1.0, s, alpha, beta, x, big_t),
                             _pair_log_tail(r + 1.0, s, alpha, beta, x, big_t + horizon))
    log_buy = np.log(r + x) + (r + x) * np.log(alpha + big_t) + s * np.log(beta + big_t) + log_integral
    return 1.0 - alive * np.exp(np.minimum(log_buy, 0.0))  # a probability: rounding must not push it past 1


# --- internals -----------------------------------------------------------------------------------------------


def _broadcast(
    t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    horizon = check_horizon(t)
    x, t_x, big_t, _ = check_summary(frequency, recency, T, require_data=False)
    horizon, x, t_x, big_t = np.broadcast_arrays(horizon, x, t_x, big_t)
    return horizon, x, t_x, big_t


def _log_tail(m: FloatArray | float, n: float, alpha: float, beta: float, lo: FloatArray) -> FloatArray:
    """``log int_lo^inf (alpha+tau)^-m (beta+tau)^-n dtau`` for ``m, n > 0`` with ``m + n > 1``.

    Writing the smaller-rate factor through the larger one, e.g. for alpha >= beta
    ``(beta+tau) = (alpha+tau) (1 - (alpha-beta)/(alpha+tau))``, and substituting ``v = (alpha+lo)/(alpha+tau)``::

        alpha >= beta: (alpha+lo)^-(m+n-1) 2F1(m+n-1, n; m+n; (alpha-beta)/(alpha+lo)) / (m+n-1)
        alpha <  beta: (beta+lo)^-(m+n-1)  2F1(m+n-1, m; m+n; (beta-alpha)/(beta+lo))  / (m+n-1)

    The branch keeps the 2F1 argument in [0, 1): the two branches are the ones of Fader & Hardie's A0.
    """
    m_arr, lo_arr = np.broadcast_arrays(np.asarray(m, dtype=np.float64), np.asarray(lo, dtype=np.float64))
    k = m_arr + n - 1.0
    if alpha >= beta:
        base = alpha + lo_arr
        z = (alpha - beta) / base
        second = np.full_like(k, n)
    else:
        base = beta + lo_arr
        z = (beta - alpha) / base
        second = m_arr
    return -k * np.log(base) + log_hyp2f1_k_k1(k, second, z) - np.log(k)


def _pair_log_tail(r: float, n: float, alpha: float, beta: float, x: FloatArray, lo: FloatArray) -> FloatArray:
    """``_log_tail(r + x, n, alpha, beta, lo)`` evaluated once per distinct ``(x, lo)`` (days on a grid: a million
    customers have tens of thousands) and spread back over the rows."""
    x_arr, lo_arr = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(lo, dtype=np.float64))
    if x_arr.size < 1000:
        return _log_tail(r + x_arr, n, alpha, beta, lo_arr)
    (pair_x, pair_lo), inverse = group_rows((x_arr.ravel(), lo_arr.ravel()))
    return _log_tail(r + pair_x, n, alpha, beta, pair_lo)[inverse].reshape(x_arr.shape)


def _log_first_and_death_terms(
    r: float,
    alpha: float,
    s: float,
    beta: float,
    x: FloatArray,
    big_t: FloatArray,
    tails: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Logs of the two terms in the likelihood's braces: alive at T, and died between t_x and T."""
    alive_term = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    log_tail_tx, log_tail_T = tails
    death_term = math.log(s) + logsubexp(log_tail_tx, log_tail_T)
    return alive_term, death_term


def _row_log_likelihood(r: float, alpha: float, s: float, beta: float, data: _Data) -> FloatArray:
    gamma_part = (gammaln(r + data.distinct_x) - gammaln(r))[data.x_index]
    return gamma_part + r * math.log(alpha) + s * math.log(beta) + _log_braces(r, alpha, s, beta, data)


def _mean_log_likelihood(r: float, alpha: float, s: float, beta: float, data: _Data) -> float:
    """``sum(w * row log-likelihood) / sum(w)``, the Gamma-function part summed per distinct frequency."""
    gamma_part = float(np.dot(gammaln(r + data.distinct_x) - gammaln(r), data.weight_per_x))
    braces = float(np.dot(data.w, _log_braces(r, alpha, s, beta, data)))
    return (gamma_part + braces) / data.total + r * math.log(alpha) + s * math.log(beta)


def _log_braces(r: float, alpha: float, s: float, beta: float, data: _Data) -> FloatArray:
    """The log of the likelihood's braces per row, ``log(alive + s * (tail(t_x) - tail(T)))``.

    Everything that depends on a row only through ``(x, t_x)`` or ``(x, T)`` is computed once per distinct pair,
    and the row combines three of those numbers with three exponentials and a logarithm (a third less work per
    row than ``logaddexp`` of ``logsubexp``; the likelihood is evaluated a few hundred times per fit). Against the
    largest term ``m`` the sum cannot cancel: ``s * tail(T) <= alive`` (bound ``(beta+tau)^-(s+1)``'s integral
    from T by the alive term), so the bracket is at least 1.
    """
    log_s = math.log(s)
    pair_tail = _log_tail(r + data.pair_x, s + 1.0, alpha, beta, data.pair_lo) + log_s
    pair_alive = -(r + data.pair_x) * np.log(alpha + data.pair_lo) - s * np.log(beta + data.pair_lo)
    alive = pair_alive[data.tail_T_index]
    tail_tx = pair_tail[data.tail_tx_index]
    tail_t = pair_tail[data.tail_T_index]
    top = np.maximum(alive, tail_tx)
    bracket = np.exp(alive - top)
    bracket += np.exp(tail_tx - top)
    bracket -= np.exp(tail_t - top)
    return np.log(bracket) + top


def _probability_alive(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    tails = (_pair_log_tail(r, s + 1.0, alpha, beta, x, t_x), _pair_log_tail(r, s + 1.0, alpha, beta, x, big_t))
    alive_term, death_term = _log_first_and_death_terms(r, alpha, s, beta, x, big_t, tails)
    # P(alive) = alive / (alive + death); death_term = -inf (t_x = T, as for a new customer) gives exactly 1.
    return expit(alive_term - death_term)


def _starts(rate: float, mean_t: float, initial: ParamsLike | None) -> list[list[float]]:
    """Starting points scaled to the data's time unit."""
    starts = [
        [1.0, 1.0 / rate, 1.0, mean_t],
        [0.5, 0.5 / rate, 0.5, 0.5 * mean_t],
        [2.0, 2.0 / rate, 2.0, 4.0 * mean_t],
    ]
    if initial is not None:
        starts.insert(0, list(param_values(initial, PARAM_NAMES)))
    return starts
