"""The pipeline board (kanban) with its move endpoint, the forecast, and the home page's sales panel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rapport.core.access import can_write
from rapport.customers.services import StaleEditError
from rapport.sales.models import Stage
from rapport.sales.selectors import (
    board,
    board_totals,
    forecast,
    open_opportunities_by_stage,
    opportunity_get,
    pipeline_get,
    pipeline_list,
)
from rapport.sales.services import opportunity_move
from rapport.web.templatetags.rapport import capped, money
from rapport.web.types import AuthedRequest
from rapport.web.views.sales.common import pipeline_choices
from rapport.web.views.sales.forms import ForecastForm

MAX_VERSION = 2**31 - 1


def totals_text(totals: list[tuple[str, Decimal]]) -> str:
    return " · ".join(money(amount, currency) for currency, amount in totals) or "—"


@login_required
@require_GET
def board_view(request: AuthedRequest) -> HttpResponse:
    pipelines = list(pipeline_list(user=request.user))
    if not pipelines:
        return render(request, "web/sales/board.html", {"nav": "sales", "board": None, "pipelines": []})
    wanted = request.GET.get("pipeline", "")
    pipeline = next((p for p in pipelines if str(p.pk) == wanted), None)
    if wanted and pipeline is None:
        raise Http404("No such pipeline")
    the_board = board(user=request.user, pipeline=pipeline or pipelines[0])
    return render(request, "web/sales/board.html", {
        "nav": "sales", "board": the_board, "pipelines": pipelines, "can_write": can_write(request.user),
    })


def _wants_json(request: AuthedRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request: AuthedRequest, message: str, status: int, field: str | None, back: str) -> HttpResponse:
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"message": message, "field": field}, status=status)
        # Headers are Latin-1: the message travels percent-encoded, as app.js expects.
        response["X-Rapport-Message"] = quote(message)
        return response
    messages.error(request, message)
    return redirect(back)


@login_required
@require_POST
def move_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move a card: ``stage``, ``version`` and, for won or lost, ``reason``.

    Answers JSON to the board's script (the new version and every column's count and totals), or redirects
    back to the board for a plain form post. Refusals name the field: 409 ``version`` when stale,
    400 ``reason`` when a close has no reason, 403 for read-only roles, 404 for what the user may not see.
    """
    back = reverse("web:pipeline-board")
    try:
        opportunity = opportunity_get(user=request.user, pk=pk)
    except Http404:
        return _refuse(request, _("This opportunity does not exist or is not yours to see."), 404, None, back)
    back = f"{back}?pipeline={opportunity.pipeline_id}"
    if not can_write(request.user):
        return _refuse(request, _("Your role may read these records but not change them."), 403, None, back)
    raw_stage, raw_version = request.POST.get("stage", ""), request.POST.get("version", "")
    stage = Stage.objects.filter(pk=int(raw_stage)).first() if raw_stage.isdigit() and len(raw_stage) < 19 else None
    if stage is None:
        return _refuse(request, _("Choose a stage to move to."), 400, "stage", back)
    version = int(raw_version) if raw_version.isdigit() and len(raw_version) < 10 else None
    if version is None or not 1 <= version <= MAX_VERSION:
        return _refuse(request, _("The page is out of date. Reload it and try again."), 400, "version", back)
    try:
        moved = opportunity_move(opportunity=opportunity, stage=stage, expected_version=version, by=request.user,
                                 reason=request.POST.get("reason", "")[:1000])
    except StaleEditError as error:
        return _refuse(request, error.message, 409, "version", back)
    except ValidationError as error:
        field = next(iter(error.message_dict), None) if hasattr(error, "error_dict") else None
        return _refuse(request, " ".join(error.messages), 400, field, back)
    message = _("%(name)s moved to %(stage)s.") % {"name": moved.name, "stage": stage.name}
    if not _wants_json(request):
        messages.success(request, message)
        return redirect(back)
    pipeline = pipeline_get(user=request.user, pk=moved.pipeline_id)
    totals = board_totals(user=request.user, pipeline=pipeline, stages=list(pipeline.stages.all()))
    return JsonResponse({
        "id": moved.pk, "version": moved.version, "stage": moved.stage_id, "status": moved.status,
        "probability": moved.probability, "message": message,
        "columns": {
            str(stage_id): {"count": capped(count), "totals": totals_text(sums)}
            for stage_id, (count, sums) in totals.items()
        },
    })


@login_required
@require_GET
def forecast_view(request: AuthedRequest) -> HttpResponse:
    pipelines = list(pipeline_list(user=request.user))
    form = ForecastForm(request.GET or None, pipelines=pipeline_choices(pipelines))
    status = 200
    months, pipeline = 6, None
    if form.is_bound:
        if form.is_valid():
            months = form.cleaned_data.get("months") or 6
            chosen = form.cleaned_data.get("pipeline")
            pipeline = next((p for p in pipelines if p.pk == chosen), None)
        else:
            status = 400
    result = forecast(user=request.user, months=months, pipeline=pipeline)
    charts: list[dict[str, Any]] = [
        {
            "currency": row.currency,
            "labels": [m.isoformat()[:7] for m in result.months],
            "weighted": [str(cell[1]) for cell in row.cells(result.months)],
            "won": [str(cell[2]) for cell in row.cells(result.months)],
        }
        for row in result.rows
    ]
    return render(request, "web/sales/forecast.html", {
        "nav": "sales", "form": form, "forecast": result, "charts": charts,
        "chart_labels": {"weighted": _("Weighted pipeline"), "won": _("Won")},
    }, status=status)


@login_required
@require_GET
def home_panel_view(request: AuthedRequest) -> HttpResponse:
    """The "my open opportunities by stage" panel of the home page, which loads it with hx-get."""
    summaries = open_opportunities_by_stage(user=request.user)
    return render(request, "web/sales/_home_panel.html", {"summaries": summaries})
