"""Customer lifetime value over a horizon, from a transaction model (BG/NBD or Pareto/NBD) and an expected spend
per transaction (usually :func:`.gamma_gamma.conditional_expected_average_profit`), discounted by month.

For customer i, with ``E_i(t)`` the conditional expected number of repeat transactions in the next t periods
(a cumulative quantity), the value over H months is (Fader, Hardie & Lee 2005 "RFM and CLV", in the discrete
form of the ``lifetimes`` package)::

    CLV_i = spend_i * sum_{k=1..H} [E_i(k * m) - E_i((k-1) * m)] / (1 + d)^k

with m the periods per month (weeks by default: 365.25 / 12 / 7 = 4.35) and d the monthly discount rate: each
month's expected transactions are discounted to the as-of date from the month's end. The loop is over the H
months (a model call per year of months across all customers, which computes the parts that do not depend
on the horizon once), never over customers.

``MODELS`` maps a model name to its module; both modules expose the same functions (:class:`TransactionModel`),
so callers pick a model by name from configuration.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rapport.analytics.engine import bgnbd, pareto_nbd
from rapport.analytics.engine.fitting import FitResult, ParamsLike, as_float_array

FloatArray = NDArray[np.float64]

WEEKS_PER_MONTH = 365.25 / 12 / 7
# The loop is one model evaluation per month for every customer; ten years is plenty for a CRM forecast and
# keeps a nightly run of a million customers to seconds.
MAX_HORIZON_MONTHS = 120


class TransactionModel(Protocol):
    """What :mod:`.bgnbd` and :mod:`.pareto_nbd` both provide (a module satisfies it)."""

    PARAM_NAMES: tuple[str, ...]

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        weights: ArrayLike | None = None,
        compress_rows: bool = True,
        initial: ParamsLike | None = None,
        max_iterations: int = 1000,
    ) -> FitResult: ...

    def log_likelihood(
        self, params: ParamsLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray: ...

    def expected_transactions(self, params: ParamsLike, t: ArrayLike) -> FloatArray: ...

    def conditional_expected_transactions(
        self, params: ParamsLike, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray: ...

    def conditional_expected_transactions_over(
        self, params: ParamsLike, horizons: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray: ...

    def probability_alive(
        self, params: ParamsLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray: ...

    def probability_no_purchase(
        self, params: ParamsLike, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray: ...


MODELS: dict[str, TransactionModel] = {"bgnbd": bgnbd, "pareto_nbd": pareto_nbd}


def get_model(model: str | TransactionModel) -> TransactionModel:
    """The model registered under ``model`` (or ``model`` itself when it is already one)."""
    if not isinstance(model, str):
        return model
    try:
        return MODELS[model]
    except KeyError:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(sorted(MODELS))}") from None


def discounted_expected_transactions(
    model: str | TransactionModel,
    params: ParamsLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    periods_per_month: float = WEEKS_PER_MONTH,
) -> FloatArray:
    """``sum_k [E(k m) - E((k-1) m)] / (1 + d)^k``: each customer's expected repeat transactions over the
    horizon, each month's discounted. Multiply by the expected spend for the value (:func:`customer_lifetime_value`).
    """
    chosen = get_model(model)
    if not (isinstance(horizon_months, int) and 1 <= horizon_months <= MAX_HORIZON_MONTHS):
        raise ValueError(
            f"horizon_months must be a whole number from 1 to {MAX_HORIZON_MONTHS}, got {horizon_months!r}"
        )
    if not (np.isfinite(discount_rate) and discount_rate > -1.0):
        raise ValueError(f"discount_rate must be a number above -1 (0.01 is 1% a month), got {discount_rate!r}")
    if not (np.isfinite(periods_per_month) and periods_per_month > 0):
        raise ValueError(f"periods_per_month must be positive, got {periods_per_month!r}")
    total: FloatArray | None = None
    previous: FloatArray | float = 0.0
    # A year of month ends at a time: the model computes what does not depend on the horizon once per block.
    for first in range(1, horizon_months + 1, 12):
        months = np.arange(first, min(first + 12, horizon_months + 1))
        curve = chosen.conditional_expected_transactions_over(params, months * periods_per_month, frequency, recency, T)
        for month, cumulative in zip(months.tolist(), curve, strict=True):
            step = (cumulative - previous) / (1.0 + discount_rate) ** month
            total = step if total is None else total + step
            previous = cumulative
    assert total is not None
    return total


def customer_lifetime_value(
    model: str | TransactionModel,
    params: ParamsLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    expected_spend: ArrayLike,
    *,
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    periods_per_month: float = WEEKS_PER_MONTH,
) -> FloatArray:
    """Each customer's discounted value over ``horizon_months``: ``expected_spend`` (per transaction, a scalar or
    one per customer, e.g. from Gamma-Gamma) times :func:`discounted_expected_transactions`.

    ``discount_rate`` is per month (an annual 12% is about 0.0095). Multiply by a margin for profit.
    """
    spend = as_float_array("expected_spend", expected_spend)
    if (spend < 0).any():
        raise ValueError("expected_spend must be >= 0")
    transactions = discounted_expected_transactions(
        model,
        params,
        frequency,
        recency,
        T,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
        periods_per_month=periods_per_month,
    )
    return np.asarray(transactions * spend, dtype=np.float64)
