"""Evaluation metrics against hand-computed values and a brute-force count."""

from __future__ import annotations

import numpy as np
import pytest

from rapport.analytics.engine.metrics import (
    brier_score,
    capture_rate,
    holdout_report,
    lift_at,
    roc_auc,
    split_holdout,
    top_decile_lift,
)


def test_auc_by_hand() -> None:
    # Pairs (positive, negative): (0.35 > 0.1), (0.35 < 0.4), (0.8 > 0.1), (0.8 > 0.4): 3 of 4.
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert roc_auc(np.array([0, 1]), np.array([0.2, 0.9])) == 1.0
    assert roc_auc(np.array([1, 0]), np.array([0.2, 0.9])) == 0.0


def test_auc_counts_ties_as_half() -> None:
    assert roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == 0.5
    # Positive 0.5 ties one negative and beats the other: 1.5 of 2.
    assert roc_auc(np.array([0, 0, 1]), np.array([0.5, 0.1, 0.5])) == pytest.approx(0.75)


def test_auc_matches_a_brute_force_pair_count() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    score = np.round(rng.random(300), 1)  # plenty of ties
    pos, neg = score[y], score[~y]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert roc_auc(y, score) == pytest.approx(wins / (pos.size * neg.size))


def test_auc_is_none_with_one_class() -> None:
    assert roc_auc(np.array([1, 1, 1]), np.array([0.1, 0.2, 0.3])) is None
    assert roc_auc(np.zeros(4), np.arange(4.0)) is None
    assert roc_auc(np.zeros(0), np.zeros(0)) is None


def test_top_decile_lift_by_hand() -> None:
    y = np.zeros(20, dtype=bool)
    y[[0, 1, 5, 9]] = True  # base rate 0.2
    score = np.linspace(1, 0, 20)  # rows 0 and 1 score highest: the top tenth is all positive
    assert top_decile_lift(y, score) == pytest.approx(5.0)
    assert lift_at(y, score, 0.5) == pytest.approx((4 / 10) / 0.2)
    assert capture_rate(y, score, 0.1) == pytest.approx(0.5)


def test_lift_shares_tied_scores_at_the_cut() -> None:
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0], dtype=bool)
    assert top_decile_lift(y, np.ones(10)) == pytest.approx(1.0)  # a constant score is no better than chance
    # One place in the top tenth, three rows tied for it, one of them positive: 1/3 positive on average.
    score = np.array([0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    assert top_decile_lift(y, score) == pytest.approx((1 / 3) / 0.2)


def test_lift_is_none_without_positives_and_rejects_bad_input() -> None:
    assert top_decile_lift(np.zeros(10), np.arange(10.0)) is None
    with pytest.raises(ValueError):
        lift_at(np.ones(3), np.ones(3), 0.0)
    with pytest.raises(ValueError, match="NaN"):
        roc_auc(np.array([0, 1]), np.array([0.1, np.nan]))
    with pytest.raises(ValueError):
        roc_auc(np.array([0, 1]), np.array([0.1]))


def test_brier_score() -> None:
    assert brier_score(np.array([1, 0]), np.array([1.0, 0.0])) == 0.0
    assert brier_score(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(0.25)
    assert brier_score(np.zeros(0), np.zeros(0)) is None


def test_split_holdout_is_stratified_disjoint_and_seeded() -> None:
    y = np.array([1] * 10 + [0] * 90, dtype=bool)
    train, held = split_holdout(y, 0.2, seed=1)
    assert np.intersect1d(train, held).size == 0
    assert np.union1d(train, held).tolist() == list(range(100))
    assert y[held].sum() == 2 and held.size == 20
    again = split_holdout(y, 0.2, seed=1)
    assert again[1].tolist() == held.tolist()
    # A rare class still lands on both sides.
    rare = np.array([1, 1] + [0] * 50, dtype=bool)
    train, held = split_holdout(rare, 0.2, seed=0)
    assert rare[train].sum() == 1 and rare[held].sum() == 1


def test_holdout_report() -> None:
    y = np.array([0, 0, 1, 1])
    report = holdout_report(y, np.array([0.1, 0.4, 0.35, 0.8]))
    assert report.n == 4 and report.positives == 2 and report.base_rate == 0.5
    assert report.auc == pytest.approx(0.75)
    assert report.brier is not None and report.as_dict()["auc"] == report.auc
    assert holdout_report(y, np.array([1.0, 2.0, 3.0, 4.0])).brier is None  # not probabilities
