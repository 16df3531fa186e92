"""``rapport analytics fit``: the models fitted on the history up to a calibration date, and, with a holdout
end, checked against what customers then did. How a user checks the models on their own data before trusting
them."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rapport.analytics import pipeline, readout
from rapport.analytics.engine import bgnbd, churn, metrics, pareto_nbd, rfm
from rapport.analytics.engine.summary import summarise, to_day
from rapport.analytics.relationship import relationship_features

COUNT_MODELS: dict[str, Any] = {"bgnbd": bgnbd, "pareto_nbd": pareto_nbd}
_KEYS = {"bgnbd": ("r", "alpha", "a", "b"), "pareto_nbd": ("r", "alpha", "s", "beta"),
         "gamma_gamma": ("p", "q", "gamma")}


def holdout_purchases(orders: pa.Table, ids: np.ndarray, start_day: int, end_day: int) -> np.ndarray:
    """Purchase days of each customer in (start_day, end_day] (same-day orders are one transaction)."""
    con = duckdb.connect()
    try:
        con.register("o", orders)
        found = con.sql(
            "SELECT customer_id, count(DISTINCT placed_at) AS n FROM o "
            "WHERE NOT is_return AND placed_at > DATE '1970-01-01' + CAST($start AS INTEGER) "
            "AND placed_at <= DATE '1970-01-01' + CAST($end AS INTEGER) GROUP BY 1",
            params={"start": int(start_day), "end": int(end_day)},
        ).fetchnumpy()
    finally:
        con.close()
    out = np.zeros(len(ids), dtype=np.float64)
    if len(found["customer_id"]):
        where = np.clip(np.searchsorted(ids, found["customer_id"]), 0, len(ids) - 1)
        hit = ids[where] == found["customer_id"]
        out[where[hit]] = found["n"][hit]
    return out


def fit_check(calibration_end: date, holdout_end: date | None, options: pipeline.Options) -> dict[str, Any]:
    orders = readout.orders(holdout_end or calibration_end)
    if orders.num_rows == 0:
        raise pipeline.ScoringError("there are no orders up to the calibration end: nothing to fit")
    summary = summarise(orders, calibration_end, period_days=options.period_days,
                        trend_days=options.churn_window_days)
    if len(summary.customer_id) == 0:
        raise pipeline.ScoringError("no customer made a purchase up to the calibration end: nothing to fit")
    fits = pipeline.fit_models(summary).result()
    report = pipeline.fit_report(fits)
    result: dict[str, Any] = {
        "calibration_end": calibration_end.isoformat(), "customers": len(summary.customer_id),
        "period_days": options.period_days,
        **{name: {**{k: report[name][k] for k in keys}, "log_likelihood": report[name]["log_likelihood"],
                  "converged": report[name]["converged"]}
           for name, keys in _KEYS.items()},
    }
    if holdout_end is None:
        return result
    if holdout_end <= calibration_end:
        raise ValueError("--holdout-end must be after --calibration-end")
    ids = summary.customer_id
    x, t_x, big_t = summary.frequency.astype(np.float64), summary.recency, summary.T
    start, end = to_day(calibration_end), to_day(holdout_end)
    horizon = (end - start) / options.period_days
    actual = holdout_purchases(orders, ids, start, end)
    churned = (actual == 0).astype(np.int8)
    predicted = {name: np.nan_to_num(m.conditional_expected_transactions(fits[name].params, horizon, x, t_x, big_t))
                 for name, m in COUNT_MODELS.items() if fits[name].converged}
    calibration = orders.filter(pc.less_equal(orders.column("placed_at"),
                                                      pa.scalar(calibration_end, pa.date32())))
    touch = readout.interactions(calibration_end)
    then = start - options.churn_window_days
    risk_result = churn.churn_risk(
        calibration, calibration_end, window_days=options.churn_window_days,
        relationship={"customer_id": ids, **relationship_features(touch, ids, start)},
        relationship_at_cutoff={"customer_id": ids, **relationship_features(touch, ids, then)},
        num_threads=options.threads, period_days=options.period_days,
    )
    risk = pipeline.aligned(ids, risk_result.customer_id, risk_result.risk, fill=0.5)
    scores = rfm.rfm_from_summary(summary)
    rfm_risk = -(scores.r.astype(np.float64) * 100 + scores.f * 10 + scores.m)
    model_auc: dict[str, Any] = {}
    for name, m in COUNT_MODELS.items():
        if not fits[name].converged:
            continue
        p = fits[name].params
        model_auc[name] = {
            "p_alive_auc": _round(metrics.roc_auc(churned, 1.0 - m.probability_alive(p, x, t_x, big_t))),
            "p_no_purchase_auc": _round(metrics.roc_auc(churned, m.probability_no_purchase(p, horizon, x, t_x, big_t))),
        }
    bucket = np.minimum(summary.frequency, 7)
    by_frequency: dict[str, Any] = {"frequency": list(range(8)), "customers": [], "actual": [],
                                    "predicted": {name: [] for name in predicted}}
    for k in range(8):
        chosen = bucket == k
        count = int(chosen.sum())
        by_frequency["customers"].append(count)
        by_frequency["actual"].append(_round(float(actual[chosen].mean())) if count else None)
        for name, values in predicted.items():
            by_frequency["predicted"][name].append(_round(float(values[chosen].mean())) if count else None)
    result["holdout"] = {
        "holdout_end": holdout_end.isoformat(), "periods": round(horizon, 3),
        "actual_repeat_transactions": int(actual.sum()),
        "predicted_repeat_transactions": {name: round(float(v.sum()), 1) for name, v in predicted.items()},
        "churned_share": _round(float(churned.mean())),
        "churn_auc": _round(metrics.roc_auc(churned, risk)),
        "top_decile_lift": _round(metrics.top_decile_lift(churned, risk)),
        "churn_method": risk_result.method,
        "rfm_auc": _round(metrics.roc_auc(churned, rfm_risk)),
        "models": model_auc,
    }
    result["by_frequency"] = by_frequency
    return result


def _round(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)
