"""The analytics dashboard's figures, for whoever is looking (a selector: reads only).

Someone who sees every customer gets the figures the run stored (``ScoreRun.charts``, computed over all
customers in the same pass as the scores: a page view aggregates nothing). Anyone else gets the same figures
computed now over the scores they may see (``selectors.current_scores``): a handful of GROUP BY queries over
their own book, so an agent never sees a count that includes another team's customers. Cohort retention is read
from the orders by the run and is not recomputed per person: it is left out of their figures.

Stored figures are old data by the time a page reads them: every value is checked and reshaped here, so a run
written by an older version, or a hand-edited row, gives zeros rather than an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, FloatField, QuerySet, Sum, Value
from django.db.models.functions import Cast, Floor, Greatest, Least

from rapport.analytics.choices import Band, RunStatus
from rapport.analytics.models import CustomerScore, ScoreRun
from rapport.analytics.selectors import current_run, current_scores, latest_holdout
from rapport.core.access import SCOPE_ALL, scope_of

BANDS: tuple[str, ...] = (Band.LOW, Band.MEDIUM, Band.HIGH)
HISTOGRAM_BINS = 20
# The histogram's last bin holds everything above this quantile: one very large customer would otherwise squeeze
# every other one into the first bin (the run's figures use the same rule).
HISTOGRAM_TOP_QUANTILE = 0.99


def dashboard_figures(user: Any) -> dict[str, Any]:
    """The dashboard's figures for ``user``, in the shape of ``ScoreRun.charts``, and what they are about.

    Keys: ``run`` (the current run, or None before the first one), ``latest_run`` (the newest run of any status
    when it is not the current one: running, failed or kept the previous scores; else None), ``holdout`` (the
    latest holdout check or None), ``currency`` (the reporting currency of the money figures), ``live`` (True
    when the figures were computed now over the user's own customers) and the figures: ``rfm_grid``,
    ``clv_histogram``, ``matrix``, ``rfm_segments``, ``value_segments``, ``programmes``, ``totals`` and
    ``cohorts`` (None when computed live or not stored).
    """
    latest = ScoreRun.objects.order_by("-id").first()
    run = latest if latest is not None and latest.status == RunStatus.DONE else current_run()
    live = scope_of(user) != SCOPE_ALL
    if run is None:
        figures = clean_charts({})
    elif live:
        figures = live_charts(current_scores(user=user))
    else:
        figures = clean_charts(run.charts)
    return {
        **figures,
        "run": run,
        "latest_run": latest if latest is not None and latest != run else None,
        "holdout": latest_holdout(),
        "currency": run_currency(run),
        "live": live,
    }


def run_currency(run: ScoreRun | None) -> str:
    """The currency a run's money figures are in: the reporting currency when it ran."""
    code = (run.settings.get("reporting_currency") if run is not None and isinstance(run.settings, dict) else None)
    if isinstance(code, str) and len(code) == 3 and code.isalpha():
        return code.upper()
    return str(settings.REPORTING_CURRENCY)


# --- computed now, over the user's own scores -------------------------------------------------------------


def live_charts(scores: QuerySet[CustomerScore]) -> dict[str, Any]:
    """The figures over ``scores`` (a user's visible scores of the current run) in four queries."""
    scores = scores.order_by()
    counts = [[0] * 5 for _ in range(5)]
    monetary = [[0.0] * 5 for _ in range(5)]
    for cell in scores.values("rfm_r", "rfm_f").annotate(n=Count("pk"), m=Avg("monetary")):
        r, f = cell["rfm_r"], cell["rfm_f"]
        if 1 <= r <= 5 and 1 <= f <= 5:
            counts[r - 1][f - 1] = cell["n"]
            monetary[r - 1][f - 1] = round(_float(cell["m"]), 2)

    matrix = [[0] * 3 for _ in range(3)]
    tallies: dict[str, dict[str, int]] = {"rfm_segment": {}, "value_segment": {}, "programme": {}}
    customers, clv_sum, actual_sum = 0, Decimal(0), Decimal(0)
    groups = scores.values("risk_band", "value_band", "rfm_segment", "value_segment", "programme").annotate(
        n=Count("pk"), clv=Sum("clv"), actual=Sum("actual_value")
    )
    # At most 3 x 3 x 10 x 5 x 9 groups, whatever the number of customers.
    for group in groups:
        n = group["n"]
        customers += n
        clv_sum += group["clv"] or 0
        actual_sum += group["actual"] or 0
        if group["risk_band"] in BANDS and group["value_band"] in BANDS:
            matrix[BANDS.index(group["risk_band"])][BANDS.index(group["value_band"])] += n
        for column, tally in tallies.items():
            tally[group[column]] = tally.get(group[column], 0) + n

    return {
        "rfm_grid": {"counts": counts, "mean_monetary": monetary},
        "clv_histogram": clv_histogram(scores, customers),
        "matrix": {"counts": matrix},
        "rfm_segments": tallies["rfm_segment"],
        "value_segments": tallies["value_segment"],
        "programmes": tallies["programme"],
        "cohorts": None,
        "totals": {
            "customers": customers, "clv_sum": round(float(clv_sum), 2), "actual_sum": round(float(actual_sum), 2),
            "high_risk": sum(matrix[2]), "high_value_high_risk": matrix[2][2],
        },
    }


def clv_histogram(scores: QuerySet[CustomerScore], count: int) -> dict[str, list[Any]]:
    """Twenty equal bins from 0 to the 99th percentile of the lifetime values, the last one open-ended.

    Two queries, both in the database: the value at the quantile (an ordered read at an offset), then the
    count per bin (GROUP BY the bin number). No row comes back to Python.
    """
    top = 0.0
    if count:
        position = int(HISTOGRAM_TOP_QUANTILE * (count - 1))
        found = list(scores.order_by("clv").values_list("clv", flat=True)[position : position + 1])
        top = _float(found[0]) if found else 0.0
    width = max(top, 1.0) / HISTOGRAM_BINS
    edges = [round(width * i, 2) for i in range(HISTOGRAM_BINS + 1)]
    bins = [0] * HISTOGRAM_BINS
    if count:
        number = Least(
            Greatest(Floor(Cast("clv", FloatField()) / Value(width)), Value(0.0)), Value(float(HISTOGRAM_BINS - 1))
        )
        for row in scores.annotate(bin=number).values("bin").annotate(n=Count("pk")):
            index = int(_float(row["bin"]))
            if 0 <= index < HISTOGRAM_BINS:
                bins[index] += row["n"]
    return {"edges": edges, "counts": bins}


# --- stored by the run: checked and reshaped ---------------------------------------------------------------


def clean_charts(charts: Any) -> dict[str, Any]:
    """``ScoreRun.charts`` in exactly the documented shape: missing or malformed parts become zeros or None."""
    charts = charts if isinstance(charts, Mapping) else {}
    grid = _mapping(charts.get("rfm_grid"))
    histogram = _mapping(charts.get("clv_histogram"))
    edges = [_float(e) for e in _list(histogram.get("edges"))]
    counts = [_int(c) for c in _list(histogram.get("counts"))]
    if len(edges) != len(counts) + 1:
        edges, counts = [], []
    totals = _mapping(charts.get("totals"))
    return {
        "rfm_grid": {
            "counts": _grid(grid.get("counts"), 5, _int), "mean_monetary": _grid(grid.get("mean_monetary"), 5, _float),
        },
        "clv_histogram": {"edges": edges, "counts": counts},
        "matrix": {"counts": _grid(_mapping(charts.get("matrix")).get("counts"), 3, _int)},
        "rfm_segments": _tally(charts.get("rfm_segments")),
        "value_segments": _tally(charts.get("value_segments")),
        "programmes": _tally(charts.get("programmes")),
        "cohorts": _cohorts(charts.get("cohorts")),
        "totals": {
            "customers": _int(totals.get("customers")), "clv_sum": _float(totals.get("clv_sum")),
            "actual_sum": _float(totals.get("actual_sum")), "high_risk": _int(totals.get("high_risk")),
            "high_value_high_risk": _int(totals.get("high_value_high_risk")),
        },
    }


def _cohorts(value: Any) -> dict[str, Any] | None:
    cohorts = _mapping(value)
    labels = [str(label) for label in _list(cohorts.get("labels"))]
    if not labels:
        return None
    sizes = [_int(s) for s in _list(cohorts.get("sizes"))]
    sizes = (sizes + [0] * len(labels))[: len(labels)]
    rows = _list(cohorts.get("retention"))
    retention = []
    for i in range(len(labels)):
        row = _list(rows[i]) if i < len(rows) else []
        retention.append([None if cell is None else min(max(_float(cell), 0.0), 1.0) for cell in row])
    return {"labels": labels, "sizes": sizes, "retention": retention}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _int(value: Any) -> int:
    return max(int(_float(value)), 0) if not isinstance(value, bool) else 0


def _grid(value: Any, size: int, cast: Any) -> list[list[Any]]:
    rows = _list(value)
    grid = []
    for i in range(size):
        row = _list(rows[i]) if i < len(rows) else []
        grid.append([cast(row[j]) if j < len(row) else cast(0) for j in range(size)])
    return grid


def _tally(value: Any) -> dict[str, int]:
    return {str(code): _int(n) for code, n in _mapping(value).items()}
