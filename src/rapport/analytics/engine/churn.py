"""Churn risk: a LightGBM classifier trained on a time-shifted window, with per-customer contributions.

Training looks one window back. With ``window = window_days`` and ``cutoff = as_of - window``:

- features are computed as of the cutoff, from orders up to the cutoff (and the relationship features the
  caller measured at the cutoff);
- the label is 1 when the customer made no purchase in ``(cutoff, as_of]``: churned, as far as a shop without
  contracts can tell;
- the model is then applied to every customer with features as of ``as_of``: the risk is the probability of no
  purchase in the next window.

Customers enter the training set when their first purchase is on or before the cutoff, and are scored when it
is on or before the as-of date. Relationship features (complaints, unresolved tickets, satisfaction, contacts,
channel counts, tenure, moved-away flag, competitor offer...) are passed as a mapping of name -> array with a
``customer_id`` array to align them; customers missing from it get NaN, which LightGBM treats as "unknown". For
training they should be measured at the cutoff (``relationship_at_cutoff``); when only the current values are
given they are used for both, which leaks a little of the window into training (a complaint filed by someone
already leaving) and is noted in ``notes``.

LightGBM runs deterministically (fixed seed, ``deterministic=True``, ``force_col_wise=True``, threads from the
caller), with early stopping on a stratified held-out fifth of the training customers; the AUC on that fifth is
reported. Very large training sets are sampled down to ``max_train_rows`` (seeded): beyond a few hundred
thousand customers the model stops improving and only training time grows.

When there is nothing to learn from (fewer than ``min_train_rows`` training customers, or fewer than
``min_class_rows`` of either class) the risk falls back to a heuristic, and ``method`` says so. It reads how late
the customer is against their own rhythm: with ``overdue = days_since_last / expected_gap``, the log-odds of the
risk are ``2 * (overdue - 2)``: an even chance at two usual gaps of silence, 12% at one gap (on rhythm), 88% at
three, near certain beyond five. The expected gap is the customer's mean gap between purchase days, or for
one-time buyers the longer of the window and the median gap of the repeat buyers. Its contributions put those
log-odds (against an even chance, base value 0) on ``overdue_ratio`` (repeat buyers) or ``days_since_last``
(one-time buyers), so a customer above 50% still gets a reason that reads sensibly.

``risk`` is never NaN and always in [0, 1]. ``contributions`` are SHAP values in log-odds from
``Booster.predict(X, pred_contrib=True)``: per customer they add up, with ``base_value``, to the logit of the risk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import pyarrow as pa

from rapport.analytics.engine.metrics import HoldoutReport, holdout_report, split_holdout
from rapport.analytics.engine.summary import (
    ArrowOrders,
    DateLike,
    Summary,
    day_to_date,
    summarise,
    summarise_many,
    to_day,
)

ORDER_FEATURES: tuple[str, ...] = (
    "frequency",  # repeat purchase days
    "recency_days",  # first to last purchase day
    "days_since_first",  # first purchase to the as-of day: tenure as a buyer
    "days_since_last",
    "monetary",  # mean repeat-day spend
    "total_spend",
    "n_orders",
    "gap_mean_days",  # NaN for one-time buyers
    "gap_max_days",
    "overdue_ratio",  # days since last / mean gap: how late against the customer's own rhythm
    "spend_trend",  # (recent - prior) / (recent + prior) over two trend windows, in [-1, 1]; NaN if none recent
    "basket_trend",  # mean order value recently / mean order value overall - 1
    "returns_count",
    "returns_share",  # returned value / (spent + returned)
)

FALLBACK_METHOD = "heuristic"
MODEL_METHOD = "lightgbm"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def order_features(summary: Summary) -> np.ndarray:
    """The ``ORDER_FEATURES`` matrix (float64, one row per summary row); undefined ratios are NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        overdue = summary.days_since_last / summary.gap_mean
        both = summary.spend_recent + summary.spend_prior
        # Only for customers still buying: a fall to nothing is drifting away (days since last purchase says it),
        # not a customer trading down, and the reasons must not call it price.
        spend_trend = np.where(
            (both > 0) & (summary.orders_recent > 0), (summary.spend_recent - summary.spend_prior) / both, np.nan
        )
        mean_order = summary.total_spend / summary.n_orders
        recent_order = summary.spend_recent / summary.orders_recent
        basket_trend = np.where((summary.orders_recent > 0) & (mean_order > 0), recent_order / mean_order - 1.0, np.nan)
        gross = summary.total_spend + summary.returns_value
        returns_share = np.where(gross > 0, summary.returns_value / gross, 0.0)
    days_since_first = summary.T * summary.period_days
    columns = [
        summary.frequency,
        summary.recency * summary.period_days,
        days_since_first,
        summary.days_since_last,
        summary.monetary,
        summary.total_spend,
        summary.n_orders,
        summary.gap_mean,
        summary.gap_max,
        overdue,
        spend_trend,
        basket_trend,
        summary.n_returns,
        returns_share,
    ]
    if not len(summary):
        return np.zeros((0, len(ORDER_FEATURES)), dtype=np.float64)
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


