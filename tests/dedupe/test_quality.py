"""Precision and recall on a synthetic set with known duplicates (docs/decisions/0010 has the 100k figures)."""

from __future__ import annotations

import pytest

from rapport.dedupe.evaluation import evaluate


@pytest.fixture(scope="module")
def measured():
    # Large enough to train the model (not the defaults), small enough to run in about ten seconds.
    return evaluate(4000, threshold=0.9, seed=11)


def test_the_model_is_trained_on_the_set(measured):
    assert measured["trained"]
    assert measured["true_pairs"] > 500


def test_precision_is_at_least_95_percent(measured):
    assert measured["precision"] >= 0.95, measured


def test_recall_is_at_least_95_percent(measured):
    assert measured["recall"] >= 0.95, measured
