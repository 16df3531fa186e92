"""From scores to groups a business acts on: bands, value segments, the risk x value programme, loyalty, stage.

Pure NumPy, vectorised over every customer. Codes are the stored values of ``rapport.analytics.choices``.

Value segments (the CRM literature's four groups, from actual value, potential value and service appetite):

====================  ==========================================================================
actual value high     service appetite high -> ``high_value_high_service``, else ``high_value_low_service``
actual value low      potential value high -> ``low_value_potential``;
                      else service appetite high -> ``low_value_high_service``;
                      else ``low_value_low_service`` (the remainder, served at the lowest cost)
====================  ==========================================================================

"High" actual value is the top ``value_share`` of customers by margin so far; "high" potential the same share
by predicted lifetime value; "high" service appetite is more service contacts per order than the median of
customers who have any.

The risk x value matrix (bands low / medium / high on each axis) assigns one programme per cell; high value
and high risk gets a personal call by the account manager within 48 hours, created as a task.

Lifecycle stage (for customers with at least one purchase):

* ``new``: first purchase within the churn window, no repeat yet;
* ``lost``: no purchase for longer than ``lost_days`` (default two years) or P(alive) below 5%;
* ``lapsed``: no purchase for longer than ``lapsed_days`` (default one year) and not lost;
* ``at_risk``: churn risk in the high band;
* ``won_back``: was lapsed or lost and bought again within the churn window;
* ``active``: everyone else.

Loyalty tells buying apart from staying: ``active`` when the last purchase is within the customer's own rhythm
(twice the mean gap, at least the churn window); ``passive`` when not buying for longer than that but still
there (P(alive) at least one half, or a contact of their own in the last 90 days); otherwise ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

BANDS = np.array(["low", "medium", "high"], dtype=object)
PROGRAMMES = np.array(
    [
        # value: low            medium              high          (rows: risk low, medium, high)
        ["standard", "cross_sell", "vip_care"],
        ["reminder", "nurture", "account_review"],
        ["win_back", "retention_offer", "personal_call"],
    ],
    dtype=object,
)


@dataclass(frozen=True)
class Thresholds:
    risk_medium: float = 0.35
    risk_high: float = 0.65
    value_share: float = 0.2  # the top fifth by value is "high"
    value_medium_share: float = 0.3  # the next three tenths are "medium"
    churn_window_days: int = 90
    lapsed_days: int = 365
    lost_days: int = 730


DEFAULT = Thresholds()


def risk_band(risk: NDArray[np.float64], t: Thresholds = DEFAULT) -> NDArray[np.int8]:
    """0 low, 1 medium, 2 high."""
    return (np.asarray(risk) >= t.risk_medium).astype(np.int8) + (np.asarray(risk) >= t.risk_high).astype(np.int8)


def _top_share(values: NDArray[np.float64], share: float) -> NDArray[np.bool_]:
    """True for the top ``share`` of customers by value (ties at the cut all in); False when nobody has value."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    cut = np.quantile(values, 1.0 - share)
    return (values >= cut) & (values > 0)


def value_band(
    potential: NDArray[np.float64], actual: NDArray[np.float64], t: Thresholds = DEFAULT
) -> NDArray[np.int8]:
    """0 low, 1 medium, 2 high, by the larger of the two value ranks (a customer is worth what they will be
    worth or what they have been worth, whichever is more)."""
    potential = np.asarray(potential, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    n = len(potential)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    rank = np.maximum(_percentile_rank(potential), _percentile_rank(actual))
    band = np.zeros(n, dtype=np.int8)
    band[rank >= 1.0 - t.value_share - t.value_medium_share] = 1
    band[rank >= 1.0 - t.value_share] = 2
    return band


def _percentile_rank(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Share of customers with a strictly smaller value (0 for the lowest; ties share the lower rank)."""
    order = np.sort(values)
    return np.searchsorted(order, values, side="left") / max(len(values), 1)


def value_segment(
    actual: NDArray[np.float64],
    potential: NDArray[np.float64],
    service_per_order: NDArray[np.float64],
    t: Thresholds = DEFAULT,
) -> NDArray[np.object_]:
    actual_high = _top_share(actual, t.value_share)
    potential_high = _top_share(potential, t.value_share)
    service = np.asarray(service_per_order, dtype=np.float64)
    positive = service[service > 0]
    appetite_high = service > (np.median(positive) if len(positive) else np.inf)
    return np.where(
        actual_high,
        np.where(appetite_high, "high_value_high_service", "high_value_low_service"),
        np.where(
            potential_high,
            "low_value_potential",
            np.where(appetite_high, "low_value_high_service", "low_value_low_service"),
        ),
    ).astype(object)


def programme(risk_bands: NDArray[np.int8], value_bands: NDArray[np.int8]) -> NDArray[np.object_]:
    return PROGRAMMES[np.asarray(risk_bands, dtype=np.intp), np.asarray(value_bands, dtype=np.intp)]


def loyalty(
    days_since_purchase: NDArray[np.float64],
    gap_mean_days: NDArray[np.float64],
    p_alive: NDArray[np.float64],
    inbound_recent: NDArray[np.float64],
    t: Thresholds = DEFAULT,
) -> NDArray[np.object_]:
    rhythm = np.maximum(np.nan_to_num(2.0 * np.asarray(gap_mean_days, dtype=np.float64), nan=0.0), t.churn_window_days)
    buying = np.asarray(days_since_purchase) <= rhythm
    # Only the customer's own contacts count: a newsletter we sent says nothing about them staying.
    staying = (np.asarray(p_alive) >= 0.5) | (np.asarray(inbound_recent) > 0)
    return np.where(buying, "active", np.where(staying, "passive", "none")).astype(object)


def lifecycle_stage(
    current: NDArray[np.object_],
    frequency: NDArray[np.int64],
    age_days: NDArray[np.float64],
    days_since_purchase: NDArray[np.float64],
    p_alive: NDArray[np.float64],
    risk_bands: NDArray[np.int8],
    t: Thresholds = DEFAULT,
) -> NDArray[np.object_]:
    """The stage each scored customer belongs in now (see the module docstring for the rules)."""
    current = np.asarray(current, dtype=object)
    since = np.asarray(days_since_purchase, dtype=np.float64)
    lost = (since > t.lost_days) | (np.asarray(p_alive) < 0.05)
    lapsed = (since > t.lapsed_days) & ~lost
    recent = since <= t.churn_window_days
    was_gone = np.isin(current, ["lapsed", "lost", "won_back"])
    new = (np.asarray(age_days) <= t.churn_window_days) & (np.asarray(frequency) == 0)
    stage = np.full(len(current), "active", dtype=object)
    stage[np.asarray(risk_bands) == 2] = "at_risk"
    stage[was_gone & recent & ~new] = "won_back"
    # "won back" lasts while the customer keeps buying; then they are simply active again.
    stage[(current == "won_back") & recent] = "won_back"
    stage[lapsed] = "lapsed"
    stage[lost] = "lost"
    stage[new] = "new"
    return stage


def stage_reason(stage: str, days_since_purchase: float, risk: float, p_alive: float) -> str:
    """A short English record of why the stage moved (kept in the lifecycle history with the run's date)."""
    days = int(days_since_purchase)
    return {
        "new": "first purchase, no repeat yet",
        "lost": f"no purchase for {days} days; P(alive) {p_alive:.2f}",
        "lapsed": f"no purchase for {days} days",
        "at_risk": f"churn risk {risk:.2f}",
        "won_back": f"bought again after a lapse ({days} days ago)",
        "active": f"buying again; churn risk {risk:.2f}",
    }.get(stage, stage)
