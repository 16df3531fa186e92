"""What an entity writes one chunk through: bulk inserts with recorded id ranges, and recorded updates.

Inserts go through :class:`rapport.core.bulkload.BulkWriter` (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) with ids handed out here, contiguously per table, so the chunk's created rows are one
``[first, last]`` range per table. Ids are taken above both the table's highest id and its sequence (SQLite's
``sqlite_sequence``, PostgreSQL's identity sequence), so an id is never handed out twice even after rows at
the top were deleted: a range recorded by a batch can only ever hold that batch's rows, which is what makes
rollback by range safe. On PostgreSQL the tables are locked against other writers for the chunk (as the
seeder does) and the sequence is moved past the new rows.

Updates and deletions record a before-image of exactly the rows and columns they touch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import numpy as np
from django.db import connection, models

from rapport.core.bulkload import BulkWriter, Col, advance_sequence, const, first_free_id
from rapport.imports.rows import Row


def json_value(value: Any) -> Any:
    """A column value as JSON can hold it; ``restore_value`` reads it back through the model field."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def restore_value(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return field.get_db_prep_save(value, connection)
    return field.get_db_prep_save(field.to_python(value), connection)


def db_datetime(value: datetime) -> str:
    """An aware datetime as the database stores it through Django: on SQLite Django's exact text (equality
    lookups compare it as text), on PostgreSQL ISO text that COPY reads as timestamptz."""
    if connection.vendor == "sqlite":
        return str(connection.ops.adapt_datetimefield_value(value))
    return value.isoformat()


def datetimes(values: Iterable[datetime | None]) -> Col:
    return Col("text", [None if v is None else db_datetime(v) for v in values])


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


class IdRanges:
    """Ids for new rows, per table, above anything the table or its sequence ever held."""

    def __init__(self) -> None:
        self.first: dict[type[models.Model], int] = {}
        self.next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], n: int) -> np.ndarray:
        if model not in self.next:
            self.first[model] = self.next[model] = first_free_id(model)
        start = self.next[model]
        self.next[model] = start + n
        return np.arange(start, start + n, dtype=np.int64)

    def ranges(self) -> dict[str, list[int]]:
        return {m._meta.db_table: [self.first[m], self.next[m] - 1] for m in self.next if self.next[m] > self.first[m]}

    def advance_sequences(self) -> None:
        """Move each sequence past the ids used, so the ORM's next insert does not collide."""
        for model, following in self.next.items():
            if following > self.first[model]:
                advance_sequence(model, following - 1)




def begin_chunk(tables: Sequence[type[models.Model]]) -> None:
    """PostgreSQL: keep other writers out of these tables until the chunk commits (readers are not blocked),
    and do not wait for the WAL flush at commit.

    The commit need not wait: a chunk's rows and its ImportChunk record are in the same transaction, so if
    the server crashes before the WAL reaches the disk both are lost together and a resumed import simply
    writes that chunk again; nothing can be half there. SQLite needs nothing: the chunk's transaction starts
    with BEGIN IMMEDIATE (the write lock), and in WAL mode with synchronous=NORMAL a commit does not sync.
    """
    if connection.vendor == "postgresql" and tables:
        names = ", ".join(qn(m._meta.db_table) for m in dict.fromkeys(tables))
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


class ChunkContext:
    """Everything an entity's ``write`` needs for one chunk, and what it did (counts, rejections, images)."""

    def __init__(self, *, source: str, options: dict[str, Any], user: Any, now: datetime,
                 state: dict[str, Any], rejected_keys: set[str]) -> None:
        self.source = source
        self.options = options
        self.user = user
        self.now = now
        self._now = const(db_datetime(now))
        self.state = state  # kept from chunk to chunk for the batch's run (an order's lines seen so far)
        self.rejected_keys = rejected_keys  # group keys of this chunk's rows rejected by their cells
        self.outcomes: Counter[str] = Counter()
        self.extra: Counter[str] = Counter()
        self.rejections: list[tuple[Row, dict[str, str]]] = []
        self.ids = IdRanges()
        self.before: dict[str, dict[str, Any]] = {}
        self.deleted: dict[str, dict[str, Any]] = {}
        self._bulk = BulkWriter(())

    @property
    def create_missing(self) -> bool:
        return bool(self.options.get("create_missing"))

    def count(self, outcome: str, n: int = 1) -> None:
        """``created``, ``updated`` or ``unchanged``, per input row."""
        self.outcomes[outcome] += n

    def reject(self, row: Row, errors: dict[str, str]) -> None:
        self.rejections.append((row, errors))

    def now_col(self, n: int) -> Col:
        """The chunk's timestamp for ``n`` rows (created_at, updated_at): one constant, stored as Django would."""
        return self._now

    def insert(self, model: type[models.Model], n: int, columns: dict[str, Col]) -> np.ndarray:
        """Append ``n`` rows with fresh ids (returned); ``columns`` as for BulkWriter.write, without ``id``."""
        ids = self.ids.take(model, n)
        if n:
            self._bulk.write(model, n, {"id": Col("int", ids), **columns})
        return ids

    def update(self, model: type[models.Model], fields: Sequence[str],
               changes: Iterable[tuple[int, Sequence[Any], Sequence[Any]]]) -> int:
        """Set ``fields`` (model field names) per row: ``changes`` holds (id, old values, new values).

        The old values are the before-image a rollback puts back; they must be what the database holds.
        """
        changes = list(changes)
        if not changes:
            return 0
        meta = model._meta
        concrete = [cast(models.Field, meta.get_field(name)) for name in fields]
        image = self.before.setdefault(meta.db_table, {"columns": [f.attname for f in concrete], "rows": []})
        if image["columns"] != [f.attname for f in concrete]:
            raise ValueError(f"{meta.db_table}: one column list per chunk")
        image["rows"].extend([pk, *(json_value(v) for v in old)] for pk, old, _new in changes)
        assignments = ", ".join(f"{qn(f.column)} = %s" for f in concrete)
        params = [
            [*(f.get_db_prep_save(v, connection) for f, v in zip(concrete, new, strict=True)), pk]
            for pk, _old, new in changes
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(str(meta.pk.column))} = %s",
                               params)
        return len(changes)

    def delete(self, model: type[models.Model], ids: Sequence[int]) -> int:
        """Delete rows nothing else refers to (an order's old lines), keeping them whole for a rollback."""
        if not ids:
            return 0
        meta = model._meta
        columns = [f.attname for f in meta.concrete_fields]
        rows = list(model._base_manager.filter(pk__in=ids).order_by("pk").values_list(*columns))
        image = self.deleted.setdefault(meta.db_table, {"columns": columns, "rows": []})
        image["rows"].extend([json_value(v) for v in row] for row in rows)
        model._base_manager.filter(pk__in=ids).delete()  # leaves: one DELETE, no cascade to collect
        return len(rows)

    def finish(self) -> tuple[dict[str, list[int]], dict[str, Any]]:
        """(created id ranges, before-images) to record with the chunk; moves PostgreSQL's sequences on."""
        self.ids.advance_sequences()
        before: dict[str, Any] = dict(self.before)
        if self.deleted:
            before["deleted"] = self.deleted
        return self.ids.ranges(), before
