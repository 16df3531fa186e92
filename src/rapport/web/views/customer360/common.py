"""What every view of the customer 360 page shares: finding the customer, refusing writes, the header."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.analytics.dashboard import run_currency
from rapport.analytics.explain import reasons_of
from rapport.analytics.selectors import customer_score, customer_score_history
from rapport.analytics.wording import reason_sentences
from rapport.core.access import can_write
from rapport.customers.choices import ContactPointKind, LifecycleStage
from rapport.customers.models import ContactPoint, Customer, Tag
from rapport.customers.selectors import customer_get
from rapport.web.htmx import htmx_refusal
from rapport.web.types import AuthedRequest
from rapport.web.views.customer360.forms import TagForm

# Bootstrap colours of the lifecycle stage badge: the stages that need attention stand out.
STAGE_BADGE: dict[str, str] = {
    LifecycleStage.PROSPECT: "text-bg-secondary",
    LifecycleStage.NEW: "text-bg-info",
    LifecycleStage.ACTIVE: "text-bg-success",
    LifecycleStage.AT_RISK: "text-bg-warning",
    LifecycleStage.LAPSED: "text-bg-warning",
    LifecycleStage.LOST: "text-bg-danger",
    LifecycleStage.WON_BACK: "text-bg-primary",
}

CustomerView = Callable[..., HttpResponse]
# Earlier scores shown under "Why at risk" (a run a month keeps a year in view).
SCORE_HISTORY = 12


def forbidden() -> HttpResponse:
    """403 for a role that may look but not change; app.js shows the message as a toast."""
    return htmx_refusal(_("Your role lets you look at this customer but not change it."), status=403)


def customer_view(*, methods: Iterable[str] = ("GET",), write: bool = False) -> Callable[[CustomerView], CustomerView]:
    """Load the customer the user may see (404 otherwise) and hand it to the view.

    ``write=True`` refuses read-only roles on every method (the edit forms too); otherwise only POST is
    refused. Visibility is checked first, so a customer of another team is a 404 whatever the role.
    """

    def decorate(view: CustomerView) -> CustomerView:
        @wraps(view)
        def wrapper(request: AuthedRequest, pk: int, **kwargs: Any) -> HttpResponse:
            customer = customer_get(user=request.user, pk=pk)
            if (write or request.method == "POST") and not can_write(request.user):
                return forbidden()
            return view(request, customer, **kwargs)

        return login_required(require_http_methods(list(methods))(wrapper))

    return decorate


@dataclass
class ContactPoints:
    emails: list[ContactPoint]
    phones: list[ContactPoint]


def split_points(points: Iterable[ContactPoint]) -> ContactPoints:
    ordered = sorted(points, key=lambda p: (not p.is_primary, p.pk or 0))
    return ContactPoints(
        emails=[p for p in ordered if p.kind == ContactPointKind.EMAIL],
        phones=[p for p in ordered if p.kind == ContactPointKind.PHONE],
    )


def header_context(customer: Customer, tags: list[Tag], writer: bool) -> dict[str, Any]:
    return {
        "customer": customer, "tags": tags, "can_edit": writer,
        "stage_badge": STAGE_BADGE.get(customer.lifecycle_stage, "text-bg-secondary"), "tag_form": TagForm(),
    }


def score_context(request: AuthedRequest, customer: Customer, *, history: bool = False) -> dict[str, Any]:
    """The customer's latest stored score for the header's badges (one query) and, with ``history``, the
    "Why at risk" panel: reasons worded in the reader's language and the earlier scores (one more query, only
    for a customer who has a score). Without a score nothing is shown, never a made-up number."""
    score = customer_score(user=request.user, customer_id=customer.pk)
    context: dict[str, Any] = {"score": score}
    if score is not None and history:
        earlier = customer_score_history(user=request.user, customer_id=customer.pk, limit=SCORE_HISTORY + 1)
        run_settings = score.run.settings if isinstance(score.run.settings, dict) else {}
        horizon = run_settings.get("horizon_days")
        context.update({
            "score_reasons": reason_sentences(reasons_of(score)),
            "score_history": [row for row in earlier if row.pk != score.pk][:SCORE_HISTORY],
            "score_currency": run_currency(score.run),
            "score_horizon": horizon if isinstance(horizon, int) and horizon > 0 else None,
        })
    return context


def fresh_customer(request: AuthedRequest, customer: Customer) -> Customer:
    """The customer re-read after a write, owner and team joined, for the header."""
    return customer_get(user=request.user, pk=customer.pk)


def header_oob(request: AuthedRequest, customer: Customer) -> str:
    """The page header, marked to replace the one on the page (an out-of-band swap)."""
    customer = fresh_customer(request, customer)
    context = header_context(customer, list(customer.tags.order_by("name")), can_write(request.user))
    context.update(score_context(request, customer))
    context["oob"] = True
    return render_to_string("web/customers/_header.html", context, request=request)
