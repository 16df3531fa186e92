"""Leads: the list, the capture form, the detail with qualify, disqualify and convert."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.customers.models import Customer
from rapport.customers.selectors import customer_get
from rapport.customers.services import StaleEditError
from rapport.sales.choices import LeadStatus
from rapport.sales.models import Lead
from rapport.sales.selectors import lead_get, lead_list, pipeline_get, pipeline_list
from rapport.sales.services import lead_convert, lead_create, lead_disqualify, lead_qualify
from rapport.web.types import AuthedRequest
from rapport.web.views.sales.common import (
    keyset_page,
    owner_choices,
    owner_filter,
    pipeline_choices,
    require_write,
)
from rapport.web.views.sales.forms import ConvertForm, DisqualifyForm, LeadFilterForm, LeadForm

LEAD_SORTS = {"-created_at", "created_at", "display_name"}


@login_required
@require_GET
def lead_list_view(request: AuthedRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None, owners=owner_choices(request.user))
    rows = lead_list(user=request.user)
    sort = "-created_at"
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # the filters that were valid still apply; the others show their error
    data = form.cleaned_data if form.is_bound else {}
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("owner"):
        rows = rows.filter(owner_id=owner_filter(data["owner"], request.user))
    if data.get("sort") in LEAD_SORTS:
        sort = data["sort"]
    page = keyset_page(rows, sort=sort, query=request.GET)
    return render(request, "web/sales/lead_list.html", {"nav": "sales", "form": form, "page": page}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def lead_create_view(request: AuthedRequest) -> HttpResponse:
    require_write(request)
    form = LeadForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                lead = lead_create(owner=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The lead %(name)s is saved.") % {"name": lead.display_name})
                return redirect("web:lead-detail", pk=lead.pk)
        return render(request, "web/sales/lead_form.html", {"nav": "sales", "form": form}, status=400)
    return render(request, "web/sales/lead_form.html", {"nav": "sales", "form": form})


def _detail(request: AuthedRequest, lead: Lead, *, disqualify: DisqualifyForm | None = None,
            status: int = 200) -> HttpResponse:
    return render(request, "web/sales/lead_detail.html", {
        "nav": "sales", "lead": lead, "disqualify_form": disqualify or DisqualifyForm(),
        "can_convert": lead.status not in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED),
        "is_open": lead.status != LeadStatus.CONVERTED,
    }, status=status)


@login_required
@require_GET
def lead_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, lead_get(user=request.user, pk=pk))


@login_required
@require_POST
def lead_qualify_view(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    require_write(request)
    try:
        lead_qualify(lead=lead)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The lead is qualified."))
    return redirect("web:lead-detail", pk=lead.pk)


@login_required
@require_POST
def lead_disqualify_view(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    require_write(request)
    form = DisqualifyForm(request.POST)
    if form.is_valid():
        try:
            lead_disqualify(lead=lead, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The lead is disqualified."))
            return redirect("web:lead-detail", pk=lead.pk)
    lead.refresh_from_db()
    return _detail(request, lead, disqualify=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert_view(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    require_write(request)
    pipelines = list(pipeline_list(user=request.user))
    form = ConvertForm(request.POST or None, pipelines=pipeline_choices(pipelines),
                       initial={"opportunity_name": lead.display_name})
    chosen: Customer | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                customer = None
                if data["target"] == "existing":
                    try:
                        chosen = customer = customer_get(user=request.user, pk=data["customer"])
                    except Http404:
                        raise ValidationError({"customer": _("No such customer.")}) from None
                pipeline = pipeline_get(user=request.user, pk=data.get("pipeline"))
                result = lead_convert(
                    lead=lead, customer=customer, opportunity_name=data["opportunity_name"], amount=data["amount"],
                    currency=data["currency"], pipeline=pipeline, expected_close=data["expected_close"],
                    by=request.user,
                )
            except (ValidationError, StaleEditError) as error:
                if isinstance(error, ValidationError):
                    form.add_service_errors(error)
                else:
                    form.add_error(None, error.message)
            except Http404:
                form.add_error("pipeline", _("No such pipeline."))
            else:
                messages.success(request, _("Converted into %(customer)s with the opportunity %(opportunity)s.") % {
                    "customer": result.customer.display_name, "opportunity": result.opportunity.name,
                })
                return redirect("web:opportunity-detail", pk=result.opportunity.pk)
        elif form.cleaned_data.get("customer"):
            chosen = _visible_customer(request, form.cleaned_data["customer"])
        return render(request, "web/sales/lead_convert.html",
                      {"nav": "sales", "lead": lead, "form": form, "chosen": chosen}, status=400)
    return render(request, "web/sales/lead_convert.html", {"nav": "sales", "lead": lead, "form": form})


def _visible_customer(request: AuthedRequest, pk: int) -> Customer | None:
    try:
        return customer_get(user=request.user, pk=pk)
    except Http404:
        return None