def align(customer_id: np.ndarray, relationship: Mapping[str, np.ndarray] | None) -> tuple[list[str], np.ndarray]:
    """Relationship features as columns aligned on ``customer_id``; customers absent from the mapping get NaN."""
    if not relationship:
        return [], np.zeros((customer_id.shape[0], 0), dtype=np.float64)
    if "customer_id" not in relationship:
        raise ValueError("relationship features need a 'customer_id' array to align on")
    ids = np.asarray(relationship["customer_id"], dtype=np.int64)
    names = sorted(name for name in relationship if name != "customer_id")
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"feature name {name!r}: use letters, digits and underscores")
        if name in ORDER_FEATURES:
            raise ValueError(f"feature name {name!r} is computed from orders; pick another name")
        if np.asarray(relationship[name]).shape != ids.shape:
            raise ValueError(f"feature {name!r} has not one value per customer id")
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    if sorted_ids.size > 1 and (np.diff(sorted_ids) == 0).any():
        raise ValueError("relationship customer ids repeat")
    matrix = np.full((customer_id.shape[0], len(names)), np.nan, dtype=np.float64)
    if sorted_ids.size == 0:
        return names, matrix
    at = np.clip(np.searchsorted(sorted_ids, customer_id), 0, sorted_ids.size - 1)
    found = sorted_ids[at] == customer_id
    for j, name in enumerate(names):
        values = np.asarray(relationship[name], dtype=np.float64)[order]
        matrix[found, j] = values[at[found]]
    return names, matrix


