"""Precision and recall of the engine on a synthetic labelled set. No Django: the CLI, the quality test and
the benchmark all call :func:`evaluate`."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from rapport.dedupe.engine import find_duplicates
from rapport.dedupe.synthetic import generate

# The synthetic set writes Malaysian numbers without a country code, as a Malaysian front desk would.
SYNTHETIC_REGION = "MY"


def _joined(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> int:
    """True pairs whose records end up together when every found pair is merged (connected components)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b in found:
        parent[root(a)] = root(b)
    return sum(root(a) == root(b) for a, b in truth)


def evaluate(n: int = 10_000, *, threshold: float = 0.9, seed: int = 1, train: bool | None = None) -> dict[str, Any]:
    """Generate ``n`` records, find the duplicates, compare with the truth.

    Pairs are counted: a person entered three times makes three true pairs. ``missed`` and ``wrong`` count
    the kinds of duplicate that were missed, and the kinds of record behind false pairs, to guide tuning.
    """
    labelled = generate(n, seed=seed)
    start = time.perf_counter()
    result = find_duplicates(labelled.records, threshold=threshold, default_region=SYNTHETIC_REGION,
                             train=train, seed=seed)
    seconds = time.perf_counter() - start
    truth = labelled.true_pairs()
    found = {(p.id_l, p.id_r) for p in result.pairs}
    hits = len(found & truth)
    joined = _joined(found, truth)
    missed = Counter(
        labelled.kinds[b] if labelled.kinds[a] == "original" else labelled.kinds[a] for a, b in truth - found
    )
    wrong = Counter(
        "+".join(sorted((labelled.kinds[a].split("+")[0], labelled.kinds[b].split("+")[0])))
        for a, b in found - truth
    )
    return {
        "records": len(labelled.records),
        "true_pairs": len(truth),
        "found_pairs": len(found),
        "correct_pairs": hits,
        "precision": hits / len(found) if found else 1.0,
        "recall": hits / len(truth) if truth else 1.0,
        # Two records of one person that share nothing (one gave a phone, the other a birth date) cannot be
        # paired directly, but each pairs with the original: merging the queue joins them all.
        "recall_after_merging": joined / len(truth) if truth else 1.0,
        "threshold": threshold,
        "seconds": round(seconds, 2),
        "engine_seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "trained": result.parameters.trained,
        "missed": dict(missed.most_common(12)),
        "wrong": dict(wrong.most_common(8)),
    }
