"""The model's parameters and the Fellegi-Sunter score of one pair, in plain Python.

A run trains the parameters with Splink and stores them (``DedupeRun.parameters``); the create-time check
scores a handful of candidates with them here, without DuckDB. The score is the one Splink computes:
match weight = log2(prior odds) + the sum over comparisons of log2(m / u) for the level that fired.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapport.dedupe.comparisons import COMPARISONS, DEFAULT_PRIOR

# Keeps a level that was never observed from weighing infinitely for or against.
_FLOOR = 1e-7


@dataclass(frozen=True)
class Evidence:
    comparison: str  # "name", "email", ...
    level: str  # a level code, e.g. "name_swapped"
    weight: float  # log2(m / u): positive for, negative against

    def as_dict(self) -> dict[str, Any]:
        return {"comparison": self.comparison, "level": self.level, "weight": round(self.weight, 2)}


@dataclass
class Parameters:
    prior: float = DEFAULT_PRIOR
    # {comparison: {level code: (m, u)}}
    m_u: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    trained: bool = False

    @classmethod
    def defaults(cls) -> Parameters:
        return cls(
            prior=DEFAULT_PRIOR,
            m_u={c.name: {lv.code: (lv.m, lv.u) for lv in c.levels} for c in COMPARISONS},
            trained=False,
        )

    def m_and_u(self, comparison: str, level: str) -> tuple[float, float]:
        pair = self.m_u.get(comparison, {}).get(level)
        if pair is None:  # stored by an older model without this level
            spec = next(lv for c in COMPARISONS if c.name == comparison for lv in c.levels if lv.code == level)
            pair = (spec.m, spec.u)
        return pair

    def weight(self, comparison: str, level: str) -> float:
        m, u = self.m_and_u(comparison, level)
        return math.log2(max(m, _FLOOR) / max(u, _FLOOR))

    def as_json(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "trained": self.trained,
            "m_u": {c: {lv: [m, u] for lv, (m, u) in levels.items()} for c, levels in self.m_u.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Parameters:
        """Parameters stored by a run; the defaults for anything missing or malformed."""
        params = cls.defaults()
        if not data:
            return params
        try:
            prior = float(data.get("prior", DEFAULT_PRIOR))
            if 0 < prior < 1:
                params.prior = prior
            for comparison, levels in dict(data.get("m_u", {})).items():
                for level, (m, u) in dict(levels).items():
                    if comparison in params.m_u and level in params.m_u[comparison]:
                        params.m_u[comparison][level] = (float(m), float(u))
            params.trained = bool(data.get("trained", False))
        except (TypeError, ValueError):
            return cls.defaults()
        return params


# The household rule. People who live together share a surname, an address and the home phone; those
# agreements are correlated, so their weights add up past any threshold although each is fair on its own.
# A pair whose first names differ is therefore capped below "likely" unless something personal to one
# person agrees too: an e-mail address or the birth date.
HOUSEHOLD_CAP = 0.5
HOUSEHOLD_LEVEL = "household_rule"
_FIRST_NAMES_DIFFER = frozenset({"name_surname_only", "name_different"})
_PERSONAL = frozenset({"email_exact", "email_shared", "dob_exact", "dob_day_month_swapped", "dob_typo"})


def household_rule(evidence: list[Evidence] | tuple[Evidence, ...]) -> bool:
    levels = {e.level for e in evidence}
    return bool(levels & _FIRST_NAMES_DIFFER) and not levels & _PERSONAL


def apply_household_rule(probability: float, evidence: list[Evidence]) -> tuple[float, list[Evidence]]:
    if probability > HOUSEHOLD_CAP and household_rule(evidence):
        return HOUSEHOLD_CAP, [*evidence, Evidence("rule", HOUSEHOLD_LEVEL, 0.0)]
    return probability, evidence


def probability(match_weight: float) -> float:
    return 1.0 / (1.0 + 2.0 ** (-match_weight))


def prior_weight(prior: float) -> float:
    return math.log2(prior / (1 - prior))


def score(left: Mapping[str, Any], right: Mapping[str, Any], params: Parameters) -> tuple[float, list[Evidence]]:
    """Match probability and the evidence for two feature records (see ``features.features``)."""
    total = prior_weight(params.prior)
    evidence: list[Evidence] = []
    for comparison in COMPARISONS:
        level = comparison.level_of(dict(left), dict(right))
        if level is None:
            continue
        weight = params.weight(comparison.name, level.code)
        total += weight
        evidence.append(Evidence(comparison.name, level.code, weight))
    return apply_household_rule(probability(total), evidence)