@dataclass(frozen=True, eq=False)
class ChurnResult:
    """Risk per customer as of ``as_of`` with what explains it, and how the model was made and how well it did."""

    customer_id: np.ndarray  # int64, sorted
    risk: np.ndarray  # float64 in [0, 1], never NaN
    contributions: np.ndarray  # float64 (n, k), log-odds per feature; + base_value = logit(risk)
    base_value: float
    features: np.ndarray  # float64 (n, k): the customer's own values, for the reasons' wording
    feature_names: tuple[str, ...]
    method: str  # "lightgbm" or "heuristic"
    as_of: dt.date
    cutoff: dt.date
    window_days: int
    booster: lgb.Booster | None = None
    auc: float | None = None  # on the held-out training customers (heuristic: on all training customers)
    holdout: HoldoutReport | None = None
    n_train: int = 0
    n_valid: int = 0
    positive_rate: float | None = None  # share of training customers who churned in the window
    best_iteration: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.customer_id.shape[0])

    def model_string(self) -> str | None:
        """The model as LightGBM text, cut at the best iteration (the trees early stopping kept), for storage;
        ``lgb.Booster(model_str=...)`` reads it back."""
        if self.booster is None:
            return None
        return self.booster.model_to_string(num_iteration=self.best_iteration or None)

    @property
    def model_hash(self) -> str:
        """A short fingerprint of the trained model, stored with the scores as their model version."""
        text = self.model_string()
        if text is None:
            return f"{FALLBACK_METHOD}-v1"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def column(self, name: str) -> np.ndarray:
        """One feature's values for every scored customer."""
        return self.features[:, self.feature_names.index(name)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # tanh form: no overflow warnings for large |x|


# The heuristic's log-odds: HEURISTIC_SLOPE * (overdue - HEURISTIC_EVEN_AT), overdue in usual gaps.
HEURISTIC_SLOPE = 2.0
HEURISTIC_EVEN_AT = 2.0


def heuristic_risk(
    features: np.ndarray, names: tuple[str, ...], window_days: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Risk, contributions and base value from the customer's own rhythm (see the module docstring)."""
    n = features.shape[0]
    contributions = np.zeros((n, len(names)), dtype=np.float64)
    if n == 0:
        return np.zeros(0), contributions, 0.0
    days_since_last = features[:, names.index("days_since_last")]
    gap = features[:, names.index("gap_mean_days")]
    repeat = np.isfinite(gap) & (gap > 0)
    typical = float(np.median(gap[repeat])) if repeat.any() else float(window_days)
    expected = np.where(repeat, gap, max(float(window_days), typical))
    overdue = np.nan_to_num(np.maximum(days_since_last, 0) / expected, nan=0.0)
    logit = HEURISTIC_SLOPE * (np.minimum(overdue, 50.0) - HEURISTIC_EVEN_AT)
    risk = np.clip(_sigmoid(logit), 0.0, 1.0)
    # The reference is an even chance (log-odds 0), not the population's mean: with one customer, or a whole
    # population gone quiet, a risk of 0.9 must still be explained.
    base = 0.0
    deviation = logit - base
    contributions[repeat, names.index("overdue_ratio")] = deviation[repeat]
    contributions[~repeat, names.index("days_since_last")] = deviation[~repeat]
    return risk, contributions, base


def _params(seed: int, num_threads: int, n_train: int) -> dict[str, object]:
    return {
        "objective": "binary",
        "learning_rate": 0.1,
        # Small trees: churn signals are mostly main effects, and TreeSHAP time grows with leaves x depth squared.
        "num_leaves": 15,
        # Small shops have a few hundred customers: leaves of 100 would leave the trees nothing to split.
        "min_data_in_leaf": max(5, min(100, n_train // 100)),
        "lambda_l2": 1.0,
        "feature_fraction": 1.0,
        "bagging_fraction": 1.0,
        "seed": seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": num_threads,
        "verbosity": -1,
    }


def churn_risk(
    orders: ArrowOrders,
    as_of: DateLike,
    *,
    window_days: int = 90,
    relationship: Mapping[str, np.ndarray] | None = None,
    relationship_at_cutoff: Mapping[str, np.ndarray] | None = None,
    seed: int = 0,
    num_threads: int = 1,
    num_boost_round: int = 300,
    early_stopping_rounds: int = 30,
    valid_fraction: float = 0.2,
    max_train_rows: int | None = 250_000,
    min_train_rows: int = 100,
    min_class_rows: int = 10,
    period_days: int = 7,
    summaries: tuple[Summary, Summary] | None = None,
) -> ChurnResult:
    """Train on the window before ``as_of`` and score every customer as of ``as_of`` (see the module docstring).

    ``summaries`` are the orders' summaries at the cutoff and at ``as_of`` when the caller has them already (the
    scoring run summarises both in one pass for its own use); they must have been made with this window as
    ``trend_days``."""
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    if isinstance(orders, pa.RecordBatchReader):
        orders = orders.read_all()  # a reader can be read once; backtest reads the table again
    as_of_day = to_day(as_of)
    cutoff_day = as_of_day - window_days
    notes: list[str] = []
    if summaries is None:
        past, now = summarise_many(orders, [cutoff_day, as_of_day], period_days=period_days, trend_days=window_days)
    else:
        past, now = summaries
        if (past.as_of_day, now.as_of_day) != (cutoff_day, as_of_day) or {past.trend_days, now.trend_days} != {
            window_days
        }:
            raise ValueError("the summaries given are not at the cutoff and the as-of day of this window")
    if relationship_at_cutoff and not relationship:
        raise ValueError("relationship_at_cutoff needs the same features measured now, as relationship")
    if relationship and relationship_at_cutoff is None:
        relationship_at_cutoff = relationship
        notes.append("relationship features measured now were used for training too")

    extra_names, extra_now = align(now.customer_id, relationship)
    extra_past_names, extra_past = align(past.customer_id, relationship_at_cutoff)
    if extra_past_names != extra_names:
        raise ValueError("relationship and relationship_at_cutoff must have the same features")
    names = (*ORDER_FEATURES, *extra_names)
    x_now = np.hstack([order_features(now), extra_now])
    x_past = np.hstack([order_features(past), extra_past])

    # Label: no purchase in (cutoff, as_of]. Everyone in the past summary is in the current one too.
    at = np.searchsorted(now.customer_id, past.customer_id)
    y = (now.last_purchase.astype(np.int64)[at] <= cutoff_day) if len(past) else np.zeros(0, dtype=bool)
    positives = int(np.count_nonzero(y))
    negatives = int(y.size - positives)
    positive_rate = positives / y.size if y.size else None

    base: dict[str, Any] = {
        "customer_id": now.customer_id,
        "features": x_now,
        "feature_names": names,
        "as_of": day_to_date(as_of_day),
        "cutoff": day_to_date(cutoff_day),
        "window_days": window_days,
        "positive_rate": positive_rate,
    }
    if y.size < min_train_rows or min(positives, negatives) < min_class_rows:
        notes.append(
            f"too little to learn from ({y.size} customers at the cutoff, {positives} churned, "
            f"{negatives} stayed): heuristic risk from each customer's purchase rhythm"
        )
        risk, contributions, base_value = heuristic_risk(x_now, names, window_days)
        # The heuristic learns nothing, so how it would have ranked the training window is a fair check of it.
        report = holdout_report(y, heuristic_risk(x_past, names, window_days)[0]) if y.size else None
        return ChurnResult(
            risk=risk,
            contributions=contributions,
            base_value=base_value,
            method=FALLBACK_METHOD,
            auc=report.auc if report else None,
            holdout=report,
            n_valid=int(y.size),
            notes=tuple(notes),
            **base,
        )

    rows = np.arange(y.size)
    if max_train_rows is not None and y.size > max_train_rows:
        rows = np.sort(np.random.default_rng(seed).choice(y.size, size=max_train_rows, replace=False))
        notes.append(f"trained on a sample of {max_train_rows} of {y.size} customers")
    fit, held = split_holdout(y[rows], valid_fraction, seed)
    fit, held = rows[fit], rows[held]
    params = _params(seed, num_threads, fit.size)
    train_set = lgb.Dataset(
        x_past[fit],
        label=y[fit].astype(np.float64),
        feature_name=list(names),
        free_raw_data=True,
        params={"verbosity": -1},
    )
    valid_set = lgb.Dataset(x_past[held], label=y[held].astype(np.float64), reference=train_set)
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=num_boost_round,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(early_stopping_rounds, verbose=False)],
    )
    best = int(booster.best_iteration) or booster.current_iteration()
    held_score = np.asarray(booster.predict(x_past[held], num_iteration=best), dtype=np.float64)
    report = holdout_report(y[held], np.nan_to_num(held_score, nan=0.5))

    contributions, base_value, risk = score(booster, x_now, best, num_threads)
    return ChurnResult(
        risk=risk,
        contributions=contributions,
        base_value=base_value,
        method=MODEL_METHOD,
        booster=booster,
        auc=report.auc,
        holdout=report,
        n_train=int(fit.size),
        n_valid=int(held.size),
        best_iteration=best,
        notes=tuple(notes),
        **base,
    )


def score(
    booster: lgb.Booster, features: np.ndarray, num_iteration: int | None = None, num_threads: int = 1
) -> tuple[np.ndarray, float, np.ndarray]:
    """Contributions (n, k), the base value and the risk of each row. The risk is the sigmoid of the contributions'
    sum, so the two can never disagree."""
    k = features.shape[1]
    if features.shape[0] == 0:
        return np.zeros((0, k)), 0.0, np.zeros(0)
    features = np.ascontiguousarray(features, dtype=np.float64)
    if features.shape[0] <= DIRECT_CONTRIB_ROWS:
        contributions, bias = direct_contributions(booster, features, num_iteration, num_threads)
    else:
        contributions, bias = grouped_contributions(booster, features, num_iteration, num_threads)
    risk = np.clip(_sigmoid(contributions.sum(axis=1) + bias), 0.0, 1.0)
    return contributions, bias, risk


# Up to this many rows, LightGBM's own TreeSHAP is fast enough (about 50 microseconds a row for a hundred
# 15-leaf trees); beyond it ``grouped_contributions`` gives the same numbers 20-50 times faster.
DIRECT_CONTRIB_ROWS = 20_000
_ZERO = 1e-35  # LightGBM's kZeroThreshold


def direct_contributions(
    booster: lgb.Booster,
    features: np.ndarray,
    num_iteration: int | None = None,
    num_threads: int = 1,
    start_iteration: int = 0,
) -> tuple[np.ndarray, float]:
    """``Booster.predict(X, pred_contrib=True)`` split into the per-feature matrix and the (constant) bias."""
    k = features.shape[1]
    raw = np.asarray(
        booster.predict(
            features,
            start_iteration=start_iteration,
            num_iteration=num_iteration,
            pred_contrib=True,
            num_threads=num_threads,
        ),
        dtype=np.float64,
    )
    raw = np.nan_to_num(raw, nan=0.0, posinf=0.0, neginf=0.0)
    return np.ascontiguousarray(raw[:, :k]), float(raw[0, k])


def _goes_left(column: np.ndarray, nan: np.ndarray | None, node: Mapping[str, Any]) -> np.ndarray:
    """LightGBM's numerical decision (``Tree::NumericalDecision``) for a whole column; ``nan`` is the column's NaN
    mask, or None when it has no NaN."""
    missing = node["missing_type"]
    default_left = bool(node["default_left"])
    threshold = float(node["threshold"])
    if missing == "NaN":
        left = column <= threshold  # NaN compares False...
        if nan is not None and default_left:
            left |= nan  # ...and takes the default side
        return left
    value = column if nan is None else np.where(nan, 0.0, column)  # NaN counts as zero without a NaN branch
    if missing == "Zero":
        return np.where(np.abs(value) <= _ZERO, default_left, value <= threshold)
    return value <= threshold


def _internal_nodes(tree: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    nodes: list[Mapping[str, Any]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if "split_index" not in node:
            continue
        if node["decision_type"] != "<=":
            return None  # categorical split: not handled here
        nodes.append(node)
        stack.extend((node["left_child"], node["right_child"]))
    return nodes


def grouped_contributions(
    booster: lgb.Booster, features: np.ndarray, num_iteration: int | None = None, num_threads: int = 1
) -> tuple[np.ndarray, float]:
    """Exactly ``pred_contrib``, computed tree by tree on one representative row per group of rows that every split
    of the tree sends the same way.

    TreeSHAP values are a sum over trees, and one tree's values depend on a row only through the side it takes at
    each of the tree's splits. A 15-leaf tree has at most 2**14 such patterns and a million customers fall into a
    few hundred of them, so LightGBM computes a few hundred rows per tree instead of a million (its own TreeSHAP
    needs about a minute per 100,000 rows with a hundred such trees). The result is checked against the plain
    prediction: rows whose sum disagrees (a threshold the dump rounded differently, which has not been seen) are
    recomputed directly.
    """
    model = booster.dump_model(num_iteration=-1 if num_iteration is None else num_iteration)
    trees = model["tree_info"]
    plans = [_internal_nodes(tree["tree_structure"]) for tree in trees]
    if any(plan is None for plan in plans):
        return direct_contributions(booster, features, num_iteration, num_threads)
    columns = np.ascontiguousarray(features.T)
    nan_masks = [np.isnan(c) for c in columns]
    nans = [mask if mask.any() else None for mask in nan_masks]
    # Trees are independent: with more than one thread each takes a run of them (NumPy and LightGBM let go of the
    # GIL for the array work; measured 1.6x on two cores) and the partial sums are added at the end. Each thread
    # predicts with its own copy of the booster: a prediction sets the booster's start iteration, and two threads
    # starting at different trees on one booster race (LightGBM issue #6142).
    workers = max(1, min(num_threads, len(plans)))
    bounds = [len(plans) * i // workers for i in range(workers + 1)]
    text = booster.model_to_string(num_iteration=-1 if num_iteration is None else num_iteration) if workers > 1 else ""

    def part(w: int) -> tuple[np.ndarray, float]:
        chosen = range(bounds[w], bounds[w + 1])
        own = lgb.Booster(model_str=text) if workers > 1 else booster
        return _grouped_trees(own, features, columns, nans, plans, chosen, 1 if workers > 1 else num_threads)

    if workers == 1:
        results = [part(0)]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(part, range(workers)))
    by_feature = results[0][0]
    for other, _bias in results[1:]:
        by_feature += other
    bias = float(sum(b for _sums, b in results))
    contributions = np.ascontiguousarray(by_feature.T)
    raw = np.asarray(
        booster.predict(features, num_iteration=num_iteration, raw_score=True, num_threads=num_threads),
        dtype=np.float64,
    )
    wrong = np.flatnonzero(~np.isclose(contributions.sum(axis=1) + bias, raw, rtol=1e-9, atol=1e-7))
    if wrong.size:
        contributions[wrong], _ = direct_contributions(booster, features[wrong], num_iteration, num_threads)
    return contributions, bias


def _grouped_trees(
    booster: lgb.Booster,
    features: np.ndarray,
    columns: np.ndarray,
    nans: list[np.ndarray | None],
    plans: list[list[Mapping[str, Any]] | None],
    chosen: range,
    num_threads: int,
) -> tuple[np.ndarray, float]:
    """The contributions (feature-major, (k, n)) and bias of the trees in ``chosen`` (see grouped_contributions)."""
    k, n = columns.shape
    by_feature = np.zeros((k, n), dtype=np.float64)  # feature-major: one contiguous add per used feature
    bias = 0.0
    for t in chosen:
        nodes = plans[t]
        assert nodes is not None
        # One bit per split. A 15-leaf tree has 14 splits, so the key fits 16 bits: a quarter of the memory
        # traffic of int64 keys, and the bits are set by one multiply into a reused buffer (31 to 11 ms a tree
        # at a million rows).
        key: np.ndarray = np.zeros(n, dtype=np.uint16 if len(nodes) <= 16 else np.int64)
        step = np.empty_like(key)
        for bit, node in enumerate(nodes):
            f = node["split_feature"]
            np.multiply(_goes_left(columns[f], nans[f], node), key.dtype.type(1 << bit), out=step)
            np.bitwise_or(key, step, out=key)
        if len(nodes) <= 20:
            # Dense relabelling: O(n), no sort.
            present = np.zeros(1 << len(nodes), dtype=bool)
            present[key] = True
            label = np.cumsum(present) - 1
            inverse = label[key]
            representative = np.empty(int(present.sum()), dtype=np.int64)
            representative[inverse] = np.arange(n)
        else:
            _, representative, inverse = np.unique(key, return_index=True, return_inverse=True)
        shap, tree_bias = direct_contributions(booster, features[representative], 1, num_threads, start_iteration=t)
        bias += tree_bias
        per_feature = np.ascontiguousarray(shap.T)  # a contiguous row per feature: take() beats shap[inverse, j]
        for j in {int(node["split_feature"]) for node in nodes}:
            by_feature[j] += per_feature[j].take(inverse)
    return by_feature, bias


def backtest(
    orders: ArrowOrders,
    as_of: DateLike,
    *,
    window_days: int = 90,
    relationship_then: Mapping[str, np.ndarray] | None = None,
    relationship_before: Mapping[str, np.ndarray] | None = None,
    **options: Any,
) -> tuple[ChurnResult, HoldoutReport]:
    """How the model would have done: train and score as of ``as_of - window`` (relationship features measured then
    and one window earlier), and compare the risks with what happened in ``(as_of - window, as_of]``."""
    if isinstance(orders, pa.RecordBatchReader):
        orders = orders.read_all()
    as_of_day = to_day(as_of)
    then = as_of_day - window_days
    result = churn_risk(
        orders,
        then,
        window_days=window_days,
        relationship=relationship_then,
        relationship_at_cutoff=relationship_before,
        **options,
    )
    after = summarise(orders, as_of_day, trend_days=window_days)
    at = np.searchsorted(after.customer_id, result.customer_id)
    churned = after.last_purchase.astype(np.int64)[at] <= then if len(result) else np.zeros(0, dtype=bool)
    return result, holdout_report(churned, result.risk)
