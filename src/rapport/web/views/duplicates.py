"""The duplicates queue: likely pairs side by side with the evidence, merged or set aside in one click."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rapport.core.access import SCOPE_ALL, can_write, scope_of
from rapport.core.errors import RapportError
from rapport.core.keyset import BadCursor
from rapport.dedupe.evidence import describe
from rapport.dedupe.models import DuplicatePair
from rapport.dedupe.selectors import latest_run, pair_get, pending_pairs
from rapport.dedupe.services import pair_mark_not_duplicate, pair_merge
from rapport.dedupe.tasks import dedupe_run_task
from rapport.web.htmx import htmx_partial, htmx_refusal, with_toast
from rapport.web.types import AuthedRequest

PAGE = 20


@dataclass
class PairCard:
    pair: DuplicatePair
    percent: int
    for_: list[str]
    against: list[str]


def _card(pair: DuplicatePair) -> PairCard:
    items = describe(pair.evidence)
    weight = [(item["text"], float(item.get("weight") or 0)) for item in items]
    return PairCard(
        pair=pair, percent=min(99, max(1, round(pair.match_probability * 100))),
        for_=[text for text, w in weight if w > 0], against=[text for text, w in weight if w < 0],
    )


def _may_run(user: Any) -> bool:
    # A run reads every customer: an administrator's action, not an agent's.
    return scope_of(user) == SCOPE_ALL and can_write(user)


@login_required
@require_GET
def duplicate_queue(request: AuthedRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    try:
        pairs, next_cursor = pending_pairs(request.user, cursor=cursor, size=PAGE)
    except BadCursor as error:
        return htmx_refusal(str(error))
    context = {
        "nav": "duplicates", "cards": [_card(p) for p in pairs], "can_decide": can_write(request.user),
        "next_url": f"{reverse('web:duplicate-queue')}?cursor={next_cursor}" if next_cursor else "",
    }
    if cursor and htmx_partial(request):
        return render(request, "web/duplicates/_cards.html", context)
    context.update({"run": latest_run(), "may_run": _may_run(request.user)})
    return render(request, "web/duplicates/queue.html", context)


def _pair(request: AuthedRequest, pk: int) -> DuplicatePair:
    try:
        return pair_get(request.user, pk)
    except DuplicatePair.DoesNotExist:
        raise Http404("No such pair") from None


def _decided(request: AuthedRequest, message: str) -> HttpResponse:
    # The card leaves the queue; the toast says what happened.
    return with_toast(HttpResponse(""), message)


@login_required
@require_POST
def pair_merge_view(request: AuthedRequest, pk: int) -> HttpResponse:
    pair = _pair(request, pk)
    if not can_write(request.user):
        return htmx_refusal(_("Your role may read customers but not decide about duplicates."), status=403)
    try:
        merge = pair_merge(pair=pair, survivor_id=request.POST.get("survivor", ""), by=request.user,
                           reason=request.POST.get("reason", "").strip()[:200])
    except ValidationError as error:
        return htmx_refusal(" ".join(m for ms in error.message_dict.values() for m in ms))
    except RapportError as error:
        return htmx_refusal(error.message, status=409)
    return _decided(request, _("Merged into %(name)s. The survivor's timeline has an undo.") % {
        "name": merge.survivor.display_name})


@login_required
@require_POST
def pair_dismiss_view(request: AuthedRequest, pk: int) -> HttpResponse:
    pair = _pair(request, pk)
    if not can_write(request.user):
        return htmx_refusal(_("Your role may read customers but not decide about duplicates."), status=403)
    try:
        pair_mark_not_duplicate(pair=pair, by=request.user)
    except RapportError as error:
        return htmx_refusal(error.message, status=409)
    return _decided(request, _("Marked as different customers: this pair will not be proposed again."))


@login_required
@require_POST
def duplicate_run(request: AuthedRequest) -> HttpResponse:
    if not _may_run(request.user):
        return htmx_refusal(_("Only an administrator may search every customer for duplicates."), status=403)
    dedupe_run_task(by_id=request.user.pk)
    message = _("The search for duplicates has started; new pairs appear here when it ends.")
    response = HttpResponse(render_to_string("web/duplicates/_run_started.html", {"message": message}))
    return with_toast(response, message)
