"""Evaluation metrics for scores against outcomes, and the helpers of a holdout check.

- ``roc_auc``: the probability that a random positive scores above a random negative (ties count one half),
  computed from average ranks (the Mann-Whitney U statistic), so it is exact with tied scores. ``None`` when
  one class is absent: the AUC is undefined there, and a made-up 0.5 would read as "no better than chance".
- ``lift_at`` / ``top_decile_lift``: the positive rate among the highest-scored fraction over the base rate.
  Scores tied at the cut are shared out pro rata (the expected value under a random order of the ties), so a
  constant score has a lift of exactly 1 and the result never depends on the input order.
- ``split_holdout``: a seeded, stratified train/held-out split.
- ``holdout_report``: the numbers above together, as the nightly scoring stores them next to a model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata


def _as_arrays(y_true: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).astype(bool).ravel()
    s = np.asarray(score, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"y_true has {y.size} values, score has {s.size}")
    if np.isnan(s).any():
        raise ValueError("score contains NaN")
    return y, s


def roc_auc(y_true: np.ndarray, score: np.ndarray) -> float | None:
    """Area under the ROC curve; ``None`` when there are no positives or no negatives."""
    y, s = _as_arrays(y_true, score)
    n_pos = int(np.count_nonzero(y))
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(s, method="average")
    u = float(ranks[y].sum()) - n_pos * (n_pos + 1) / 2.0
    return u / (n_pos * n_neg)


def lift_at(y_true: np.ndarray, score: np.ndarray, fraction: float) -> float | None:
    """Positive rate among the top ``fraction`` of scores divided by the overall positive rate; ``None`` when
    there is no positive (or no row)."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    y, s = _as_arrays(y_true, score)
    n = y.size
    n_pos = int(np.count_nonzero(y))
    if n == 0 or n_pos == 0:
        return None
    k = max(1, math.ceil(fraction * n))
    # The k-th largest score is the cut; rows above it are in, rows tied with it share the remaining places.
    cut = np.partition(s, n - k)[n - k]
    above = s > cut
    tied = s == cut
    places = k - int(np.count_nonzero(above))
    positives = float(np.count_nonzero(y & above)) + places * float(np.count_nonzero(y & tied)) / np.count_nonzero(tied)
    return float((positives / k) / (n_pos / n))


def top_decile_lift(y_true: np.ndarray, score: np.ndarray) -> float | None:
    """Lift in the highest-scored tenth: 3.0 means three times as many positives there as on average."""
    return lift_at(y_true, score, 0.1)


def capture_rate(y_true: np.ndarray, score: np.ndarray, fraction: float) -> float | None:
    """Share of all positives found in the top ``fraction`` of scores (lift times fraction, capped at 1)."""
    lift = lift_at(y_true, score, fraction)
    if lift is None:
        return None
    k = max(1, math.ceil(fraction * np.asarray(y_true).size))
    return min(1.0, lift * k / np.asarray(y_true).size)


def brier_score(y_true: np.ndarray, probability: np.ndarray) -> float | None:
    """Mean squared difference between predicted probability and outcome (0 is perfect); ``None`` if empty."""
    y, p = _as_arrays(y_true, probability)
    if y.size == 0:
        return None
    return float(np.mean((p - y) ** 2))


def split_holdout(y_true: np.ndarray, fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Positions for training and for the held-out check, stratified by class so both keep the base rate (and the
    held-out part gets at least one of each class when the class has two or more members)."""
    if not 0 < fraction < 1:
        raise ValueError("fraction must be in (0, 1)")
    y = np.asarray(y_true).astype(bool).ravel()
    rng = np.random.default_rng(seed)
    train: list[np.ndarray] = []
    held: list[np.ndarray] = []
    for cls in (False, True):
        members = np.flatnonzero(y == cls)
        rng.shuffle(members)
        n_held = round(fraction * members.size)
        if members.size >= 2:
            n_held = min(max(n_held, 1), members.size - 1)
        held.append(members[:n_held])
        train.append(members[n_held:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held))


@dataclass(frozen=True)
class HoldoutReport:
    """How well scores ranked the outcomes on rows the model did not learn from."""

    n: int
    positives: int
    base_rate: float
    auc: float | None
    top_decile_lift: float | None
    brier: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "n": self.n,
            "positives": self.positives,
            "base_rate": self.base_rate,
            "auc": self.auc,
            "top_decile_lift": self.top_decile_lift,
            "brier": self.brier,
        }


def holdout_report(y_true: np.ndarray, score: np.ndarray) -> HoldoutReport:
    y, s = _as_arrays(y_true, score)
    positives = int(np.count_nonzero(y))
    in_unit_interval = bool(s.size) and float(s.min()) >= 0.0 and float(s.max()) <= 1.0
    return HoldoutReport(
        n=int(y.size),
        positives=positives,
        base_rate=positives / y.size if y.size else 0.0,
        auc=roc_auc(y, s),
        top_decile_lift=top_decile_lift(y, s),
        # A Brier score only means something for probabilities.
        brier=brier_score(y, s) if in_unit_interval else None,
    )
