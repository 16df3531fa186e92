"""The analytics dashboard: RFM grid, lifetime-value distribution, risk x value matrix, segments, the model's
holdout check and cohort retention.

The figures come from ``analytics.dashboard.dashboard_figures`` (stored by the run for those who see every
customer, computed over their own book for everyone else); this module only lays them out for the template.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rapport.analytics.choices import Band, Programme, RfmSegment, ValueSegment
from rapport.analytics.dashboard import BANDS, dashboard_figures
from rapport.analytics.models import HoldoutCheck
from rapport.web.templatetags.rapport import number
from rapport.web.types import AuthedRequest

# A cell shaded deeper than this gets light text (the contrast on the navy shade crosses over about there).
DARK_FROM = 0.6
HOLDOUT_MODELS = (("bgnbd", "BG/NBD"), ("pareto_nbd", "Pareto/NBD"))


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    """Six queries at most after the session and the user, whatever the number of customers."""
    figures = dashboard_figures(request.user)
    context: dict[str, Any] = {
        "nav": "analytics",
        "run": figures["run"],
        "latest_run": figures["latest_run"],
        "live": figures["live"],
        "currency": figures["currency"],
        "totals": figures["totals"],
    }
    if figures["run"] is not None:
        context.update({
            "rfm_rows": rfm_rows(figures["rfm_grid"]),
            "matrix_rows": matrix_rows(figures["matrix"]),
            "segment_groups": segment_groups(figures),
            "histogram": histogram(figures["clv_histogram"], figures["currency"]),
            "cohorts": cohort_table(figures["cohorts"]),
            "horizon_days": _horizon(figures["run"].settings),
        })
    context["holdout"] = holdout(figures["holdout"], show_counts=not figures["live"])
    context["chart_data"] = {
        "histogram": context["histogram"]["chart"] if "histogram" in context else None,
        "holdout": context["holdout"]["chart"] if context["holdout"] else None,
        "labels": {
            "customers": _("Customers"), "actual": _("Actual"), "bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD",
        },
    }
    return render(request, "web/analytics/dashboard.html", context)


def _shade(count: int, top: int) -> tuple[float, bool]:
    share = count / top if top > 0 else 0.0
    return share, share > DARK_FROM


def rfm_rows(grid: dict[str, Any]) -> list[dict[str, Any]]:
    """R from 5 (bought most recently) at the top down to 1; F from 1 to 5 left to right (right to left in RTL)."""
    counts, means = grid["counts"], grid["mean_monetary"]
    top = max((c for row in counts for c in row), default=0)
    rows = []
    for r in range(5, 0, -1):
        cells = []
        for f in range(1, 6):
            count = counts[r - 1][f - 1]
            share, dark = _shade(count, top)
            cells.append({"r": r, "f": f, "count": count, "mean": means[r - 1][f - 1], "heat": share, "dark": dark})
        rows.append({"r": r, "cells": cells})
    return rows


def matrix_rows(matrix: dict[str, Any]) -> list[dict[str, Any]]:
    """Risk high at the top (where action is needed), value low to high across."""
    counts = matrix["counts"]
    top = max((c for row in counts for c in row), default=0)
    labels = dict(Band.choices)
    rows = []
    for risk in reversed(BANDS):
        cells = []
        for value in BANDS:
            count = counts[BANDS.index(risk)][BANDS.index(value)]
            share, dark = _shade(count, top)
            cells.append({
                "value": value, "value_label": labels[value], "count": count, "heat": share, "dark": dark,
                "urgent": risk == Band.HIGH and value == Band.HIGH,
            })
        rows.append({"risk": risk, "risk_label": labels[risk], "cells": cells})
    return rows


def _segment_rows(tally: dict[str, int], choices: list[tuple[str, Any]], param: str) -> list[dict[str, Any]]:
    """Every known segment in its vocabulary's order (empty ones too: a zero is news), then unknown codes."""
    total = sum(tally.values())
    known = dict(choices)
    codes = [code for code, _label in choices] + sorted(code for code in tally if code not in known)
    return [
        {
            "code": code, "label": known.get(code, code), "count": tally.get(code, 0),
            "share": tally.get(code, 0) / total if total else 0.0,
            # Only known codes are offered as list filters (an unknown one would be refused there).
            "param": param if param and code in known else "",
        }
        for code in codes
    ]


