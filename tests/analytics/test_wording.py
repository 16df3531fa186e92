"""Churn reasons as translated sentences: every template the engine writes has one, and old or odd stored
reasons fall back to the cause's label without raising."""

from __future__ import annotations

import pytest
from django.utils import translation

from rapport.analytics.choices import Cause
from rapport.analytics.engine.reasons import TEMPLATES
from rapport.analytics.wording import reason_sentence, reason_sentences

PARAMS = {"days": "120", "times": "4", "gap": "30", "count": "3", "value": "2.1", "share": "25", "percent": "40",
          "window": "90", "feature": "bounced contacts"}


def _reason(template: str, **params: str) -> dict:
    return {"code": template.split(".")[0], "weight": 0.5, "template": template, "params": params}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_engine_template_has_a_sentence_that_matches_the_engines_english(template):
    engine_text = TEMPLATES[template].format(**PARAMS).replace("(s)", "s")
    with translation.override("en"):
        sentence = reason_sentence(_reason(template, **PARAMS))
    assert sentence != dict(Cause.choices).get(template.split(".")[0])
    # The engine's English and ours say the same (ours with proper plurals and labelled features).
    if template not in ("bad_experiences.plain", "communication_failures"):
        assert sentence == engine_text


def test_it_fills_in_the_customers_numbers():
    with translation.override("en"):
        assert reason_sentence(_reason("drifting_away.overdue", days="120", times="4", gap="30")) == (
            "No purchase for 120 days, about 4 times the usual gap of 30 days."
        )
        assert reason_sentence(_reason("price_driven.spend", percent="35", window="90")) == (
            "Spending down 35% in the last 90 days against the 90 days before."
        )
        assert reason_sentence(_reason("communication_failures", feature="bounced contacts", value="2")) == (
            "Hard to reach (bounced messages: 2)."
        )
        assert reason_sentence(_reason("bad_experiences.plain", feature="odd_feature", value="7")) == (
            "Poor experiences with us (odd_feature: 7)."
        )


def test_counts_choose_the_plural_form():
    with translation.override("en"):
        assert reason_sentence(_reason("unresolved_complaints", count="1")) == "1 unresolved complaint."
        assert reason_sentence(_reason("unresolved_complaints", count="2")) == "2 unresolved complaints."
        assert reason_sentence(_reason("repeated_complaints", count="1,204")) == "1,204 complaints so far."
        assert reason_sentence(_reason("repeated_complaints", count="?")) == "? complaints so far."
        assert reason_sentence(_reason("bad_experiences.returns", count="1", share="10")) == (
            "1 return, 10% of what they bought."
        )


@pytest.mark.parametrize("reason, expected", [
    ({"code": "moved_away", "template": "moved_away.v2", "params": {}}, "Life changes (moved away)"),
    ({"code": "drifting_away", "template": "drifting_away.overdue", "params": {"days": "9"}},
     "Drifting away without an incentive"),
    ({"code": "drifting_away", "template": "drifting_away.plain", "params": None},
     "Drifting away without an incentive"),
    ({"code": "communication_failures", "template": "communication_failures", "params": {"feature": "", "value": "1"}},
     "Communication failures"),
    ({"code": "brand_new_cause", "template": "brand_new_cause"}, "brand_new_cause"),
    ({"template": "price_driven.plain"}, "Spending less than before."),
    ({}, "Another reason"),
    ("drifting_away", "Another reason"),
    (None, "Another reason"),
    ({"code": ["x"], "template": 5, "params": {"days": 3}}, "Another reason"),
])
def test_an_unknown_template_or_missing_parameter_falls_back_to_the_cause(reason, expected):
    with translation.override("en"):
        assert reason_sentence(reason) == expected


def test_a_parameter_with_a_percent_sign_or_placeholder_is_shown_as_it_is():
    with translation.override("en"):
        assert reason_sentence(_reason("drifting_away.plain", days="%(x)s %")) == "No purchase for %(x)s % days."


def test_sentences_are_translated_when_a_catalogue_has_them():
    # Whatever the catalogue holds today, switching language never raises and keeps the numbers.
    for language in ("pl", "he", "fa", "ms", "id"):
        with translation.override(language):
            sentence = reason_sentence(_reason("drifting_away.overdue", days="120", times="4", gap="30"))
        assert "120" in sentence and "30" in sentence


def test_a_list_of_reasons_gives_a_sentence_each_in_order():
    with translation.override("en"):
        assert reason_sentences([_reason("price_driven.competitor"), _reason("moved_away")]) == [
            "Has had an offer from a competitor.", "Has moved away or had a change in circumstances.",
        ]
        assert reason_sentences("not a list") == [] and reason_sentences(None) == []
