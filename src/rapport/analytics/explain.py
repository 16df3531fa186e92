"""The churn reasons of each customer: packed compactly by the run, worded when a page shows them.

A run packs each customer's top three causes as ``{"v": 1, "r": [[cause, weight, feature, value], ...],
"f": [facts...]}``: cause and feature as positions (in ``engine.reasons.CAUSES`` and in the run's feature list),
the facts the sentences quote in ``FACTS`` order. A million such strings are built by Arrow over whole columns
(under a second; formatting them one by one in Python took eight); wording them all would be a minute of Python,
and only a person looking at a customer needs the sentence, so ``worded`` builds it from the packed form on the
page.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rapport.analytics.engine import reasons as engine_reasons

FACTS = ("days_since_last", "gap_mean_days", "spend_trend", "basket_trend", "returns_count", "returns_share")
VERSION = 1


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits, as doubles whose shortest text is that rounding
    (dividing by an exact power of ten gives the double nearest the decimal; NaN and infinities pass through)."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(v)))
    decimals = np.where(np.isfinite(magnitude), digits - 1 - magnitude, 0.0)
    decimals = np.clip(decimals, -22, 22)  # 10**22 is the largest power of ten a double holds exactly
    up = decimals >= 0
    scale = 10.0 ** np.abs(decimals)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(up, np.round(v * scale) / scale, np.round(v / scale) * scale)


def _json_numbers(values: np.ndarray, digits: int = 4) -> pa.Array:
    """JSON number texts (``null`` for NaN and infinities), ``digits`` significant digits, for a whole column.

    Arrow formats a column of doubles in C as the shortest text that reads back the same: a million customers'
    reasons take a fraction of a second this way, against seconds of ``format`` calls."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    text = pc.cast(pa.array(_significant(np.where(finite, v, 0.0), digits)), pa.string())
    return pc.if_else(pa.array(finite), text, pa.scalar("null"))


def _join(*parts: Any) -> pa.Array:
    """Element-wise concatenation of string columns and literals, the last part being the separator.

    (Not ``null_handling="skip"`` for optional parts: pyarrow 26 drops the rows whose parts are all null.)"""
    *columns, separator = parts
    return pc.binary_join_element_wise(*columns, separator)


def pack(result: Any, ids: np.ndarray, k: int = 3) -> list[str]:
    """One JSON text per customer of ``ids`` (sorted, as the churn result's customer ids)."""
    n = len(ids)
    empty = f'{{"v":{VERSION},"r":[],"f":[]}}'
    if len(result) == 0:
        return [empty] * n
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
        members = np.flatnonzero(mapping[:, c] > 0)
        if len(members):
            strongest[:, c] = members[np.argmax(contributions[:, members], axis=1)]
    features = np.asarray(result.features, dtype=np.float64)
    rows = np.arange(len(features))
    index, weight = top.index, top.weight
    chosen_feature = np.where(index >= 0, strongest[rows[:, None], np.maximum(index, 0)], -1)
    chosen_value = np.where(index >= 0, features[rows[:, None], np.maximum(chosen_feature, 0)], np.nan)
    entries = []  # each ",[cause,weight,feature,value]", or "" where the customer has no such reason
    for j in range(index.shape[1]):
        entry = _join(",[", pc.cast(pa.array(index[:, j].astype(np.int64)), pa.string()), ",",
                      pc.cast(pa.array(np.round(weight[:, j], 3)), pa.string()), ",",
                      pc.cast(pa.array(chosen_feature[:, j]), pa.string()), ",",
                      _json_numbers(chosen_value[:, j]), "]", "")
        entries.append(pc.if_else(pa.array(index[:, j] >= 0), entry, pa.scalar("")))
    facts = [_json_numbers(features[:, names.index(f)] if f in names else np.full(len(features), np.nan))
             for f in FACTS]
    reasons = pc.utf8_slice_codeunits(_join(*entries, ""), 1) if entries else pa.array([""] * len(features))
    packed = _join(f'{{"v":{VERSION},"r":[', reasons, '],"f":[', _join(*facts, ","), "]}", "")
    texts: list[str] = packed.to_pylist()
    if len(result.customer_id) != n or not np.array_equal(result.customer_id, ids):
        other = np.asarray(result.customer_id)
        where = np.clip(np.searchsorted(other, ids), 0, max(len(other) - 1, 0))
        hit = other[where] == ids
        texts = [texts[w] if h else empty for w, h in zip(where.tolist(), hit.tolist(), strict=True)]
    return texts


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
