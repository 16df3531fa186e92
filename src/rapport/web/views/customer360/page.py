"""The 360 page itself and its timeline (filter chips and keyset "Load more")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from rapport.commerce.choices import OrderStatus, SalesChannel
from rapport.core.access import can_write
from rapport.customers.merging import customer_merged_into
from rapport.customers.models import Customer
from rapport.customers.selectors import customer_list, customer_single_view
from rapport.customers.timeline import (
    BadCursorError,
    TimelineEntry,
    TimelinePage,
    registered_sources,
    timeline_page,
)
from rapport.interactions.choices import Channel, Direction
from rapport.web.htmx import htmx_refusal
from rapport.web.types import AuthedRequest
from rapport.web.views.customer360.common import customer_view, header_context, score_context, split_points
from rapport.web.views.customer360.forms import ContactPointForm, InteractionForm, NoteForm, TaskForm

TIMELINE_PAGE = 20

# Names for the kinds registered today; a source registered later brings its own label (TimelineSource.label).
KIND_LABELS: dict[str, Any] = {
    "interaction": _("Touchpoint"), "order": _("Orders"), "task": _("Tasks"), "note": _("Notes"),
    "opportunity": _("Opportunities"),
}
KIND_ITEM_LABELS: dict[str, Any] = {
    "interaction": _("Touchpoint"), "order": _("Order"), "task": _("Task"), "note": _("Note"),
    "opportunity": _("Opportunity"), "merge": _("Merged with"),
}
TASK_STATES: dict[str, Any] = {"open": _("Open"), "done": _("Done")}


@dataclass(frozen=True)
class TimelineFilter:
    """Which chip is on: every entry, the touchpoints of one channel, or one kind of entry."""

    channel: str = ""
    kind: str = ""

    @classmethod
    def from_query(cls, query: Any) -> TimelineFilter:
        # Unknown values fall back to "all" rather than to an error: chips only ever send known ones.
        channel = query.get("channel", "")
        kind = query.get("kind", "")
        kinds = {s.kind for s in registered_sources()}
        return cls(channel=channel if channel in Channel.values else "", kind=kind if kind in kinds else "")

    @property
    def kinds(self) -> set[str] | None:
        if self.channel:
            return {"interaction"}
        return {self.kind} if self.kind else None

    @property
    def channels(self) -> set[str] | None:
        return {self.channel} if self.channel else None

    def query(self, **extra: str) -> str:
        params = {k: v for k, v in (("channel", self.channel), ("kind", self.kind), *extra.items()) if v}
        return urlencode(params)


@dataclass(frozen=True)
class Chip:
    label: Any
    filter: TimelineFilter


@dataclass(frozen=True)
class TimelineRow:
    """An entry with the names a reader sees for its kind, channel and state."""

    entry: TimelineEntry
    kind_label: Any
    channel_label: Any
    state_label: Any


def _kind_label(kind: str) -> Any:
    source = next((s for s in registered_sources() if s.kind == kind), None)
    return (source.label if source is not None and source.label else None) or KIND_LABELS.get(kind, kind)


def chips() -> list[Chip]:
    result = [Chip(_("All"), TimelineFilter())]
    if any(s.kind == "interaction" for s in registered_sources()):
        result += [Chip(label, TimelineFilter(channel=value)) for value, label in Channel.choices]
    result += [
        Chip(_kind_label(s.kind), TimelineFilter(kind=s.kind)) for s in registered_sources() if s.kind != "interaction"
    ]
    return result


def timeline_rows(entries: list[TimelineEntry]) -> list[TimelineRow]:
    channels, directions = dict(Channel.choices), dict(Direction.choices)
    sales_channels, statuses = dict(SalesChannel.choices), dict(OrderStatus.choices)
    rows = []
    channel: Any
    state: Any
    for e in entries:
        if e.kind == "interaction":
            channel, state = channels.get(e.channel or ""), directions.get(e.state or "")
        elif e.kind == "order":
            channel, state = sales_channels.get(e.channel or ""), statuses.get(e.state or "")
        elif e.kind == "task":
            channel, state = None, TASK_STATES.get(e.state or "")
        elif e.kind == "merge":
            channel, state = None, _("Undone") if e.state == "undone" else None
        else:
            channel, state = e.channel, e.state
        rows.append(TimelineRow(
            entry=e, kind_label=KIND_ITEM_LABELS.get(e.kind, _kind_label(e.kind)),
            channel_label=channel or e.channel, state_label=state or e.state,
        ))
    return rows


def timeline_context(customer: Customer, page: TimelinePage, active: TimelineFilter) -> dict[str, Any]:
    url = reverse("web:customer-timeline", args=[customer.pk])
    more_url = f"{url}?{active.query(cursor=page.next_cursor)}" if page.next_cursor else ""
    return {
        "customer": customer, "rows": timeline_rows(page.entries), "more_url": more_url, "timeline_url": url,
        "chips": [(chip, chip.filter == active, f"{url}?{chip.filter.query()}".rstrip("?")) for chip in chips()],
        "active": active,
    }


def render_timeline_oob(request: AuthedRequest, customer: Customer) -> str:
    """The timeline's first page, unfiltered, to replace the one on the page after a quick action."""
    page = timeline_page(
        customer_id=customer.pk, user_table=get_user_model()._meta.db_table, limit=TIMELINE_PAGE
    )
    context = timeline_context(customer, page, TimelineFilter())
    context["oob"] = True
    return render_to_string("web/customers/_timeline.html", context, request=request)


@login_required
@require_GET
def customer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    # Four queries: the customer with owner and team, its facts, one timeline page, the assignees of the
    # task form; and its latest score (plus its earlier ones when it has one). Orders, contact persons and
    # consents load afterwards, each in its own request.
    try:
        view = customer_single_view(user=request.user, pk=pk, limit=TIMELINE_PAGE, with_contacts=False)
    except Http404:
        # An old link to a customer merged into another leads to the survivor, if the user may see it.
        survivor = customer_merged_into(pk)
        if survivor is None or not customer_list(user=request.user).filter(pk=survivor).exists():
            raise
        messages.info(request, _("That customer was merged into this one."))
        return redirect("web:customer-detail", pk=survivor)
    writer = can_write(request.user)
    context = header_context(view.customer, view.facts.tags, writer)
    context.update(timeline_context(view.customer, view.timeline, TimelineFilter()))
    context.update(score_context(request, view.customer, history=True))
    context.update({
        "nav": "customers", "view": view, "points": split_points(view.facts.contact_points),
        "is_organisation": view.customer.kind == "organisation", "point_form": ContactPointForm(),
    })
    if writer:
        context.update({
            "interaction_form": InteractionForm(), "note_form": NoteForm(),
            "task_form": TaskForm(editor=request.user),
        })
    return render(request, "web/customers/detail.html", context)


@customer_view()
def customer_timeline(request: AuthedRequest, customer: Customer) -> HttpResponse:
    """The timeline under a chip (the whole section), or the next page after a cursor (the items alone)."""
    active = TimelineFilter.from_query(request.GET)
    cursor = request.GET.get("cursor") or None
    try:
        page = timeline_page(
            customer_id=customer.pk, user_table=get_user_model()._meta.db_table, cursor=cursor,
            limit=TIMELINE_PAGE, kinds=active.kinds, channels=active.channels,
        )
    except BadCursorError as error:
        return htmx_refusal(error.message)
    context = timeline_context(customer, page, active)
    template = "web/customers/_timeline_items.html" if cursor else "web/customers/_timeline.html"
    return render(request, template, context)
