"""Pieces the sales pages share: choices for the pickers, paging, the write check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from rapport.accounts.selectors import user_list_active
from rapport.core.access import SCOPE_ALL, SCOPE_TEAM, can_write, scope_of
from rapport.core.keyset import BadCursor, Ordering
from rapport.sales.models import Pipeline
from rapport.sales.selectors import COUNT_CAP
from rapport.web.types import AuthedRequest

PAGE_SIZE = 50


def require_write(request: AuthedRequest) -> None:
    if not can_write(request.user):
        raise PermissionDenied(_("Your role may read these records but not change them."))


def pipeline_choices(pipelines: list[Pipeline]) -> list[tuple[int, str]]:
    return [(p.pk, p.name) for p in pipelines]


def stage_choices(pipelines: list[Pipeline]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Stages grouped by pipeline (``<optgroup>``); the pipelines' stages are prefetched."""
    return [(p.name, [(s.pk, s.name) for s in p.stages.all()]) for p in pipelines]


def owner_choices(user: Any) -> list[tuple[str, str]]:
    """The people whose records the user may filter by: everyone for "all", the team for "team"."""
    scope = scope_of(user)
    if scope == SCOPE_ALL:
        users = user_list_active()
    elif scope == SCOPE_TEAM and user.team_id:
        users = user_list_active().filter(team_id=user.team_id)
    else:
        return []
    return [(str(u.pk), str(u)) for u in users if u.pk != user.pk]


def owner_filter(value: str, user: Any) -> int | None:
    if value == "me":
        return int(user.pk)
    return int(value) if value.isdigit() else None


@dataclass
class Page:
    rows: list[Any]
    next_url: str | None
    count: int
    first_url: str | None

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP


def keyset_page(queryset: QuerySet[Any], *, sort: str, query: QueryDict, size: int | None = None) -> Page:
    """One page of ``queryset`` in ``sort`` order after the ``cursor`` in ``query``, and a capped count.

    The count stops at COUNT_CAP (a ``LIMIT`` inside the count), so a huge table costs no full scan; a
    cursor that is not ours (edited by hand, from another sort) starts again at the first page.
    """
    size = size or PAGE_SIZE
    ordering = Ordering.of(queryset.model, sort)
    cursor = query.get("cursor") or None
    try:
        rows, next_cursor = ordering.page(queryset, cursor, size)
    except BadCursor:
        cursor = None
        rows, next_cursor = ordering.page(queryset, None, size)
    count = queryset.order_by().values("pk")[:COUNT_CAP].count()
    params = {k: v for k, v in query.items() if k != "cursor" and v}
    next_url = "?" + urlencode({**params, "cursor": next_cursor}) if next_cursor else None
    first_url = "?" + urlencode(params) if cursor else None
    return Page(rows=rows, next_url=next_url, count=count, first_url=first_url)