def segment_groups(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": "rfm-segments", "title": _("RFM segments"),
         "rows": _segment_rows(figures["rfm_segments"], list(RfmSegment.choices), "rfm")},
        {"id": "value-segments", "title": _("Value segments"),
         "rows": _segment_rows(figures["value_segments"], list(ValueSegment.choices), "segment")},
        {"id": "programmes", "title": _("Programmes"),
         "rows": _segment_rows(figures["programmes"], list(Programme.choices), "")},
    ]


def histogram(data: dict[str, Any], currency: str) -> dict[str, Any]:
    edges, counts = data["edges"], data["counts"]
    whole = bool(edges) and edges[-1] >= 100
    rows, labels = [], []
    for i, count in enumerate(counts):
        low, high = edges[i], edges[i + 1]
        last = i == len(counts) - 1
        if whole:
            low, high = round(low), round(high)
        rows.append({"low": low, "high": high, "count": count, "last": last})
        labels.append(f"{number(low)}+" if last else f"{number(low)}\N{EN DASH}{number(high)}")
    return {
        "rows": rows, "currency": currency, "any": any(counts),
        "chart": {"labels": labels, "counts": counts, "currency": currency},
    }


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _series(value: Any, size: int) -> list[float | None]:
    items = _list(value)
    out: list[float | None] = []
    for i in range(size):
        try:
            number = float(items[i]) if i < len(items) and items[i] is not None else math.nan
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        # NaN and infinity have no JSON spelling: the chart's script would not parse them.
        out.append(round(number, 3) if math.isfinite(number) else None)
    return out


def holdout(check: HoldoutCheck | None, *, show_counts: bool) -> dict[str, Any] | None:
    """The latest holdout check: predicted and actual purchases by past purchases, and the fit measures.

    The number of customers per row counts every customer: shown only to those who see every customer.
    """
    if check is None:
        return None
    result = _dict(check.result)
    by = _dict(result.get("by_frequency"))
    frequency = _list(by.get("frequency"))
    size = min(len(frequency), 50)
    predicted = _dict(by.get("predicted"))
    models = [(key, name) for key, name in HOLDOUT_MODELS if isinstance(predicted.get(key), list)]
    actual = _series(by.get("actual"), size)
    series = {key: _series(predicted.get(key), size) for key, _name in models}
    customers = _series(by.get("customers"), size)
    rows, labels = [], []
    for i in range(size):
        label = str(frequency[i])[:12]
        if i == size - 1 and size > 1:
            label = f"{label}+"
        labels.append(label)
        rows.append({
            "label": label, "customers": customers[i], "actual": actual[i],
            "predicted": [series[key][i] for key, _name in models],
        })
    measures = _dict(result.get("holdout"))
    names = {
        "churn_auc": _("Churn risk AUC"), "top_decile_lift": _("Lift in the riskiest tenth"),
        "rfm_auc": _("RFM AUC (for comparison)"),
    }
    metrics = [{"label": label, "value": measures.get(key)} for key, label in names.items() if key in measures]
    return {
        "check": check, "rows": rows, "models": [name for _key, name in models], "metrics": metrics,
        "show_counts": show_counts,
        "chart": {"labels": labels, "actual": actual, "predicted": series} if rows else None,
    }


def cohort_table(cohorts: dict[str, Any] | None) -> dict[str, Any] | None:
    if not cohorts:
        return None
    width = max((len(row) for row in cohorts["retention"]), default=0)
    # Shaded against the best later month: month 0 is 100% by definition and would make the rest look pale.
    top = max((s for row in cohorts["retention"] for s in row[1:] if s is not None), default=0.0)
    rows = []
    for label, size, retention in zip(cohorts["labels"], cohorts["sizes"], cohorts["retention"], strict=True):
        cells = []
        for k in range(width):
            share = retention[k] if k < len(retention) else None
            heat = 0.0 if share is None or k == 0 or top <= 0 else min(share / top, 1.0)
            cells.append({"share": share, "heat": heat, "dark": heat > DARK_FROM})
        rows.append({"label": label, "size": size, "cells": cells})
    return {"months": list(range(width)), "rows": rows}


def _horizon(run_settings: Any) -> int | None:
    days = run_settings.get("horizon_days") if isinstance(run_settings, dict) else None
    return days if isinstance(days, int) and days > 0 else None

