"""Keyset (cursor) pagination on indexed orderings.

A list is ordered by one indexed column chosen with ``?ordering=`` from the view's ``ordering_fields``
(``-`` for descending), with the primary key as tie-breaker in the same direction, so that the composite
indexes ``(column, id)`` serve both the order and the page boundary. A page is read with
``WHERE (column, id) > (last seen)`` and ``LIMIT page_size + 1``: no OFFSET and no COUNT(*), so the cost of
a page does not grow with the table or with how far the client has walked.

DRF's own ``CursorPagination`` pages on the first column only, falls back to an offset within ties and
cannot page across NULLs (tasks' ``due_at``); this one pages on ``(column, id)`` and places NULLs last
in ascending order (first in descending order).

The ordering and cursor codec live in ``rapport.core.keyset`` (the web pages page the same way); here a
bad cursor answers 400 naming ``cursor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from rapport.core.keyset import BadCursor, Ordering, decode_cursor, encode_cursor

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200



def _allowed(view: Any) -> Sequence[str]:
    return tuple(getattr(view, "ordering_fields", None) or ())


def _default(view: Any) -> str:
    ordering = getattr(view, "ordering", None) or "-id"
    return ordering if isinstance(ordering, str) else ordering[0]


def resolve_ordering(request: Request, view: Any, model: type[models.Model]) -> Ordering:
    """The ordering the request asks for, checked against the view's indexed ``ordering_fields``."""
    raw = request.query_params.get(OrderingFilter.ordering_param)
    term = (raw or "").strip() or _default(view)
    name = term.removeprefix("-")
    if name not in _allowed(view) and term != _default(view):
        choices = ", ".join(f"{f}, -{f}" for f in _allowed(view))
        raise ValidationError({OrderingFilter.ordering_param: [_("Order by one of: %(choices)s.") % {
            "choices": choices
        }]})
    field = model._meta.get_field(name)
    return Ordering(field=name, descending=term.startswith("-"), nullable=bool(getattr(field, "null", False)))


class KeysetOrderingFilter(OrderingFilter):
    """``?ordering=`` limited to the view's indexed columns; an unknown column is a 400, not ignored."""

    def filter_queryset(self, request: Request, queryset: models.QuerySet, view: Any) -> models.QuerySet:
        ordering = resolve_ordering(request, view, queryset.model)
        return queryset.order_by(*ordering.order_by(queryset.model._meta.pk.attname))

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = _allowed(view)
        return [{
            "name": self.ordering_param,
            "required": False,
            "in": "query",
            "description": _("Sort by one indexed column, '-' for descending (default %(default)s).")
            % {"default": _default(view)},
            "schema": {"type": "string", "enum": [v for f in fields for v in (f, f"-{f}")]},
        }]


def _encode(ordering: Ordering, value: Any, pk: int) -> str:
    return encode_cursor(ordering, value, pk)


def _decode(cursor: str, ordering: Ordering, model: type[models.Model]) -> tuple[Any, int]:
    try:
        return decode_cursor(cursor, ordering, model)
    except BadCursor as error:
        raise ValidationError({"cursor": [str(error)]}) from None


def _positive_int(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or len(raw) > 12:
        raise ValidationError({name: [_("Give a whole number from 1 to %(max)d.") % {"max": maximum}]})
    return min(value, maximum)


class KeysetPagination(BasePagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset: models.QuerySet, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        model = queryset.model
        pk = model._meta.pk.attname
        ordering = resolve_ordering(request, view, model)
        size = _positive_int(request, self.page_size_query_param, self.page_size, self.max_page_size)
        queryset = queryset.order_by(*ordering.order_by(pk))
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            value, last_id = _decode(cursor, ordering, model)
            queryset = queryset.filter(ordering.after(value, last_id, pk))
        rows = list(queryset[: size + 1])
        self.next_cursor: str | None = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_cursor = _encode(ordering, getattr(last, ordering.field), getattr(last, pk))
        return rows

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string", "nullable": True, "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param, "required": False, "in": "query",
                "description": "The `next` link's cursor; omit it for the first page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param, "required": False, "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
