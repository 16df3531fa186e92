"""The churn reasons of each customer: packed compactly by the run, worded when a page shows them.

A run packs each customer's top three causes as ``{"v": 1, "r": [[cause, weight, feature, value], ...],
"f": [facts...]}``: cause and feature as positions (in ``engine.reasons.CAUSES`` and in the run's feature list),
the facts the sentences quote in ``FACTS`` order. Building a million such strings is one pass of string
formatting (about a second); wording them all would be a minute of Python, and only a person looking at a
customer needs the sentence, so ``worded`` builds it from the packed form on the page.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rapport.analytics.engine import reasons as engine_reasons

FACTS = ("days_since_last", "gap_mean_days", "spend_trend", "basket_trend", "returns_count", "returns_share")
VERSION = 1


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "null"
    return f"{value:.4g}"


def pack(result: Any, ids: np.ndarray, k: int = 3) -> list[str]:
    """One JSON text per customer of ``ids`` (sorted, as the churn result's customer ids)."""
    n = len(ids)
    if len(result) == 0:
        return ['{"v":1,"r":[],"f":[]}'] * n
    names = list(result.feature_names)
    top = engine_reasons.reasons_for(result, k=k)
    contributions = np.nan_to_num(np.asarray(result.contributions, dtype=np.float64))
    mapping = engine_reasons.cause_map(names)
    drift = engine_reasons.CAUSES.index("drifting_away")
    new = engine_reasons.CAUSES.index("new_customer_not_returning")
    mapping[:, new] = np.maximum(mapping[:, new], mapping[:, drift])  # a one-time buyer's drift evidence
    # The feature that speaks loudest for each cause, per customer.
    strongest = np.zeros((len(contributions), len(engine_reasons.CAUSES)), dtype=np.int64)
    for c in range(len(engine_reasons.CAUSES)):
        members = mapping[:, c] > 0
        if members.any():
            masked = np.where(members[None, :], contributions, -np.inf)
            strongest[:, c] = np.argmax(masked, axis=1)
    features = np.asarray(result.features, dtype=np.float64)
    fact_columns = [features[:, names.index(f)] if f in names else np.full(len(features), np.nan) for f in FACTS]
    facts = np.column_stack(fact_columns) if fact_columns else np.zeros((len(features), 0))
    index, weight = top.index, top.weight
    rows = np.arange(len(index))
    chosen_feature = np.where(index >= 0, strongest[rows[:, None], np.maximum(index, 0)], -1)
    chosen_value = np.where(index >= 0, features[rows[:, None], np.maximum(chosen_feature, 0)], np.nan)
    fact_text = [",".join(_number(v) for v in row) for row in facts.tolist()]
    packed: list[str] = []
    for i_row, w_row, f_row, v_row, f_text in zip(
        index.tolist(), weight.tolist(), chosen_feature.tolist(), chosen_value.tolist(), fact_text, strict=True
    ):
        parts = [
            f"[{c},{w:.3f},{f},{_number(v)}]"
            for c, w, f, v in zip(i_row, w_row, f_row, v_row, strict=True) if c >= 0
        ]
        packed.append(f'{{"v":{VERSION},"r":[{",".join(parts)}],"f":[{f_text}]}}')
    if len(result.customer_id) != n or not np.array_equal(result.customer_id, ids):
        position = {int(c): i for i, c in enumerate(result.customer_id.tolist())}
        packed = [packed[position[c]] if c in position else '{"v":1,"r":[],"f":[]}' for c in ids.tolist()]
    return packed


def worded(reasons: Any, feature_names: list[str], window_days: int = 90) -> list[dict[str, Any]]:
    """``[{"code", "weight", "template", "params"}]`` from a stored (packed) reasons value; [] when unreadable."""
    if not isinstance(reasons, dict) or reasons.get("v") != VERSION:
        return []
    facts = {name: (float(v) if isinstance(v, (int, float)) else math.nan)
             for name, v in zip(FACTS, reasons.get("f") or [], strict=False)}
    out: list[dict[str, Any]] = []
    for entry in reasons.get("r") or []:
        try:
            cause_index, weight, feature_index, value = entry
            code = engine_reasons.CAUSES[int(cause_index)]
        except (TypeError, ValueError, IndexError):
            continue
        feature = feature_names[int(feature_index)] if 0 <= int(feature_index) < len(feature_names) else None
        values = dict(facts)
        if feature is not None:
            values[feature] = float(value) if isinstance(value, (int, float)) else math.nan
        try:
            template, params = engine_reasons.wording(code, values, feature, window_days)
        except ValueError:
            continue
        out.append({"code": code, "weight": float(weight), "template": template, "params": params})
    return out


def reasons_of(score: Any) -> list[dict[str, Any]]:
    """A stored score's reasons as ``[{"code", "weight", "template", "params"}]``, whichever form is stored
    (packed by a run, or already worded)."""
    stored = score.reasons
    if isinstance(stored, list):
        return stored  # already worded (the wording copes with odd entries)
    run = getattr(score, "run", None)
    params = getattr(run, "params", None) or {}
    churn = params.get("churn") if isinstance(params, dict) else None
    names = churn.get("features") if isinstance(churn, dict) else None
    window = (getattr(run, "settings", None) or {}).get("churn_window_days", 90)
    return worded(stored, list(names) if isinstance(names, list) else [], int(window))
