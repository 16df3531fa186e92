"""Undoing a merge from the survivor's timeline (merges themselves start from the duplicates queue)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rapport.core.access import can_write
from rapport.core.errors import RapportError
from rapport.customers.merging import customer_merge_get, customer_merge_undo
from rapport.web.htmx import htmx_refusal
from rapport.web.types import AuthedRequest


def _go(request: AuthedRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@login_required
@require_POST
def merge_undo(request: AuthedRequest, pk: int) -> HttpResponse:
    merge = customer_merge_get(request.user, pk)  # 404 unless the user may see the survivor
    if not can_write(request.user):
        return htmx_refusal(_("Your role lets you look at this customer but not change it."), status=403)
    try:
        restored = customer_merge_undo(merge=merge, by=request.user)
    except RapportError as error:
        return htmx_refusal(error.message, status=409)
    messages.success(request, _("The merge is undone: %(name)s is a customer of its own again.") % {
        "name": restored.display_name})
    return _go(request, reverse("web:customer-detail", args=[restored.pk]))
