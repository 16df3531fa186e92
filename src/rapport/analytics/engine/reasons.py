"""Why a customer is at risk: the churn model's per-feature contributions, grouped into the causes of defection a
business recognises, the top three per customer, and a short sentence with the customer's own numbers.

Causes (codes stable, labels English; the Django layer translates both labels and sentence templates):

=============================  ===========================================================================
code                           features (exact names in ``FEATURE_CAUSES``, other names by ``CAUSE_KEYWORDS``)
=============================  ===========================================================================
drifting_away                  days since last purchase, overdue against own rhythm, rare or no incentives
unresolved_complaints          unresolved / open complaints or tickets
repeated_complaints            complaint counts
bad_experiences                low satisfaction, returns, refunds, service contacts
price_driven                   spend trend down, smaller baskets, competitor offers, price sensitivity
moved_away                     moved, relocated, life events
communication_failures         bounced or undeliverable contacts, no reachable channel, unanswered contacts
new_customer_not_returning     one-time buyers: the drifting-away evidence of a customer who bought once
=============================  ===========================================================================

Method. Contributions are log-odds (SHAP values from LightGBM). Per customer they are summed per cause (the
net of the cause's features, so a long gap that the customer's own slow rhythm explains away does not count),
and the causes with a positive sum are ranked, largest first; at most three are kept. Features that describe a
customer rather than a cause (spend level, tenure) belong to no cause and are never named. For one-time buyers
(``frequency == 0``) the drifting-away evidence is reported as ``new_customer_not_returning``: "has not come
back" is the actionable reading of a single purchase followed by silence.

``top_reasons`` does this for every customer at once (a matrix product and ``np.argpartition``: well under a second
for a million customers). ``explain`` words the reasons of the rows asked for, lazily: sentences are for the
pages a person looks at, not for a nightly batch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

CAUSES: tuple[str, ...] = (
    "drifting_away",
    "unresolved_complaints",
    "repeated_complaints",
    "bad_experiences",
    "price_driven",
    "moved_away",
    "communication_failures",
    "new_customer_not_returning",
)

CAUSE_LABELS: dict[str, str] = {
    "drifting_away": "Drifting away",
    "unresolved_complaints": "Unresolved complaints",
    "repeated_complaints": "Repeated complaints",
    "bad_experiences": "Bad experiences",
    "price_driven": "Price driven",
    "moved_away": "Moved away",
    "communication_failures": "Communication failures",
    "new_customer_not_returning": "New customer not returning",
}

# The one table from feature name to cause. ``None``: describes the customer, explains no defection.
FEATURE_CAUSES: dict[str, str | None] = {
    # From orders (churn.ORDER_FEATURES).
    "frequency": "drifting_away",
    "recency_days": "drifting_away",
    "days_since_last": "drifting_away",
    "gap_mean_days": "drifting_away",
    "gap_max_days": "drifting_away",
    "overdue_ratio": "drifting_away",
    "n_orders": "drifting_away",
    "days_since_first": None,
    "monetary": None,
    "total_spend": None,
    "spend_trend": "price_driven",
    "basket_trend": "price_driven",
    "returns_count": "bad_experiences",
    "returns_share": "bad_experiences",
    # Relationship features the Django layer passes.
    "unresolved_complaints": "unresolved_complaints",
    "unresolved_tickets": "unresolved_complaints",
    "open_complaints": "unresolved_complaints",
    "complaints": "repeated_complaints",
    "complaints_count": "repeated_complaints",
    "satisfaction_mean": "bad_experiences",
    "service_contacts": "bad_experiences",
    "moved_away": "moved_away",
    "competitor_offer": "price_driven",
    "bounced_contacts": "communication_failures",
    "unreachable": "communication_failures",
    "unanswered_contacts": "communication_failures",
    "tenure_days": None,
    "days_since_last_incentive": "drifting_away",
}

# For names not in the table: the first matching pattern decides (order matters: "competitor_offer" is price,
# not an incentive; "unresolved_tickets" is unresolved before it is a ticket).
CAUSE_KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"unresolved|open_(complaint|ticket)|pending_(complaint|ticket)|overdue_ticket", "unresolved_complaints"),
    (r"complain", "repeated_complaints"),
    (r"moved|relocat|address_change|life_event", "moved_away"),
    (
        r"bounce|undeliver|unreach|unanswer|no_reachable|opt_?out|unsubscrib|^channel_|_channel",
        "communication_failures",
    ),
    (r"competitor|price|discount|coupon|trend|basket", "price_driven"),
    (r"satisf|nps|csat|rating|return|refund|service_contact|ticket|escalat", "bad_experiences"),
    (r"incentive|offer|promotion|days_since", "drifting_away"),
)
_KEYWORDS = tuple((re.compile(pattern), cause) for pattern, cause in CAUSE_KEYWORDS)

# A cause must push the log-odds up by at least this much to be named: about one point of risk around 50%.
# Below it lie the crumbs a model leaves on features that carry no signal.
MIN_WEIGHT = 0.05

_DRIFT = CAUSES.index("drifting_away")
_NEW = CAUSES.index("new_customer_not_returning")


def cause_of(feature: str) -> str | None:
    """The cause a feature is evidence for, or ``None``."""
    if feature in FEATURE_CAUSES:
        return FEATURE_CAUSES[feature]
    name = feature.lower()
    for pattern, cause in _KEYWORDS:
        if pattern.search(name):
            return cause
    return None


def cause_map(feature_names: Sequence[str]) -> np.ndarray:
    """0/1 matrix (features x causes): contributions @ map = contributions summed per cause."""
    mapping = np.zeros((len(feature_names), len(CAUSES)), dtype=np.float64)
    for i, name in enumerate(feature_names):
        cause = cause_of(name)
        if cause is not None:
            mapping[i, CAUSES.index(cause)] = 1.0
    return mapping


def cause_matrix(
    contributions: np.ndarray,
    feature_names: Sequence[str],
    frequency: np.ndarray | None = None,
    features: np.ndarray | None = None,
) -> np.ndarray:
    """Net contribution per cause (n x len(CAUSES)). For one-time buyers drifting away becomes
    new_customer_not_returning. With ``features``, a feature whose value is unknown (NaN) is no evidence: the model
    may well route "no spend trend" to higher risk, but "spending less" cannot be said of it."""
    contributions = np.nan_to_num(np.asarray(contributions, dtype=np.float64))
    if contributions.ndim != 2 or contributions.shape[1] != len(feature_names):
        raise ValueError(f"contributions must be (n, {len(feature_names)})")
    if features is not None:
        contributions = np.where(np.isnan(features), 0.0, contributions)
    per_cause = contributions @ cause_map(feature_names)
    if frequency is not None:
        once = np.asarray(frequency) == 0
        per_cause[once, _NEW] += per_cause[once, _DRIFT]
        per_cause[once, _DRIFT] = 0.0
    return per_cause


@dataclass(frozen=True, eq=False)
class TopReasons:
    """Up to ``k`` causes per customer, largest first: positions in ``CAUSES`` (-1: none) and their weights."""

    index: np.ndarray  # int8 (n, k)
    weight: np.ndarray  # float64 (n, k), log-odds pushed up by the cause; 0 where index is -1

    def __len__(self) -> int:
        return int(self.index.shape[0])

    def codes(self, row: int) -> list[str]:
        return [CAUSES[i] for i in self.index[row] if i >= 0]

    def as_lists(self, rows: Iterable[int] | None = None) -> list[list[dict[str, Any]]]:
        """Codes and weights per customer as plain Python (for JSON or the database)."""
        chosen = range(len(self)) if rows is None else rows
        return [
            [
                {"code": CAUSES[i], "weight": float(w)}
                for i, w in zip(self.index[r], self.weight[r], strict=True)
                if i >= 0
            ]
            for r in chosen
        ]


def top_reasons(
    contributions: np.ndarray,
    feature_names: Sequence[str],
    frequency: np.ndarray | None = None,
    *,
    features: np.ndarray | None = None,
    k: int = 3,
    min_weight: float = MIN_WEIGHT,
) -> TopReasons:
    """The ``k`` causes pushing each customer's risk up the most (only causes with a net push above
    ``min_weight``)."""
    per_cause = cause_matrix(contributions, feature_names, frequency, features)
    n, c = per_cause.shape
    k = max(0, min(k, c))
    if n == 0 or k == 0:
        return TopReasons(np.full((n, k), -1, dtype=np.int8), np.zeros((n, k)))
    # argpartition finds the k largest per row in linear time; only those k are then sorted.
    part = np.argpartition(-per_cause, k - 1, axis=1)[:, :k] if k < c else np.tile(np.arange(c), (n, 1))
    part_weight = np.take_along_axis(per_cause, part, axis=1)
    order = np.argsort(-part_weight, axis=1, kind="stable")
    index = np.take_along_axis(part, order, axis=1)
    weight = np.take_along_axis(part_weight, order, axis=1)
    weak = weight <= min_weight
    index = np.where(weak, -1, index).astype(np.int8)
    weight = np.where(weak, 0.0, weight)
    return TopReasons(index, weight)


class Scored(Protocol):
    """What ``reasons_for`` and ``explain`` need from a churn result (``churn.ChurnResult`` has it)."""

    contributions: np.ndarray
    features: np.ndarray
    feature_names: tuple[str, ...]
    window_days: int


def _frequency(result: Scored) -> np.ndarray | None:
    if "frequency" in result.feature_names:
        return result.features[:, result.feature_names.index("frequency")]
    return None


def reasons_for(result: Scored, k: int = 3, min_weight: float = MIN_WEIGHT) -> TopReasons:
    """``top_reasons`` of every customer in a churn result."""
    return top_reasons(
        result.contributions,
        result.feature_names,
        _frequency(result),
        features=result.features,
        k=k,
        min_weight=min_weight,
    )


# Sentence templates, ``str.format`` style, one or more per cause; the Django layer translates the template and
# fills in the same parameters.
TEMPLATES: dict[str, str] = {
    "drifting_away.overdue": "No purchase for {days} days, about {times} times the usual gap of {gap} days.",
    "drifting_away.rhythm": "No purchase for {days} days; usually buys every {gap} days.",
    "drifting_away.plain": "No purchase for {days} days.",
    "new_customer_not_returning": "Bought once, {days} days ago, and has not come back.",
    "unresolved_complaints": "{count} unresolved complaint(s).",
    "repeated_complaints": "{count} complaint(s) so far.",
    "bad_experiences.satisfaction": "Low satisfaction: {value} on average.",
    "bad_experiences.returns": "{count} return(s), {share}% of what they bought.",
    "bad_experiences.plain": "Poor experiences with us ({feature}: {value}).",
    "price_driven.spend": "Spending down {percent}% in the last {window} days against the {window} days before.",
    "price_driven.basket": "Recent orders {percent}% smaller than usual.",
    "price_driven.competitor": "Has had an offer from a competitor.",
    "price_driven.plain": "Spending less than before.",
    "moved_away": "Has moved away or had a change in circumstances.",
    "communication_failures": "Hard to reach ({feature}: {value}).",
}


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "?"
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 or abs(value) >= 10 else f"{value:.1f}"


def _finite(values: dict[str, float], name: str) -> float | None:
    value = values.get(name)
    return value if value is not None and math.isfinite(value) else None


def wording(
    cause: str, values: dict[str, float], top_feature: str | None, window_days: int = 90
) -> tuple[str, dict[str, str]]:
    """The template id and its parameters for one cause of one customer."""
    days = _finite(values, "days_since_last")
    gap = _finite(values, "gap_mean_days")
    feature_value = _finite(values, top_feature) if top_feature else None
    if cause == "drifting_away":
        if days is None:
            return "drifting_away.plain", {"days": "?"}
        if gap and gap > 0:
            times = days / gap
            if times >= 1.5:
                return "drifting_away.overdue", {"days": _number(days), "times": f"{times:.0f}", "gap": _number(gap)}
            return "drifting_away.rhythm", {"days": _number(days), "gap": _number(gap)}
        return "drifting_away.plain", {"days": _number(days)}
    if cause == "new_customer_not_returning":
        return cause, {"days": _number(days) if days is not None else "?"}
    if cause in ("unresolved_complaints", "repeated_complaints"):
        return cause, {"count": _number(feature_value) if feature_value is not None else "?"}
    if cause == "bad_experiences":
        if top_feature and "satisf" in top_feature and feature_value is not None:
            return "bad_experiences.satisfaction", {"value": f"{feature_value:.1f}"}
        count = _finite(values, "returns_count")
        if top_feature and "return" in top_feature and count:
            share = _finite(values, "returns_share") or 0.0
            return "bad_experiences.returns", {"count": _number(count), "share": f"{100 * share:.0f}"}
        return "bad_experiences.plain", {
            "feature": (top_feature or "").replace("_", " "),
            "value": _number(feature_value) if feature_value is not None else "?",
        }
    if cause == "price_driven":
        trend = _finite(values, "spend_trend")
        basket = _finite(values, "basket_trend")
        if top_feature == "basket_trend" and basket is not None and basket < 0:
            return "price_driven.basket", {"percent": f"{-100 * basket:.0f}"}
        if top_feature and "competitor" in top_feature:
            return "price_driven.competitor", {}
        if trend is not None and trend < 0:
            # trend = (recent - prior) / (recent + prior), so recent / prior = (1 + t) / (1 - t).
            drop = 1 - (1 + trend) / (1 - trend)
            return "price_driven.spend", {"percent": f"{100 * drop:.0f}", "window": str(window_days)}
        if basket is not None and basket < 0:
            return "price_driven.basket", {"percent": f"{-100 * basket:.0f}"}
        return "price_driven.plain", {}
    if cause == "moved_away":
        return cause, {}
    if cause == "communication_failures":
        return cause, {
            "feature": (top_feature or "").replace("_", " "),
            "value": _number(feature_value) if feature_value is not None else "?",
        }
    raise ValueError(f"unknown cause {cause!r}")


def explain(
    result: Scored, rows: Iterable[int], k: int = 3, min_weight: float = MIN_WEIGHT
) -> list[list[dict[str, Any]]]:
    """Worded reasons for the given rows of a churn result: per row a list of
    ``{code, label, weight, template, params, sentence}``, largest first."""
    rows = list(rows)
    names = result.feature_names
    frequency = _frequency(result)
    mapping = cause_map(names)
    out: list[list[dict[str, Any]]] = []
    for row in rows:
        own = result.features[row : row + 1]
        contrib = np.where(np.isnan(own), 0.0, np.nan_to_num(result.contributions[row : row + 1]))
        freq = frequency[row : row + 1] if frequency is not None else None
        top = top_reasons(contrib, names, freq, k=k, min_weight=min_weight)
        values = {name: float(v) for name, v in zip(names, result.features[row], strict=True)}
        reasons: list[dict[str, Any]] = []
        for idx, weight in zip(top.index[0], top.weight[0], strict=True):
            if idx < 0:
                continue
            cause = CAUSES[idx]
            # The feature of this cause that pushed hardest, to quote its value.
            members = np.flatnonzero(mapping[:, _DRIFT if idx == _NEW else idx])
            top_feature = names[members[np.argmax(contrib[0, members])]] if members.size else None
            template, params = wording(cause, values, top_feature, result.window_days)
            reasons.append(
                {
                    "code": cause,
                    "label": CAUSE_LABELS[cause],
                    "weight": float(weight),
                    "template": template,
                    "params": params,
                    "sentence": TEMPLATES[template].format(**params),
                }
            )
        out.append(reasons)
    return out
