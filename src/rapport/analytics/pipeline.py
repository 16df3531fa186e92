"""One scoring of every customer, in arrays from end to end: read out, summarise, fit, score, group, explain.

No Django model is touched here except through ``readout`` (Arrow in); the result is a :class:`Scoring` of
column arrays that ``writeback`` stores. Every step is timed (the benchmark reports them).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from rapport.analytics import explain, readout
from rapport.analytics.engine import bgnbd, churn, clv, gamma_gamma, pareto_nbd, rfm, segments
from rapport.analytics.engine.fit_all import PendingFits, start_fits
from rapport.analytics.engine.fitting import FitResult
from rapport.analytics.engine.summary import Summary, summarise_many, to_day
from rapport.analytics.relationship import relationship_features

MODELS: dict[str, Any] = {"bgnbd": bgnbd, "pareto_nbd": pareto_nbd}
ENGINE_VERSION = "1"


class ScoringError(ValueError):
    """The data cannot be scored (no orders, the models did not converge): the previous scores stay."""


@dataclass
class Options:
    as_of: date
    period_days: int = 7
    horizon_days: int = 365
    annual_discount: float = 0.10
    churn_window_days: int = 90
    gross_margin: float = 0.30
    threads: int = 2
    thresholds: segments.Thresholds = field(default_factory=segments.Thresholds)


@dataclass
class Scoring:
    """Column arrays, one row per scored customer (sorted by customer id), and the run's figures."""

    options: Options
    columns: dict[str, np.ndarray]
    reasons: list[str]  # packed JSON per customer (see explain.py)
    params: dict[str, Any]
    charts: dict[str, Any]
    timings: dict[str, float]
    orders: int
    notes: list[str]
    model_version: str

    @property
    def customers(self) -> int:
        return len(self.columns["customer_id"])


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._last, 3)
        self._last = now


def fit_models(summary: Summary, cores: int = 1) -> PendingFits:
    """BG/NBD and Pareto/NBD on the purchase counts, Gamma-Gamma on the repeat spend (see ``engine.fit_all``):
    under way in a process of their own when ``cores`` allow, else done."""
    return start_fits(summary.frequency, summary.recency, summary.T, summary.monetary, cores=cores)


def fit_report(fits: dict[str, FitResult]) -> dict[str, Any]:
    return {
        name: {**{k: float(v) for k, v in f.params.items()}, "log_likelihood": float(f.log_likelihood),
               "converged": bool(f.converged), "iterations": int(f.iterations), "message": f.message}
        for name, f in fits.items()
    }


def primary_model(fits: dict[str, FitResult]) -> str:
    """The count model that explains the history better (both have four parameters: the likelihoods compare
    directly). BG/NBD's P(alive) is 1 for every one-time buyer, so it is never the churn score on its own:
    the churn risk comes from the classifier, which sees both models' views through the features."""
    usable = [n for n in ("bgnbd", "pareto_nbd") if fits[n].converged]
    if not usable:
        raise ScoringError("neither BG/NBD nor Pareto/NBD converged: " + "; ".join(
            f"{n}: {fits[n].message}" for n in ("bgnbd", "pareto_nbd")))
    return max(usable, key=lambda n: fits[n].log_likelihood)


