"""Stored scores for the page and API tests: a done run with its figures, and per-customer scores.

Written straight through the ORM, as the scoring run writes them in bulk (there is no service to go through).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rapport.analytics.models import CustomerScore, HoldoutCheck, ScoreRun

# Figures over "all customers" that no single team's book could produce: a test can tell them apart.
STORED_CHARTS: dict[str, Any] = {
    "rfm_grid": {
        "counts": [[101, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 303, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 505]],
        "mean_monetary": [[10.0, 0, 0, 0, 0], [0] * 5, [0, 0, 30.5, 0, 0], [0] * 5, [0, 0, 0, 0, 99.25]],
    },
    "clv_histogram": {"edges": [0.0, 100.0, 200.0, 300.0], "counts": [700, 150, 59]},
    "matrix": {"counts": [[400, 100, 50], [100, 80, 40], [60, 50, 29]]},
    "rfm_segments": {"champions": 505, "hibernating": 101, "need_attention": 303},
    "value_segments": {"high_value_high_service": 209, "low_value_low_service": 700},
    "programmes": {"personal_call": 29, "standard": 880},
    "cohorts": {
        "labels": ["2024-01", "2024-02", "2024-03"], "sizes": [40, 30, 20],
        "retention": [[1.0, 0.25, 0.125], [1.0, 0.2, None], [1.0, None, None]],
    },
    "totals": {"customers": 909, "clv_sum": 123456.78, "actual_sum": 65432.1, "high_risk": 139,
               "high_value_high_risk": 29},
}

HOLDOUT_RESULT: dict[str, Any] = {
    "by_frequency": {
        "frequency": [0, 1, 2, 3, 4, 5, 6, 7], "customers": [500, 200, 90, 50, 30, 20, 10, 9],
        "actual": [0.1, 0.5, 0.9, 1.3, 1.8, 2.2, 2.5, 3.4],
        "predicted": {"bgnbd": [0.12, 0.48, 0.95, 1.2, 1.7, 2.3, 2.6, 3.1],
                      "pareto_nbd": [0.11, 0.5, 0.92, 1.25, 1.75, 2.25, 2.55, 3.2]},
    },
    "holdout": {"churn_auc": 0.781, "top_decile_lift": 2.64, "rfm_auc": 0.702},
}

REASONS: list[dict[str, Any]] = [
    {"code": "drifting_away", "weight": 0.9, "template": "drifting_away.overdue",
     "params": {"days": "120", "times": "4", "gap": "30"}},
    {"code": "unresolved_complaints", "weight": 0.4, "template": "unresolved_complaints", "params": {"count": "2"}},
]


def make_run(*, as_of: date = date(2025, 6, 30), status: str = "done", charts: dict[str, Any] | None = None,
             **kw: Any) -> ScoreRun:
    kw.setdefault("model_version", "btyd1-bgnbd+lightgbm-abc12345")
    kw.setdefault("settings", {"reporting_currency": "MYR", "horizon_days": 365})
    kw.setdefault("customers", STORED_CHARTS["totals"]["customers"] if charts is STORED_CHARTS else 0)
    return ScoreRun.objects.create(as_of=as_of, status=status, charts=charts if charts is not None else {}, **kw)


def make_score(run: ScoreRun, customer: Any, **kw: Any) -> CustomerScore:
    """A plausible score; pass the fields a test is about (bands, segment, clv, reasons...)."""
    values: dict[str, Any] = {
        "as_of": run.as_of, "frequency": 3, "recency": 20.0, "age": 52.0, "monetary": 80.0,
        "days_since_purchase": 120, "rfm_r": 2, "rfm_f": 3, "rfm_m": 4, "rfm_segment": "at_risk",
        "p_alive": 0.42, "expected_purchases": 1.25, "p_no_purchase": 0.6, "expected_spend": Decimal("75.00"),
        "clv": Decimal("250.00"), "actual_value": Decimal("120.00"), "churn_risk": 0.72, "risk_band": "high",
        "value_band": "high", "value_segment": "high_value_high_service", "programme": "personal_call",
        "loyalty": "passive", "reasons": REASONS,
    }
    values.update(kw)
    return CustomerScore.objects.create(run=run, customer=customer, **values)


def make_holdout(result: dict[str, Any] | None = None) -> HoldoutCheck:
    return HoldoutCheck.objects.create(
        calibration_end=date(2024, 12, 31), holdout_end=date(2025, 6, 30),
        result=result if result is not None else HOLDOUT_RESULT,
    )
