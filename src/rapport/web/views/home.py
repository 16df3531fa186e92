from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rapport.customers.selectors import customer_list

PREVIEW_ROWS = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The first page of the customers this user may see; the full workspace lists come later.
    rows = list(customer_list(user=request.user).order_by("display_name", "id")[: PREVIEW_ROWS + 1])
    return render(
        request, "web/home.html", {"customers": rows[:PREVIEW_ROWS], "more": len(rows) > PREVIEW_ROWS}
    )


def placeholder(request: HttpRequest, **kwargs: object) -> HttpResponse:
    # Stands in while the page is being built in this change; replaced before it lands.
    return render(request, "web/home.html", {"customers": [], "more": False})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
