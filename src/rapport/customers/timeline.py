"""One timeline per customer, fed by every domain that has dated facts about a customer.

Domains register a :class:`TimelineSource` in their ``AppConfig.ready``; the customers app never imports
them. The timeline is read with one UNION ALL query whose branches each walk their own
``(customer_id, at DESC, id DESC)`` index for at most one page, so its cost does not grow with the history.
Pages are keyset-paginated on ``(at, rank, id)``; there is no OFFSET.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils.dateparse import parse_datetime

from rapport.core.errors import RapportError


@dataclass(frozen=True)
class TimelineSource:
    kind: str  # a stable name shown to clients: "interaction", "order", ...
    rank: int  # breaks ties between kinds at the same instant; unique per source
    model: type[models.Model]
    at: str  # the column that dates an entry
    title: str  # SQL over alias ``t``
    body: str = "NULL"
    channel: str = "NULL"
    state: str = "NULL"
    amount: str = "NULL"
    currency: str = "NULL"
    actor_column: str | None = None  # a user foreign key column whose name is shown
    customer_column: str = "customer_id"
    # What filter chips call this kind ("Opportunities"), translatable; blank leaves the naming to the page.
    label: Any = ""


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    id: int
    at: datetime
    title: str
    body: str | None
    channel: str | None
    state: str | None
    amount: Decimal | None
    currency: str | None
    actor: str | None


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str | None


_SOURCES: dict[str, TimelineSource] = {}


def register_source(source: TimelineSource) -> None:
    clash = next((s for s in _SOURCES.values() if s.rank == source.rank and s.kind != source.kind), None)
    if clash:
        raise ValueError(f"timeline rank {source.rank} is taken by {clash.kind}")
    _SOURCES[source.kind] = source


def registered_sources() -> list[TimelineSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.rank)


class BadCursorError(RapportError):
    pass


def encode_cursor(at: datetime, rank: int, pk: int) -> str:
    raw = f"{at.astimezone(UTC).isoformat()}|{rank}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, rank_text, pk_text = raw.split("|")
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            raise ValueError
        return at, int(rank_text), int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursorError("The cursor is not one this server issued.", field="cursor") from None


def _as_aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"unreadable timestamp {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _branch(
    source: TimelineSource, user_table: str, cursor: tuple[datetime, int, int] | None, limit: int,
    channels: frozenset[str] | None = None,
) -> tuple[str, list[Any]]:
    qn = connection.ops.quote_name
    table = qn(source.model._meta.db_table)
    at = f"t.{qn(source.at)}"
    # The person's name as colleagues know it; the username only for an account without one.
    full_name = f"TRIM(u.{qn('first_name')} || ' ' || u.{qn('last_name')})"
    actor = f"COALESCE(NULLIF({full_name}, ''), u.{qn('username')})" if source.actor_column else "NULL"
    join = f" LEFT JOIN {qn(user_table)} u ON u.id = t.{qn(source.actor_column)}" if source.actor_column else ""
    where = [f"t.{qn(source.customer_column)} = %s"]
    params: list[Any] = []
    if channels is not None:
        # Filtered inside the branch, beside the customer, so each branch still walks its own
        # (customer, at, id) index and stops after one page of matching rows.
        where.append(f"{source.channel} IN ({', '.join(['%s'] * len(channels))})")
        params.extend(sorted(channels))
    if cursor is not None:
        c_at, c_rank, c_id = cursor
        db_at = connection.ops.adapt_datetimefield_value(c_at)
        if source.rank < c_rank:
            where.append(f"{at} <= %s")
            params.append(db_at)
        elif source.rank > c_rank:
            where.append(f"{at} < %s")
            params.append(db_at)
        else:
            where.append(f"({at} < %s OR ({at} = %s AND t.id < %s))")
            params.extend([db_at, db_at, c_id])
    sql = (
        f"SELECT * FROM (SELECT {source.rank} AS r, t.id AS id, {at} AS at, "
        f"CAST({source.title} AS VARCHAR(200)) AS title, CAST({source.body} AS TEXT) AS body, "
        f"CAST({source.channel} AS VARCHAR(32)) AS channel, CAST({source.state} AS VARCHAR(32)) AS state, "
        f"CAST({source.amount} AS NUMERIC(14, 2)) AS amount, CAST({source.currency} AS VARCHAR(3)) AS currency, "
        f"CAST({actor} AS VARCHAR(150)) AS actor "
        f"FROM {table} t{join} WHERE {' AND '.join(where)} ORDER BY {at} DESC, t.id DESC LIMIT {int(limit)}) "
        f"AS b{source.rank}"
    )
    return sql, params


def timeline_page(
    *, customer_id: int, user_table: str, cursor: str | None = None, limit: int = 50,
    kinds: set[str] | None = None, channels: set[str] | None = None,
) -> TimelinePage:
    """One page of the customer's timeline, newest first, in a single query.

    ``kinds`` keeps only the named sources ("interaction", "order", ...); ``channels`` keeps only entries
    whose channel is one of those given, and so drops the sources that have no channel at all (notes,
    tasks). Pass the same filters with every page: the cursor holds a position, not the filter.
    """
    limit = max(1, min(int(limit), 200))
    position = decode_cursor(cursor) if cursor else None
    wanted = frozenset(channels) if channels is not None else None
    sources = [
        s for s in registered_sources()
        if (kinds is None or s.kind in kinds) and (wanted is None or s.channel != "NULL")
    ]
    if not sources or (wanted is not None and not wanted):
        return TimelinePage(entries=[], next_cursor=None)
    parts, params = [], []
    for source in sources:
        sql, branch_params = _branch(source, user_table, position, limit + 1, wanted)
        parts.append(sql)
        params.extend([customer_id, *branch_params])
    sql = " UNION ALL ".join(parts)
    sql = f"SELECT * FROM ({sql}) AS timeline ORDER BY at DESC, r DESC, id DESC LIMIT {limit + 1}"
    by_rank = {s.rank: s for s in sources}
    with connection.cursor() as db:
        db.execute(sql, params)
        rows = db.fetchall()
    entries = [
        TimelineEntry(
            kind=by_rank[r].kind, id=pk, at=_as_aware(at), title=title or "", body=body, channel=channel,
            state=state, amount=Decimal(str(amount)) if amount is not None else None, currency=currency,
            actor=actor,
        )
        for r, pk, at, title, body, channel, state, amount, currency, actor in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = entries[-1]
        next_cursor = encode_cursor(last.at, _SOURCES[last.kind].rank, last.id)
    return TimelinePage(entries=entries, next_cursor=next_cursor)