def score(options: Options, progress: Callable[[str], None] | None = None) -> Scoring:
    clock = _Clock()
    say = progress or (lambda _step: None)
    say("reading orders")
    orders = readout.orders(options.as_of, parts=options.threads)
    clock.lap("read_out")
    if orders.num_rows == 0:
        raise ScoringError("there are no orders up to the as-of date: nothing to score")
    say("summarising")
    today, cutoff = to_day(options.as_of), to_day(options.as_of) - options.churn_window_days
    # Now and one churn window back (where the churn model trains) in one pass over the orders.
    summary, summary_then = summarise_many(orders, [today, cutoff], period_days=options.period_days,
                                           trend_days=options.churn_window_days)
    clock.lap("summarise")
    if len(summary.customer_id) == 0:
        raise ScoringError("no customer made a purchase up to the as-of date: nothing to score")
    # The maximum-likelihood fits run in a process of their own while the touchpoints are read and the churn model
    # trains, which need the summaries, not the fitted parameters.
    say("fitting the models; churn risk")
    fitting = fit_models(summary, cores=options.threads)
    clock.lap("fit_started")
    ids = summary.customer_id
    touch = readout.interactions(options.as_of, parts=options.threads)
    clock.lap("read_touchpoints")
    rel_now = relationship_features(touch, ids, today)
    rel_then = relationship_features(touch, ids, cutoff)
    risk_result = churn.churn_risk(
        orders, options.as_of, window_days=options.churn_window_days,
        relationship={"customer_id": ids, **rel_now}, relationship_at_cutoff={"customer_id": ids, **rel_then},
        num_threads=options.threads, period_days=options.period_days, summaries=(summary_then, summary),
    )
    clock.lap("churn")
    fits = fitting.result()
    clock.lap("wait_for_fit")
    risk = aligned(ids, risk_result.customer_id, risk_result.risk, fill=0.5)
    if not fits["gamma_gamma"].converged:
        raise ScoringError(f"the spend model (Gamma-Gamma) did not converge: {fits['gamma_gamma'].message}")
    primary = primary_model(fits)
    model = MODELS[primary]
    p = fits[primary].params
    say("scoring")
    x, t_x, big_t = summary.frequency.astype(np.float64), summary.recency, summary.T
    horizon = options.horizon_days / options.period_days
    window = options.churn_window_days / options.period_days
    expected = model.conditional_expected_transactions(p, horizon, x, t_x, big_t)
    p_alive = model.probability_alive(p, x, t_x, big_t)
    p_none = model.probability_no_purchase(p, window, x, t_x, big_t)
    spend = gamma_gamma.conditional_expected_average_profit(fits["gamma_gamma"].params, x, summary.monetary)
    months = max(1, round(options.horizon_days / (365.25 / 12)))
    monthly = (1.0 + options.annual_discount) ** (1.0 / 12.0) - 1.0
    value = clv.customer_lifetime_value(
        primary, p, x, t_x, big_t, spend, horizon_months=months, discount_rate=monthly,
        periods_per_month=(365.25 / 12) / options.period_days,
    ) * options.gross_margin
    net = np.maximum(summary.total_spend - summary.returns_value, 0.0)
    actual = net * options.gross_margin
    scores = rfm.rfm_from_summary(summary)
    clock.lap("models")
    say("grouping and explaining")
    t = options.thresholds
    risk_bands = segments.risk_band(risk, t)
    value_bands = segments.value_band(value, actual, t)
    per_order = rel_now["inbound_contacts"] / np.maximum(summary.n_orders, 1)
    columns: dict[str, np.ndarray] = {
        "customer_id": ids,
        "frequency": summary.frequency.astype(np.int64),
        "recency": _finite(t_x),
        "age": _finite(big_t),
        "monetary": _finite(summary.monetary),
        "days_since_purchase": np.maximum(summary.days_since_last, 0).astype(np.int64),
        "rfm_r": scores.r.astype(np.int64), "rfm_f": scores.f.astype(np.int64), "rfm_m": scores.m.astype(np.int64),
        "rfm_segment": scores.segment,
        "p_alive": _finite(p_alive, lo=0.0, hi=1.0),
        "expected_purchases": _finite(expected, lo=0.0),
        "p_no_purchase": _finite(p_none, lo=0.0, hi=1.0),
        "expected_spend": _finite(spend, lo=0.0),
        "clv": _finite(value, lo=0.0),
        "actual_value": _finite(actual, lo=0.0),
        "churn_risk": _finite(risk, lo=0.0, hi=1.0),
        "risk_band": segments.BANDS[risk_bands],
        "value_band": segments.BANDS[value_bands],
        "value_segment": segments.value_segment(actual, value, per_order, t),
        "programme": segments.programme(risk_bands, value_bands),
        "loyalty": segments.loyalty(summary.days_since_last, summary.gap_mean, p_alive,
                                    rel_now["inbound_90d"], t),
    }
    explained = explain.pack(risk_result, ids)
    clock.lap("groups_and_reasons")
    charts = _charts(columns, {"risk": risk_bands, "value": value_bands}, orders, options)
    clock.lap("charts")
    params: dict[str, Any] = {
        **fit_report(fits), "primary": primary,
        "churn": {
            "method": risk_result.method, "auc": risk_result.auc, "n_train": risk_result.n_train,
            "positive_rate": risk_result.positive_rate, "best_iteration": risk_result.best_iteration,
            "model_hash": risk_result.model_hash, "features": list(risk_result.feature_names),
        },
    }
    notes = list(risk_result.notes)
    if summary.skipped_future:
        notes.append(f"{summary.skipped_future} orders dated after the as-of date were left out")
    if summary.customers_without_purchase:
        notes.append(f"{summary.customers_without_purchase} customers have only returns and were not scored")
    if int(np.sum(summary.n_null_totals)):
        notes.append(f"{int(np.sum(summary.n_null_totals))} orders in a currency with no rate count without a value")
    version = f"btyd{ENGINE_VERSION}-{primary}+{risk_result.method}-{risk_result.model_hash[:8]}"
    return Scoring(options, columns, explained, params, charts, clock.timings, orders.num_rows, notes, version)


def _finite(values: Any, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """Never store NaN or infinity: a score that cannot be computed is stored as the nearest sane bound."""
    out = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=lo if lo is not None else 0.0,
                        posinf=hi if hi is not None else 0.0, neginf=lo if lo is not None else 0.0)
    if lo is not None or hi is not None:
        out = np.clip(out, lo, hi)
    return out


