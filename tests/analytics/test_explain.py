"""Packing every customer's churn reasons at once: valid JSON, the right causes and numbers, and the packed form
read back into worded reasons."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from rapport.analytics import explain
from rapport.analytics.engine.reasons import CAUSES

NAMES = ("frequency", "days_since_last", "gap_mean_days", "overdue_ratio", "spend_trend", "basket_trend",
         "returns_count", "returns_share", "total_spend")


@dataclass
class Result:
    """What ``pack`` reads from a churn result."""

    customer_id: np.ndarray
    contributions: np.ndarray
    features: np.ndarray
    feature_names: tuple[str, ...] = NAMES
    window_days: int = 90

    def __len__(self) -> int:
        return len(self.customer_id)


def _result() -> Result:
    features = np.array([
        # a repeat buyer drifting away and spending less
        [4, 200, 30.0, 6.67, -0.5, -0.2, 0, 0.0, 1234.5678],
        # a one-time buyer (no gap, no trend)
        [0, 400, np.nan, np.nan, np.nan, np.nan, 0, 0.0, 99.0],
        # nothing pushes the risk up
        [9, 3, 20.0, 0.15, 0.1, 0.0, 1, 0.02, 5000.0],
    ])
    contributions = np.zeros_like(features)
    contributions[0, NAMES.index("days_since_last")] = 2.0
    contributions[0, NAMES.index("spend_trend")] = 0.8
    contributions[1, NAMES.index("days_since_last")] = 1.5
    contributions[2, :] = -0.3
    return Result(np.array([10, 20, 30]), contributions, features)


def test_it_packs_every_customer_as_json_with_causes_weights_and_facts():
    packed = [json.loads(text) for text in explain.pack(_result(), np.array([10, 20, 30]))]

    first = packed[0]
    assert first["v"] == explain.VERSION
    assert [CAUSES[entry[0]] for entry in first["r"]] == ["drifting_away", "price_driven"]
    assert [entry[1] for entry in first["r"]] == [2.0, 0.8]
    assert NAMES[first["r"][0][2]] == "days_since_last" and first["r"][0][3] == 200
    assert NAMES[first["r"][1][2]] == "spend_trend" and first["r"][1][3] == -0.5
    # FACTS order: days since last, mean gap, spend trend, basket trend, returns, returns share.
    assert first["f"] == [200, 30, -0.5, -0.2, 0, 0]

    once = packed[1]
    assert [CAUSES[entry[0]] for entry in once["r"]] == ["new_customer_not_returning"]
    assert once["f"][1:4] == [None, None, None]  # unknown values are JSON null, never NaN

    assert packed[2]["r"] == []


def test_it_keeps_four_significant_digits():
    result = _result()
    result.features[0, NAMES.index("days_since_last")] = 123456.0
    result.features[0, NAMES.index("gap_mean_days")] = 0.000123456
    packed = json.loads(explain.pack(result, result.customer_id)[0])
    assert packed["r"][0][3] == 123500
    assert math.isclose(packed["f"][1], 0.0001235)


def test_customers_without_a_churn_result_get_empty_reasons_in_place():
    texts = explain.pack(_result(), np.array([5, 10, 25, 30]))
    assert [json.loads(t)["r"] != [] for t in texts] == [False, True, False, False]
    assert json.loads(texts[0]) == {"v": explain.VERSION, "r": [], "f": []}
    assert json.loads(texts[1]) == json.loads(explain.pack(_result(), np.array([10, 20, 30]))[0])


def test_packed_reasons_read_back_as_sentences_with_the_customers_numbers():
    packed = json.loads(explain.pack(_result(), np.array([10, 20, 30]))[0])
    worded = explain.worded(packed, list(NAMES))
    assert [r["code"] for r in worded] == ["drifting_away", "price_driven"]
    assert worded[0]["params"]["days"] == "200"
