"""Opportunities: the list, the create form with its customer picker, the detail with inline edit and close."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.customers import search
from rapport.customers.models import Customer
from rapport.customers.selectors import customer_get, customer_list
from rapport.customers.services import StaleEditError
from rapport.sales.models import Opportunity, Stage
from rapport.sales.selectors import opportunity_get, opportunity_history, opportunity_list, pipeline_list
from rapport.sales.services import opportunity_create, opportunity_lose, opportunity_update, opportunity_win
from rapport.web.htmx import htmx_partial, htmx_refusal, with_toast
from rapport.web.types import AuthedRequest
from rapport.web.views.sales.common import (
    keyset_page,
    owner_choices,
    owner_filter,
    pipeline_choices,
    require_write,
    stage_choices,
)
from rapport.web.views.sales.forms import CloseForm, OpportunityEditForm, OpportunityFilterForm, OpportunityForm

OPPORTUNITY_SORTS = {"-created_at", "expected_close", "-expected_close", "-amount", "amount", "name"}
PICKER_ROWS = 8


@login_required
@require_GET
def opportunity_list_view(request: AuthedRequest) -> HttpResponse:
    pipelines = list(pipeline_list(user=request.user))
    form = OpportunityFilterForm(
        request.GET or None, pipelines=pipeline_choices(pipelines), stages=stage_choices(pipelines),
        owners=owner_choices(request.user),
    )
    rows = opportunity_list(user=request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # the valid filters still apply; the others show their error next to the field
    data = form.cleaned_data if form.is_bound else {}
    for name in ("status", "pipeline", "stage"):
        if data.get(name) not in (None, ""):
            rows = rows.filter(**{f"{name}_id" if name != "status" else name: data[name]})
    if data.get("owner"):
        rows = rows.filter(owner_id=owner_filter(data["owner"], request.user))
    sort = str(data["sort"]) if data.get("sort") in OPPORTUNITY_SORTS else "-created_at"
    page = keyset_page(rows, sort=sort, query=request.GET)
    return render(request, "web/sales/opportunity_list.html", {"nav": "sales", "form": form, "page": page},
                  status=status)


def _visible_customer(request: AuthedRequest, pk: Any) -> Customer | None:
    try:
        return customer_get(user=request.user, pk=pk)
    except Http404:
        return None


@login_required
@require_GET
def customer_picker_view(request: AuthedRequest) -> HttpResponse:
    """Search-as-you-type for the customer fields: radio buttons that set the form's customer id."""
    text = request.GET.get("customer_q", "").strip()[:200]
    customers: list[Customer] = []
    if text:
        customers = list(
            search.search(customer_list(user=request.user), text).order_by("display_name", "id")[:PICKER_ROWS]
        )
    return render(request, "web/sales/_customer_picker.html", {"customers": customers, "q": text})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create_view(request: AuthedRequest) -> HttpResponse:
    require_write(request)
    pipelines = list(pipeline_list(user=request.user))
    initial: dict[str, Any] = {}
    chosen = None
    if request.method == "GET" and request.GET.get("customer"):
        chosen = _visible_customer(request, request.GET["customer"])
        if chosen is not None:
            initial = {"customer": chosen.pk}
    form = OpportunityForm(request.POST or None, initial=initial, stages=stage_choices(pipelines))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            chosen = _visible_customer(request, data["customer"])
            stage = Stage.objects.filter(pk=data["stage"]).select_related("pipeline").first() if data["stage"] else None
            try:
                if chosen is None:
                    raise ValidationError({"customer": _("No such customer.")})
                opportunity = opportunity_create(
                    customer=chosen, name=data["name"], amount=data["amount"], currency=data["currency"],
                    stage=stage, probability=data["probability"], expected_close=data["expected_close"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The opportunity %(name)s is saved.") % {"name": opportunity.name})
                return redirect("web:opportunity-detail", pk=opportunity.pk)
        elif form.cleaned_data.get("customer"):
            chosen = _visible_customer(request, form.cleaned_data["customer"])
        return render(request, "web/sales/opportunity_form.html",
                      {"nav": "sales", "form": form, "chosen": chosen}, status=400)
    return render(request, "web/sales/opportunity_form.html", {"nav": "sales", "form": form, "chosen": chosen})


def _edit_form(opportunity: Opportunity) -> OpportunityEditForm:
    return OpportunityEditForm(initial={
        "name": opportunity.name, "amount": opportunity.amount, "currency": opportunity.currency,
        "probability": opportunity.probability, "expected_close": opportunity.expected_close,
        "version": opportunity.version,
    })


def _detail(request: AuthedRequest, opportunity: Opportunity, *, close_form: CloseForm | None = None,
            status: int = 200) -> HttpResponse:
    return render(request, "web/sales/opportunity_detail.html", {
        "nav": "sales", "o": opportunity, "history": opportunity_history(opportunity=opportunity),
        "close_form": close_form or CloseForm(initial={"version": opportunity.version}),
    }, status=status)


@login_required
@require_GET
def opportunity_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, opportunity_get(user=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The inline edit: GET swaps the summary for the form, POST saves and swaps the summary back.

    A stale version answers 409 with the form as typed and the message beside it, so nothing typed is lost.
    """
    opportunity = opportunity_get(user=request.user, pk=pk)
    if request.method == "GET":
        if request.GET.get("cancel"):
            return render(request, "web/sales/_opportunity_summary.html", {"o": opportunity})
        require_write(request)
        return render(request, "web/sales/_opportunity_edit.html", {"o": opportunity, "form": _edit_form(opportunity)})
    require_write(request)
    form = OpportunityEditForm(request.POST)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            opportunity = opportunity_update(opportunity=opportunity, data=data, expected_version=version,
                                             by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        except StaleEditError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            message = _("The opportunity is saved.")
            if not htmx_partial(request):
                messages.success(request, message)
                return redirect("web:opportunity-detail", pk=opportunity.pk)
            return with_toast(render(request, "web/sales/_opportunity_summary.html", {"o": opportunity}), message)
    if not htmx_partial(request):
        return render(request, "web/sales/opportunity_edit_page.html",
                      {"nav": "sales", "o": opportunity, "form": form}, status=status)
    response = render(request, "web/sales/_opportunity_edit.html", {"o": opportunity, "form": form}, status=status)
    if status == 409:
        refusal = htmx_refusal(str(form.non_field_errors()[0]), status)
        response["X-Rapport-Message"] = refusal["X-Rapport-Message"]
    return response


@login_required
@require_POST
def opportunity_close_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Won or lost, with the reason; stale when someone moved it since the page was opened."""
    opportunity = opportunity_get(user=request.user, pk=pk)
    require_write(request)
    form = CloseForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        close = opportunity_win if data["outcome"] == "won" else opportunity_lose
        try:
            opportunity = close(opportunity=opportunity, reason=data["reason"], expected_version=data["version"],
                                by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        except StaleEditError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(request, _("The opportunity is marked %(status)s.") % {
                "status": opportunity.get_status_display().lower()
            })
            return redirect("web:opportunity-detail", pk=opportunity.pk)
    return _detail(request, opportunity, close_form=form, status=status)
