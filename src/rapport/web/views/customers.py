"""The customer list: search as you type, filters, indexed sorts, keyset pages, saved views, bulk actions
and a CSV export of exactly what the list shows (nothing the user may not see)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from rapport.accounts.selectors import assignable_owners, team_list
from rapport.core.csvexport import csv_lines
from rapport.core.keyset import BadCursor
from rapport.core.xlsxexport import CONTENT_TYPE as XLSX_CONTENT_TYPE
from rapport.core.xlsxexport import xlsx_file
from rapport.customers import listing
from rapport.customers.choices import CustomerKind, LifecycleStage, RelationshipLevel
from rapport.customers.selectors import customer_list, saved_view_get, saved_view_list
from rapport.customers.services import customers_add_tag, customers_assign_owner, saved_view_delete, saved_view_save
from rapport.web.htmx import htmx_partial, htmx_refusal, with_toast
from rapport.web.types import AuthedRequest

BULK_LIMIT = 500


def _context(request: AuthedRequest, filters: listing.CustomerFilters) -> dict[str, object]:
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor = listing.customer_page(user=request.user, filters=filters, cursor=cursor)
    except BadCursor as error:
        filters.errors["cursor"] = str(error)
        rows, next_cursor = listing.customer_page(user=request.user, filters=filters)
    query = filters.as_query()
    return {
        "rows": rows,
        "next_url": f"?{urlencode({**query, 'cursor': next_cursor})}" if next_cursor else "",
        "query": urlencode(query),
        "filters": filters,
        "first_page": not cursor,
        "can_write": request.user.can_write,
    }


@login_required
@require_GET
def customer_list_view(request: AuthedRequest) -> HttpResponse:
    filters = listing.CustomerFilters.parse(request.GET)
    context = _context(request, filters)
    if htmx_partial(request) and request.GET.get("cursor"):
        # "More" appends the next rows to the table.
        return render(request, "web/customers/_list_rows.html", context)
    context["count"] = listing.customer_count(user=request.user, filters=filters)
    context["cap"] = listing.count_cap(filters)
    if htmx_partial(request):
        return render(request, "web/customers/_list_results.html", context)
    context.update({
        "nav": "customers",
        "sorts": listing.SORTS.items(),
        "kinds": CustomerKind.choices,
        "stages": LifecycleStage.choices,
        "levels": RelationshipLevel.choices,
        "owners": assignable_owners(user=request.user),
        "teams": team_list() if request.user.visibility_scope == "all" else [],
        "saved_views": saved_view_list(user=request.user),
        # Filters other domains register (analytics: value and risk bands, segments), with the chosen value.
        "extra_filters": [
            {"name": f.name, "label": f.label, "choices": f.choices(), "value": filters.extra.get(f.name, "")}
            for f in listing.extra_filters()
        ],
    })
    return render(request, "web/customers/list.html", context)


@login_required
@require_GET
def customer_export(request: AuthedRequest, file_format: str = "csv") -> StreamingHttpResponse:
    """The current view as CSV (streamed page by page on the keyset) or XLSX (built in a spooled temporary file
    from the same pages): memory stays flat at any size, and both hold exactly what the list shows."""
    filters = listing.CustomerFilters.parse(request.GET)
    header = [
        _("id"), _("name"), _("kind"), _("e-mail"), _("phone"), _("country"), _("city"), _("language"),
        _("lifecycle stage"), _("relationship level"), _("account manager"), _("team"), _("created"),
    ]
    # CSV shows the creation time as ISO text with its offset; XLSX gets a real date-time in the user's zone.
    as_text = file_format != "xlsx"
    rows = (
        [c.pk, c.display_name, c.kind, c.primary_email, c.primary_phone, c.country, c.city, c.language,
         c.lifecycle_stage, c.relationship_level, c.owner.username if c.owner else "", c.team.name if c.team else "",
         c.created_at.isoformat() if as_text else c.created_at]
        for c in listing.customer_rows(user=request.user, filters=filters)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response: StreamingHttpResponse
    if file_format == "xlsx":
        response = FileResponse(
            xlsx_file(header, rows, title=_("Customers")), as_attachment=True,
            filename=f"customers-{stamp}.xlsx", content_type=XLSX_CONTENT_TYPE,
        )
    else:
        response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _back(request: AuthedRequest, query: str = "") -> HttpResponse:
    url = reverse("web:customer-list") + (f"?{query}" if query else "")
    if htmx_partial(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _refused(request: AuthedRequest, message: str, status: int = 400) -> HttpResponse:
    if htmx_partial(request):
        return htmx_refusal(message, status)
    messages.error(request, message)
    return redirect(reverse("web:customer-list") + "?" + request.POST.get("query", ""))


@login_required
@require_POST
def customer_bulk(request: AuthedRequest) -> HttpResponse:
    """Assign an owner to, or tag, the ticked customers (only those the user may see are touched)."""
    if not request.user.can_write:
        raise PermissionDenied
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) < 12]
    query = request.POST.get("query", "")
    if not ids:
        return _refused(request, _("Tick at least one customer first."))
    if len(ids) > BULK_LIMIT:
        return _refused(request, _("Act on at most %(n)d customers at a time.") % {"n": BULK_LIMIT})
    chosen = customer_list(user=request.user).filter(pk__in=ids)
    action = request.POST.get("action", "")
    try:
        if action == "assign_owner":
            owner_id = request.POST.get("owner", "")
            owner = assignable_owners(user=request.user).filter(pk=owner_id).first() if owner_id.isdigit() else None
            if owner is None:
                return _refused(request, _("Choose an account manager from the list."))
            changed = customers_assign_owner(customers=chosen, owner=owner)
            text = ngettext(
                "%(n)d customer now belongs to %(owner)s.", "%(n)d customers now belong to %(owner)s.", changed
            ) % {"n": changed, "owner": owner}
        elif action == "add_tag":
            changed = customers_add_tag(customers=chosen, name=request.POST.get("tag", ""))
            text = ngettext("%(n)d customer tagged.", "%(n)d customers tagged.", changed) % {"n": changed}
        else:
            return _refused(request, _("Choose an action."))
    except ValidationError as error:
        return _refused(request, " ".join(error.messages))
    if htmx_partial(request):
        response = _back(request, query)
        return with_toast(response, text)
    messages.success(request, text)
    return _back(request, query)


@login_required
@require_POST
def saved_view_create(request: AuthedRequest) -> HttpResponse:
    query = listing.CustomerFilters.parse(QueryDict(request.POST.get("query", ""))).as_query()
    try:
        view = saved_view_save(user=request.user, name=request.POST.get("name", ""), query=urlencode(query))
    except ValidationError as error:
        return _refused(request, " ".join(error.messages))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return _back(request, view.query)


@login_required
@require_POST
def saved_view_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    view = saved_view_get(user=request.user, pk=pk)
    saved_view_delete(view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return _back(request)
