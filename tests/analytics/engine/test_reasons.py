"""Reasons: features grouped into causes, the top three per customer, and their wording."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pytest

from rapport.analytics.engine.churn import ORDER_FEATURES
from rapport.analytics.engine.reasons import (
    CAUSE_LABELS,
    CAUSES,
    FEATURE_CAUSES,
    TEMPLATES,
    cause_matrix,
    cause_of,
    explain,
    reasons_for,
    top_reasons,
    wording,
)

NAMES = ("days_since_last", "overdue_ratio", "unresolved_tickets", "complaints", "spend_trend", "total_spend")


@dataclass
class Fake:
    """The parts of a churn result the reasons read."""

    contributions: np.ndarray
    features: np.ndarray
    feature_names: tuple[str, ...]
    window_days: int = 90


@pytest.mark.parametrize(
    ("feature", "cause"),
    [
        ("days_since_last", "drifting_away"),
        ("overdue_ratio", "drifting_away"),
        ("unresolved_tickets", "unresolved_complaints"),
        ("open_complaints_30d", "unresolved_complaints"),
        ("complaints_90d", "repeated_complaints"),
        ("satisfaction_mean", "bad_experiences"),
        ("nps_last", "bad_experiences"),
        ("returns_share", "bad_experiences"),
        ("spend_trend", "price_driven"),
        ("competitor_offer", "price_driven"),
        ("moved_away", "moved_away"),
        ("relocated_flag", "moved_away"),
        ("bounced_emails", "communication_failures"),
        ("channel_email", "communication_failures"),
        ("no_reachable_channel", "communication_failures"),
        ("days_since_last_offer", "drifting_away"),
        ("total_spend", None),
        ("tenure_days", None),
        ("shoe_size", None),
    ],
)
def test_features_map_to_causes(feature: str, cause: str | None) -> None:
    assert cause_of(feature) == cause


def test_every_cause_is_labelled_and_every_order_feature_is_mapped() -> None:
    assert set(CAUSE_LABELS) == set(CAUSES)
    assert all(re.fullmatch(r"[a-z_]+", code) for code in CAUSES)
    assert set(ORDER_FEATURES) <= set(FEATURE_CAUSES)
    assert {cause for cause in FEATURE_CAUSES.values() if cause} <= set(CAUSES)


def test_contributions_are_summed_per_cause_and_net() -> None:
    contributions = np.array([[0.5, -0.3, 0.0, 0.2, 0.1, 9.0]])
    per_cause = cause_matrix(contributions, NAMES)
    assert per_cause[0, CAUSES.index("drifting_away")] == pytest.approx(0.2)
    assert per_cause[0, CAUSES.index("repeated_complaints")] == pytest.approx(0.2)
    assert per_cause[0, CAUSES.index("price_driven")] == pytest.approx(0.1)
    assert per_cause.sum() == pytest.approx(0.5)  # total_spend is no cause


def test_the_top_three_push_risk_up_largest_first() -> None:
    contributions = np.array(
        [
            [1.0, 0.0, 2.0, 0.5, 0.3, 0.0],  # unresolved, drifting, repeated (price is fourth)
            [-1.0, 0.0, -0.2, 0.0, 0.4, 0.0],  # only price pushes up
            [0.0, 0.0, 0.0, 0.0, 0.01, 5.0],  # nothing named: below the minimum weight, and spend is no cause
        ]
    )
    top = top_reasons(contributions, NAMES)
    assert top.codes(0) == ["unresolved_complaints", "drifting_away", "repeated_complaints"]
    assert top.codes(1) == ["price_driven"]
    assert top.codes(2) == []
    assert top.index[1].tolist() == [CAUSES.index("price_driven"), -1, -1]
    assert top.weight[0].tolist() == pytest.approx([2.0, 1.0, 0.5])
    assert top.as_lists([1]) == [[{"code": "price_driven", "weight": pytest.approx(0.4)}]]


def test_one_time_buyers_are_new_customers_not_returning() -> None:
    contributions = np.array([[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]] * 2)
    top = top_reasons(contributions, NAMES, frequency=np.array([0, 3]))
    assert top.codes(0) == ["new_customer_not_returning"]
    assert top.codes(1) == ["drifting_away"]


def test_an_unknown_value_is_no_evidence() -> None:
    contributions = np.array([[0.0, 0.0, 0.0, 0.0, 0.8, 0.0]])
    features = np.array([[10.0, 1.0, 0.0, 0.0, np.nan, 100.0]])
    assert top_reasons(contributions, NAMES).codes(0) == ["price_driven"]
    assert top_reasons(contributions, NAMES, features=features).codes(0) == []


def test_top_reasons_is_vectorised_over_many_customers() -> None:
    rng = np.random.default_rng(0)
    contributions = rng.normal(size=(200_000, len(NAMES)))
    top = top_reasons(contributions, NAMES, frequency=rng.integers(0, 3, 200_000))
    assert top.index.shape == (200_000, 3) and top.index.dtype == np.int8
    weights = top.weight
    assert np.all(weights[:, :-1] >= weights[:, 1:])  # largest first
    # Spot-check a row against a plain per-row computation.
    per_cause = cause_matrix(contributions[:1], NAMES, np.array([rng.integers(0, 3, 200_000)[0]]))
    assert weights[0, 0] <= per_cause.max() + 1e-12


def names_and_values(**values: float) -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(values)
    return names, np.array([list(values.values())], dtype=np.float64)


def test_the_sentence_quotes_the_customers_own_numbers() -> None:
    names, features = names_and_values(
        frequency=4,
        days_since_last=214,
        gap_mean_days=70,
        overdue_ratio=214 / 70,
        unresolved_complaints=2,
        spend_trend=-0.5,
    )
    contributions = np.array([[0.2, 0.9, 0.0, 0.4, 2.0, 0.3]])
    worded = explain(Fake(contributions, features, names), [0])[0]
    assert [r["code"] for r in worded] == ["unresolved_complaints", "drifting_away", "price_driven"]
    sentences = [r["sentence"] for r in worded]
    assert sentences[0] == "2 unresolved complaint(s)."
    assert sentences[1] == "No purchase for 214 days, about 3 times the usual gap of 70 days."
    # trend -0.5: recent spend is a third of the prior window's, down 67%.
    assert sentences[2] == "Spending down 67% in the last 90 days against the 90 days before."
    assert worded[0]["label"] == "Unresolved complaints" and worded[0]["params"] == {"count": "2"}
    assert TEMPLATES[worded[1]["template"]].format(**worded[1]["params"]) == sentences[1]


@pytest.mark.parametrize(
    ("cause", "values", "feature", "sentence"),
    [
        (
            "new_customer_not_returning",
            {"days_since_last": 120.0},
            "days_since_last",
            "Bought once, 120 days ago, and has not come back.",
        ),
        (
            "drifting_away",
            {"days_since_last": 40.0, "gap_mean_days": 35.0},
            "days_since_last",
            "No purchase for 40 days; usually buys every 35 days.",
        ),
        ("drifting_away", {"days_since_last": 40.0}, "days_since_last", "No purchase for 40 days."),
        ("bad_experiences", {"satisfaction_mean": 2.25}, "satisfaction_mean", "Low satisfaction: 2.2 on average."),
        (
            "bad_experiences",
            {"returns_count": 3.0, "returns_share": 0.25},
            "returns_count",
            "3 return(s), 25% of what they bought.",
        ),
        ("price_driven", {"basket_trend": -0.3}, "basket_trend", "Recent orders 30% smaller than usual."),
        ("price_driven", {"competitor_offer": 1.0}, "competitor_offer", "Has had an offer from a competitor."),
        ("moved_away", {"moved_away": 1.0}, "moved_away", "Has moved away or had a change in circumstances."),
        ("communication_failures", {"bounced_emails": 2.0}, "bounced_emails", "Hard to reach (bounced emails: 2)."),
        ("repeated_complaints", {"complaints": 4.0}, "complaints", "4 complaint(s) so far."),
    ],
)
def test_wording_per_cause(cause: str, values: dict[str, float], feature: str, sentence: str) -> None:
    template, params = wording(cause, values, feature)
    assert TEMPLATES[template].format(**params) == sentence


def test_reasons_for_reads_frequency_and_features_from_the_result() -> None:
    names, features = names_and_values(frequency=0, days_since_last=300, spend_trend=np.nan)
    fake = Fake(np.array([[0.1, 2.0, 0.7]]), features, names)
    assert reasons_for(fake).codes(0) == ["new_customer_not_returning"]
    assert explain(fake, [0])[0][0]["sentence"] == "Bought once, 300 days ago, and has not come back."


def test_bad_shapes_are_rejected() -> None:
    with pytest.raises(ValueError):
        cause_matrix(np.zeros((2, 3)), NAMES)