def aligned(ids: np.ndarray, other_ids: np.ndarray, values: np.ndarray, fill: float) -> np.ndarray:
    """``values`` (one per sorted ``other_ids``) placed on ``ids``; ``fill`` where a customer has none."""
    if len(other_ids) == len(ids) and np.array_equal(other_ids, ids):
        return np.asarray(values, dtype=np.float64)
    out = np.full(len(ids), fill, dtype=np.float64)
    where = np.searchsorted(other_ids, ids)
    where = np.minimum(where, max(len(other_ids) - 1, 0))
    hit = (other_ids[where] == ids) if len(other_ids) else np.zeros(len(ids), dtype=bool)
    out[hit] = np.asarray(values)[where[hit]]
    return out


def _charts(
    columns: dict[str, np.ndarray], band_index: dict[str, np.ndarray], orders: pa.Table, options: Options
) -> dict[str, Any]:
    """The dashboard's figures over every scored customer (stored on the run: a page view aggregates nothing)."""
    r = columns["rfm_r"] - 1
    f = columns["rfm_f"] - 1
    cell = r * 5 + f
    counts = np.bincount(cell, minlength=25)
    monetary_sum = np.bincount(cell, weights=columns["monetary"], minlength=25)
    mean_m = np.divide(monetary_sum, counts, out=np.zeros(25), where=counts > 0)
    risk, value = band_index["risk"].astype(np.int64), band_index["value"].astype(np.int64)
    matrix = np.bincount(risk * 3 + value, minlength=9).reshape(3, 3)
    clv_values = columns["clv"]
    top = float(np.quantile(clv_values, 0.99)) if len(clv_values) else 0.0
    edges = np.linspace(0.0, max(top, 1.0), 21)
    hist, _ = np.histogram(np.minimum(clv_values, edges[-1]), bins=edges)

    def tally(name: str) -> dict[str, int]:
        # Counting a million short strings in a dict is a tenth of sorting them (np.unique).
        return {str(code): n for code, n in sorted(Counter(columns[name].tolist()).items())}

    return {
        "rfm_grid": {
            "counts": counts.reshape(5, 5).tolist(), "mean_monetary": np.round(mean_m, 2).reshape(5, 5).tolist(),
        },
        "clv_histogram": {"edges": np.round(edges, 2).tolist(), "counts": hist.tolist()},
        "matrix": {"counts": matrix.tolist()},
        "rfm_segments": tally("rfm_segment"),
        "value_segments": tally("value_segment"),
        "programmes": tally("programme"),
        "cohorts": cohort_retention(orders),
        "totals": {
            "customers": len(r), "clv_sum": round(float(clv_values.sum()), 2),
            "actual_sum": round(float(columns["actual_value"].sum()), 2),
            "high_risk": int(matrix[2].sum()), "high_value_high_risk": int(matrix[2, 2]),
        },
    }


def cohort_retention(orders: pa.Table, months: int = 18) -> dict[str, Any]:
    """Share of each first-purchase-month cohort buying in each later month (the last ``months`` cohorts)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("o", orders)
        rows = con.execute(
            """
            WITH m AS (
                SELECT customer_id, date_trunc('month', placed_at) AS month
                FROM o WHERE NOT is_return GROUP BY 1, 2
            ), c AS (SELECT customer_id, min(month) AS cohort FROM m GROUP BY 1),
            recent AS (SELECT DISTINCT cohort FROM c ORDER BY cohort DESC LIMIT $months)
            SELECT c.cohort, datediff('month', c.cohort, m.month) AS k, count(*) AS n
            FROM m JOIN c USING (customer_id) WHERE c.cohort IN (SELECT cohort FROM recent)
            GROUP BY 1, 2 ORDER BY 1, 2
            """,
            {"months": months},
        ).fetchall()
    finally:
        con.close()
    cohorts = sorted({row[0] for row in rows})
    index = {c: i for i, c in enumerate(cohorts)}
    width = max((int(row[1]) for row in rows), default=-1) + 1
    # A month the cohort has lived through with no purchase is 0%; months still to come stay empty.
    last = max(cohorts) if cohorts else None
    lived = [(last.year - c.year) * 12 + last.month - c.month for c in cohorts] if last else []
    grid: list[list[float | None]] = [
        [0.0 if k <= lived[i] else None for k in range(width)] for i in range(len(cohorts))
    ]
    sizes = [0] * len(cohorts)
    for cohort, k, n in rows:
        if int(k) == 0:
            sizes[index[cohort]] = int(n)
    for cohort, k, n in rows:
        size = sizes[index[cohort]]
        if size:
            grid[index[cohort]][int(k)] = round(int(n) / size, 4)
    return {"labels": [c.strftime("%Y-%m") for c in cohorts], "sizes": sizes, "retention": grid}
