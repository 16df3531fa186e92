"""Customers drawn from the buy-till-you-die models with known parameters: the ground truth the fits are tested
against, and synthetic data for demos and benchmarks.

Each customer makes a first purchase at time 0 and is watched until ``T`` (their own calibration length) and
then for ``holdout`` more periods. While alive they buy as a Poisson process with rate ``lambda``:

- BG/NBD (Fader, Hardie & Lee 2005): ``lambda ~ Gamma(r, rate alpha)``, ``p ~ Beta(a, b)``; after each *repeat*
  purchase they drop out with probability p, so the number of repeat purchases they would ever make is
  ``Geometric(p)`` on 1, 2, ... (the last of them is the one after which they leave).
- Pareto/NBD (Schmittlein, Morrison & Colombo 1987): ``lambda ~ Gamma(r, rate alpha)``, ``mu ~ Gamma(s, rate
  beta)``, an exponential lifetime with rate mu that starts at the first purchase.
- Spend (Gamma-Gamma, Fader, Hardie & Lee 2005 "RFM and CLV"): ``nu ~ Gamma(q, rate gamma)`` per customer and
  each transaction's value ``z ~ Gamma(p, rate nu)``.

Vectorised: the number of purchase opportunities over ``T + holdout`` is Poisson, their times are uniform and
sorted within each customer by one ``lexsort``, and the drop-out rule keeps a prefix of them. Everything is
drawn from one ``numpy.random.Generator`` seeded by ``seed``, in a fixed order, so a seed gives the same
customers on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rapport.analytics.engine.fitting import ParamsLike, as_float_array, param_values

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Transactions:
    """Every repeat purchase made by the simulated customers (calibration and holdout), customer by customer in
    time order. The first purchase (time 0 for everyone) is not listed."""

    customer: IntArray
    time: FloatArray
    value: FloatArray  # 0 when no spend model was given


@dataclass(frozen=True)
class SimulatedCustomers:
    """Per-customer summaries in the model's convention, plus what only a simulation knows.

    ``frequency``, ``recency``, ``T``, ``monetary`` cover the calibration period ``(0, T]`` (monetary is the
    mean value of the repeat purchases, 0 when there are none or no spend model was given);
    ``holdout_frequency`` and ``holdout_monetary`` (the total spent) cover ``(T, T + holdout]``; ``alive``
    says whether the customer was truly still active at T.
    """

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary: FloatArray
    holdout_frequency: FloatArray
    holdout_monetary: FloatArray
    alive: BoolArray
    transactions: Transactions | None


def simulate_bgnbd(
    params: ParamsLike,
    T: ArrayLike,
    *,
    holdout: float = 0.0,
    spend: ParamsLike | None = None,
    seed: int = 0,
    return_transactions: bool = False,
) -> SimulatedCustomers:
    """Customers from the BG/NBD process with ``params`` (r, alpha, a, b), one per entry of ``T``."""
    r, alpha, a, b = param_values(params, ("r", "alpha", "a", "b"))
    big_t, holdout = _check_lengths(T, holdout)
    rng = np.random.default_rng(seed)
    n = len(big_t)
    rate = rng.gamma(r, 1.0 / alpha, n)
    # A tiny p (a small a) can underflow to 0, which Generator.geometric rejects; 1e-12 is "never drops out".
    dropout = np.clip(rng.beta(a, b, n), 1e-12, 1.0)
    purchases_before_leaving = rng.geometric(dropout)
    return _simulate(rng, rate, big_t, holdout, spend, return_transactions, max_purchases=purchases_before_leaving)


def simulate_pareto_nbd(
    params: ParamsLike,
    T: ArrayLike,
    *,
    holdout: float = 0.0,
    spend: ParamsLike | None = None,
    seed: int = 0,
    return_transactions: bool = False,
) -> SimulatedCustomers:
    """Customers from the Pareto/NBD process with ``params`` (r, alpha, s, beta), one per entry of ``T``."""
    r, alpha, s, beta = param_values(params, ("r", "alpha", "s", "beta"))
    big_t, holdout = _check_lengths(T, holdout)
    rng = np.random.default_rng(seed)
    n = len(big_t)
    rate = rng.gamma(r, 1.0 / alpha, n)
    death_rate = rng.gamma(s, 1.0 / beta, n)
    with np.errstate(divide="ignore", over="ignore"):  # a death rate that underflows to ~0: an endless lifetime
        lifetime = rng.standard_exponential(n) / death_rate
    return _simulate(rng, rate, big_t, holdout, spend, return_transactions, lifetime=lifetime)


def simulate_spend(params: ParamsLike, frequency: ArrayLike, *, seed: int = 0) -> FloatArray:
    """Mean repeat-transaction value m_x for customers with the given frequencies, from the Gamma-Gamma model.

    The mean of x values ``Gamma(p, rate nu)`` is ``Gamma(p x, rate nu x)``, so no per-transaction draws are
    needed. 0 where x = 0.
    """
    p, q, gamma = param_values(params, ("p", "q", "gamma"))
    x = as_float_array("frequency", frequency)
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1.0 / gamma, x.shape)
    repeat = x > 0
    shape = np.where(repeat, p * x, 1.0)
    draws = rng.gamma(shape, 1.0 / (nu * np.where(repeat, x, 1.0)))
    return np.where(repeat, draws, 0.0)


def _check_lengths(T: ArrayLike, holdout: float) -> tuple[FloatArray, float]:
    big_t = as_float_array("T", T)
    if big_t.ndim != 1 or (big_t < 0).any():
        raise ValueError("T must be a one-dimensional array of non-negative observation lengths")
    if not holdout >= 0:
        raise ValueError(f"holdout must be >= 0, got {holdout!r}")
    return big_t, float(holdout)


def _simulate(
    rng: np.random.Generator,
    rate: FloatArray,
    big_t: FloatArray,
    holdout: float,
    spend: ParamsLike | None,
    return_transactions: bool,
    *,
    max_purchases: IntArray | None = None,
    lifetime: FloatArray | None = None,
) -> SimulatedCustomers:
    n = len(big_t)
    horizon = big_t + holdout
    # Purchase opportunities of an immortal customer over (0, T + holdout]: a Poisson count at uniform times.
    count = rng.poisson(rate * horizon)
    owner = np.repeat(np.arange(n, dtype=np.int64), count)
    u = rng.random(len(owner))
    order = np.lexsort((u, owner))  # by customer, then time; owner is already sorted, so owner[order] == owner
    time = u[order] * horizon[owner]
    first_of_owner = np.cumsum(count) - count
    rank = np.arange(len(owner)) - first_of_owner[owner]  # 0 for a customer's first repeat purchase
    keep = np.ones(len(owner), dtype=bool)
    if max_purchases is not None:
        keep &= rank < max_purchases[owner]  # BG/NBD: gone after the Geometric(p)-th repeat purchase
    if lifetime is not None:
        keep &= time <= lifetime[owner]  # Pareto/NBD: gone at the end of the exponential lifetime
    owner, time = owner[keep], time[keep]

    if spend is not None:
        p, q, gamma = param_values(spend, ("p", "q", "gamma"))
        nu = rng.gamma(q, 1.0 / gamma, n)
        value = rng.gamma(p, 1.0, len(owner)) / nu[owner]
    else:
        value = np.zeros(len(owner))

    in_calibration = time <= big_t[owner]
    cal_owner = owner[in_calibration]
    frequency = np.bincount(cal_owner, minlength=n).astype(np.float64)
    recency = np.zeros(n)
    # Times are sorted within each customer, so the last calibration purchase ends its run of cal_owner.
    last = np.ones(len(cal_owner), dtype=bool)
    last[:-1] = cal_owner[1:] != cal_owner[:-1]
    recency[cal_owner[last]] = time[in_calibration][last]
    spent = np.bincount(cal_owner, weights=value[in_calibration], minlength=n).astype(np.float64, copy=False)
    monetary = np.divide(spent, frequency, out=np.zeros(n), where=frequency > 0)
    hold_owner = owner[~in_calibration]
    holdout_frequency = np.bincount(hold_owner, minlength=n).astype(np.float64)
    holdout_monetary = np.bincount(hold_owner, weights=value[~in_calibration], minlength=n).astype(
        np.float64, copy=False
    )

    if max_purchases is not None:
        alive = frequency < max_purchases  # still active unless the last calibration purchase was the final one
    else:
        assert lifetime is not None
        alive = lifetime > big_t
    transactions = Transactions(owner, time, value) if return_transactions else None
    return SimulatedCustomers(
        frequency, recency, big_t, monetary, holdout_frequency, holdout_monetary, alive, transactions
    )
