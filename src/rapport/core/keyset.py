"""Keyset (cursor) paging on an indexed ``(column, id)`` ordering, shared by the API and the web pages.

A page is read with ``WHERE (column, id) > (last seen)`` and ``LIMIT n + 1``: no OFFSET and no COUNT(*), so
the cost of a page does not grow with the table or with how far the reader has walked. NULLs sort last in
ascending order (first in descending order) and are paged across correctly (tasks' ``due_at``).

The cursor is opaque (URL-safe base64 of the ordering, the last value and the last id). One that does not
decode, carries a value of the wrong type, or was issued for another ordering raises :class:`BadCursor`; it
never reaches the database as a malformed value.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1


class BadCursor(ValueError):
    """The cursor was not issued by this server for this ordering."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The cursor is not one this server issued."))


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool
    nullable: bool

    @property
    def param(self) -> str:
        return f"-{self.field}" if self.descending else self.field

    def order_by(self, pk: str = "id") -> list[Any]:
        column = models.F(self.field)
        if self.descending:
            first = column.desc(nulls_first=True) if self.nullable else column.desc()
            return [first, models.F(pk).desc()]
        first = column.asc(nulls_last=True) if self.nullable else column.asc()
        return [first, models.F(pk).asc()]

    def after(self, value: Any, last_id: int, pk: str = "id") -> models.Q:
        """Rows strictly after ``(value, last_id)`` in this ordering."""
        f, gt, lt = self.field, "gt", "lt"
        step = lt if self.descending else gt
        if value is None:
            # Ascending: NULLs come last, so only NULLs with a later id follow. Descending: NULLs come
            # first, so every non-NULL row follows, and NULLs with a lower id.
            tail = models.Q(**{f"{f}__isnull": True, f"{pk}__{step}": last_id})
            return tail | models.Q(**{f"{f}__isnull": False}) if self.descending else tail
        # (f >= v AND (f > v OR id > i)) lets the planner use the index range on f.
        bound = "lte" if self.descending else "gte"
        keyset = models.Q(**{f"{f}__{bound}": value}) & (
            models.Q(**{f"{f}__{step}": value}) | models.Q(**{f"{pk}__{step}": last_id})
        )
        if self.nullable and not self.descending:
            keyset |= models.Q(**{f"{f}__isnull": True})
        return keyset

    @classmethod
    def of(cls, model: type[models.Model], term: str) -> Ordering:
        """``"name"`` or ``"-created_at"`` on ``model``; the caller checks the column is one it allows."""
        name = term.removeprefix("-")
        field = model._meta.get_field(name)
        return cls(field=name, descending=term.startswith("-"), nullable=bool(getattr(field, "null", False)))

    def page(self, queryset: models.QuerySet, cursor: str | None, size: int) -> tuple[list[Any], str | None]:
        """One page of ``queryset`` after ``cursor``, and the cursor of the next page (None at the end)."""
        pk = queryset.model._meta.pk.attname
        rows = self._rows(queryset, cursor, size)
        if len(rows) <= size:
            return rows, None
        rows = rows[:size]
        last = rows[-1]
        return rows, encode_cursor(self, getattr(last, self.field), getattr(last, pk))


    def page_union(
        self, branches: list[models.QuerySet], cursor: str | None, size: int
    ) -> tuple[list[Any], str | None]:
        """One page of the union of ``branches`` (which may overlap), each read as its own indexed page.

        Each branch gives its first ``size + 1`` rows after the cursor; the union's first ``size + 1`` are
        among them, so merging those lists is exact. Python compares text by code point, as SQLite's BINARY
        collation does; a database whose collation orders text otherwise (PostgreSQL's locale collations)
        reads the union as one query instead.
        """
        if len(branches) == 1 or connection.vendor != "sqlite":
            union = branches[0]
            for branch in branches[1:]:
                union = union | branch
            return self.page(union, cursor, size)
        pk = branches[0].model._meta.pk.attname
        # Fetched size + 1 per branch: a branch that filled its page may have more rows after it.
        pages = [self._rows(branch, cursor, size) for branch in branches]
        field = self.field

        def key(row: Any) -> tuple[bool, Any, Any]:
            value = getattr(row, field)
            return value is None, value, getattr(row, pk)

        seen: set[Any] = set()
        rows: list[Any] = []
        for row in heapq.merge(*pages, key=key, reverse=self.descending):
            if getattr(row, pk) not in seen:
                seen.add(getattr(row, pk))
                rows.append(row)
                if len(rows) > size:
                    break
        if len(rows) <= size:
            return rows, None
        rows = rows[:size]
        return rows, encode_cursor(self, getattr(rows[-1], field), getattr(rows[-1], pk))

    def _rows(self, queryset: models.QuerySet, cursor: str | None, size: int) -> list[Any]:
        model = queryset.model
        pk = model._meta.pk.attname
        queryset = queryset.order_by(*self.order_by(pk))
        if cursor:
            value, last_id = decode_cursor(cursor, self, model)
            queryset = queryset.filter(self.after(value, last_id, pk))
        return list(queryset[: size + 1])


def encode_cursor(ordering: Ordering, value: Any, pk: int) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    elif value is not None and not isinstance(value, int | str):
        value = str(value)
    raw = json.dumps({"o": ordering.param, "v": value, "i": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: Ordering, model: type[models.Model]) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise BadCursor() from None
    if not isinstance(data, dict) or set(data) != {"o", "v", "i"}:
        raise BadCursor()
    if data["o"] != ordering.param:
        raise BadCursor(_("This cursor was issued for another ordering; start again without it."))
    last_id, value = data["i"], data["v"]
    if isinstance(last_id, bool) or not isinstance(last_id, int) or not 0 <= last_id <= MAX_ID:
        raise BadCursor()
    if value is None:
        if not ordering.nullable:
            raise BadCursor()
        return None, last_id
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise BadCursor()
    field = model._meta.get_field(ordering.field)
    if not isinstance(field, models.Field):  # ordering_fields name concrete columns only
        raise BadCursor()
    try:
        parsed = field.to_python(value)
    except (DjangoValidationError, ValueError, TypeError, OverflowError):
        raise BadCursor() from None
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        raise BadCursor()
    if isinstance(parsed, str) and "\x00" in parsed:
        raise BadCursor()
    return parsed, last_id
