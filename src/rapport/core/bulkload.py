"""Bulk writes that store exactly what the ORM would store, at the speed of the database's own bulk path.

``bulk_create`` reaches only a fraction of the raw insert rate (see the architecture brief), so large loads
(the data generator, later big imports) go through here instead:

* SQLite: one transaction (``BEGIN IMMEDIATE``, holding the write lock) and ``executemany`` per table on the
  DB-API cursor; during the load foreign-key checks and fsync are off and the page cache is larger, and
  the connection's settings (WAL mode included) are put back afterwards.
* PostgreSQL: ``COPY ... FROM STDIN`` (psycopg 3, CSV that Arrow formats) in one transaction; the tables are locked
  against other writers, foreign-key triggers are skipped when the role may do so
  (``session_replication_role``), and the id sequences are moved past the new rows at the end.

Ids are allocated here (above the table's highest id and its sequence, read inside the transaction) so that
child rows can point at their parents without a round trip; :meth:`BulkWriter.advance_sequences` moves each
PostgreSQL sequence past the ids handed out (``bulk_session`` does it on the way out).

Values are converted as Django converts them: datetimes as naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` on
SQLite and ``timestamptz`` on PostgreSQL, decimals from integer cents, JSON as text, booleans as 0/1 or t/f.
The caller is responsible for the data being valid: nothing here runs model validation, and foreign keys are
not checked on the way in.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

NULL = None


@dataclass(frozen=True)
class Col:
    """One column's values and how to convert them.

    kinds: ``int``; ``int_or_null`` (negative means NULL); ``text`` (None means NULL); ``ts`` (int64
    microseconds since the epoch, UTC); ``ts_or_null`` (with a boolean ``mask`` of present values);
    ``date`` (ISO text, "" means NULL); ``cents`` (int64, for a 2-place decimal); ``number`` (an int for a
    decimal column); ``float`` (a float column; never NaN); ``bool``; ``json`` (text); ``const`` (one value for
    every row; None for NULL).
    """

    kind: str
    values: Any
    mask: np.ndarray | None = None


def const(value: Any) -> Col:
    return Col("const", value)


_PAIRS = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], dtype=np.uint32)


def _digits(chars: np.ndarray, column: int, values: np.ndarray, width: int) -> None:
    """Write ``values`` (0 <= v < 10**width, width even) as zero-padded digits, two at a time."""
    for i in range(width - 2, -1, -2):
        values, pair = np.divmod(values, 100)
        chars[:, column + i: column + i + 2] = _PAIRS[pair]


def _datetime_text(us: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD HH:MM:SS.ffffff' for microseconds since the epoch, without a Python loop.

    The digits are computed with integer arithmetic (Howard Hinnant's days-to-civil algorithm) straight
    into the UCS-4 characters of a fixed-width string array, in cache-sized blocks: several times faster
    than ``np.datetime_as_string``. Callers keep the microseconds non-zero (Django drops a zero fraction).
    """
    us = np.asarray(us, dtype=np.int64)
    width = 26
    out = np.empty(len(us), dtype=f"<U{width}")
    chars = out.view(np.uint32).reshape(len(us), width)
    template = np.array([ord(ch) for ch in "0000-00-00 00:00:00.000000"], dtype=np.uint32)
    for first in range(0, len(us), _BLOCK):
        block = chars[first:first + _BLOCK]
        block[:] = template
        _civil_digits(block, us[first:first + _BLOCK])
    return out


_BLOCK = 65_536


def _civil_digits(chars: np.ndarray, us: np.ndarray) -> None:
    days, rest = np.divmod(us, 86_400_000_000)
    seconds, micro = np.divmod(rest, 1_000_000)
    z = (days + 719_468).astype(np.int64)
    era = np.floor_divide(z, 146_097)
    doe = (z - era * 146_097).astype(np.int32)
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + (era * 400).astype(np.int32) + (month <= 2)
    if len(year) and (year.min() < 1000 or year.max() > 9999):
        raise ValueError("datetimes must lie between the years 1000 and 9999")
    seconds = seconds.astype(np.int32)
    minutes, second = np.divmod(seconds, 60)
    hour, minute = np.divmod(minutes, 60)
    for column, values, digits in ((0, year, 4), (5, month, 2), (8, day, 2), (11, hour, 2), (14, minute, 2),
                                   (17, second, 2), (20, micro.astype(np.int32), 6)):
        _digits(chars, column, values, digits)


def _decimal_cents(cents: np.ndarray) -> pa.Array:
    """A 2-place Arrow decimal whose unscaled integers are ``cents`` (no division, no rounding)."""
    cents = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # the high word of a 128-bit two's complement integer: its sign
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words.tobytes())])


# PostgreSQL's CSV dialect: strings quoted (a quoted "" is an empty string), NULL an unquoted empty field.
_CSV = pa_csv.WriteOptions(include_header=False, quoting_style="needed", batch_size=65_536)
COPY_ROWS = 50_000  # rows per slice sent to COPY (a few MB of CSV)


def id_sequence(model: type[models.Model]) -> str | None:
    """PostgreSQL: the sequence behind ``model``'s primary key (identity or serial), or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)",
                       [connection.ops.quote_name(model._meta.db_table), str(model._meta.pk.column)])
        row = cursor.fetchone()
    return str(row[0]) if row and row[0] else None


def first_free_id(model: type[models.Model]) -> int:
    """The first id above the table's highest and above its sequence (``sqlite_sequence`` on SQLite).

    The ORM may have taken ids whose rows are gone (deleted, rolled back): none is ever handed out again.
    """
    qn, table = connection.ops.quote_name, model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({qn(model._meta.pk.column)}), 0) FROM {qn(table)}")
        highest = int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
            highest = max(highest, int(cursor.fetchone()[0]))
        elif sequence := id_sequence(model):
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}")
            highest = max(highest, int(cursor.fetchone()[0]))
    return highest + 1


def advance_sequence(model: type[models.Model], last_used: int) -> None:
    """PostgreSQL: move the id sequence to ``last_used`` unless it is past it already, so the ORM's next insert
    does not take an id written in bulk (SQLite's AUTOINCREMENT follows an explicit larger id by itself)."""
    if connection.vendor != "postgresql" or not (sequence := id_sequence(model)):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(%s, GREATEST(%s, (SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
            f"FROM {sequence})))", [sequence, last_used],
        )


class BulkWriter:
    """Writes column data to tables inside an open transaction; see :func:`bulk_session`."""

    def __init__(self, tables: Sequence[type[models.Model]]) -> None:
        self.vendor = connection.vendor
        if self.vendor not in {"sqlite", "postgresql"}:
            raise NotImplementedError(f"bulk loading is not implemented for {self.vendor}")
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}  # time inside the database call, per table
        self._next_id: dict[type[models.Model], int] = {}
        self._first_id: dict[type[models.Model], int] = {}
        for model in tables:
            self._next_id[model] = self._first_id[model] = first_free_id(model)

    def reserve(self, model: type[models.Model], n: int) -> np.ndarray:
        """The next ``n`` ids of ``model``'s table, as an int64 array."""
        first = self._next_id[model]
        self._next_id[model] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    def advance_sequences(self) -> None:
        """Move each table's id sequence past the ids reserved here (see :func:`advance_sequence`)."""
        for model, following in self._next_id.items():
            if following > self._first_id[model]:
                advance_sequence(model, following - 1)

    def write(
        self, model: type[models.Model], n: int, columns: Mapping[str, Col], table: str | None = None,
        freeze: bool = False,
    ) -> int:
        """Append ``n`` rows; ``columns`` maps field names (or column names) to values.

        ``table`` is another table shaped like the model's (a partition being loaded, see ``core.partitions``).
        ``freeze`` (PostgreSQL, a table made in this transaction) writes the rows frozen and all-visible, as a
        ``VACUUM`` would leave them: index-only scans then need no visit to the rows.
        """
        if n == 0:
            return 0
        names = [self._column(model, name) for name in columns]
        table = table or model._meta.db_table
        if self.vendor == "sqlite":
            values = self._converted(columns, n, self._sqlite)
            sql = (f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in names)}) '
                   f'VALUES ({", ".join("?" * len(names))})')
            raw = connection.connection.cursor()
            began = time.perf_counter()
            try:
                raw.executemany(sql, zip(*values, strict=True))
            finally:
                raw.close()
        else:
            # Arrow formats the rows as CSV in C++ (a text line built per row in Python cost more than the COPY),
            # a slice at a time: the server parses one slice while the next is formatted.
            arrays = self._converted(columns, n, self._arrow)
            rows = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
            cols = ", ".join(connection.ops.quote_name(c) for c in names)
            options = "FORMAT csv, FREEZE" if freeze else "FORMAT csv"
            with connection.connection.cursor() as raw, raw.copy(
                f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN WITH ({options})"
            ) as copy:
                began = time.perf_counter()
                for first in range(0, n, COPY_ROWS):
                    stream = pa.BufferOutputStream()
                    pa_csv.write_csv(rows.slice(first, COPY_ROWS), stream, _CSV)
                    copy.write(memoryview(stream.getvalue()))  # type: ignore[arg-type]
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - began
        self.rows[table] = self.rows.get(table, 0) + n
        return n

    @staticmethod
    def _converted(columns: Mapping[str, Col], n: int, convert: Any) -> list[Iterable[Any]]:
        # created_at, updated_at and placed_at are often one array: convert it once.
        done: dict[tuple[int, str], Iterable[Any]] = {}
        out: list[Iterable[Any]] = []
        for col in columns.values():
            key = (id(col.values), col.kind)
            if col.kind in {"ts", "cents"} and key in done:
                out.append(done[key])
                continue
            values = convert(col, n)
            if col.kind in {"ts", "cents"}:
                done[key] = values
            out.append(values)
        return out

    @staticmethod
    def _column(model: type[models.Model], name: str) -> str:
        try:
            return str(model._meta.get_field(name).column)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            return name  # already a column name

    @staticmethod
    def _sqlite(col: Col, n: int) -> Iterable[Any]:
        kind, v = col.kind, col.values
        if kind == "const":
            return itertools.repeat(int(v) if isinstance(v, bool) else v, n)
        if kind in {"int", "number"}:
            return np.asarray(v, dtype=np.int64).tolist()
        if kind == "int_or_null":
            arr = np.asarray(v, dtype=np.int64)
            return [x if x >= 0 else NULL for x in arr.tolist()]
        if kind in {"text", "json"}:
            return v.tolist() if isinstance(v, np.ndarray) else v
        if kind == "ts":
            return _datetime_text(v).tolist()
        if kind == "ts_or_null":
            text = _datetime_text(v).tolist()
            return [t if m else NULL for t, m in zip(text, col.mask.tolist(), strict=True)]  # type: ignore[union-attr]
        if kind == "date":
            return [d or NULL for d in (v.tolist() if isinstance(v, np.ndarray) else v)]
        if kind == "cents":
            # Django hands SQLite str(Decimal), which the NUMERIC column affinity turns into the same REAL or
            # INTEGER as this float: identical storage, without formatting a string per value.
            return (np.asarray(v, dtype=np.int64) / 100).tolist()
        if kind == "bool":
            return np.asarray(v, dtype=bool).astype(np.int64).tolist()
        if kind == "float":
            return np.asarray(v, dtype=np.float64).tolist()
        raise ValueError(f"unknown column kind {kind!r}")

    @staticmethod
    def _arrow(col: Col, n: int) -> pa.Array:
        kind, v = col.kind, col.values
        if kind == "const":
            if v is None:
                return pa.nulls(n, pa.string())
            return pa.repeat(pa.scalar(v), n)
        if kind in {"int", "number"}:
            return pa.array(np.asarray(v, dtype=np.int64))
        if kind == "int_or_null":
            arr = np.asarray(v, dtype=np.int64)
            return pa.array(arr, mask=arr < 0)
        if kind in {"text", "json"}:
            return pa.array(v, type=pa.string(), from_pandas=False)
        if kind == "ts":
            return pa.array(np.asarray(v, dtype=np.int64), type=pa.timestamp("us", tz="UTC"))
        if kind == "ts_or_null":
            return pa.array(np.asarray(v, dtype=np.int64), type=pa.timestamp("us", tz="UTC"),
                            mask=~np.asarray(col.mask, dtype=bool))
        if kind == "date":
            values = v.tolist() if isinstance(v, np.ndarray) else list(v)
            return pa.array([d or None for d in values], type=pa.string())
        if kind == "cents":
            return _decimal_cents(v)
        if kind == "bool":
            return pa.array(np.asarray(v, dtype=bool))
        if kind == "float":
            # Arrow writes the shortest text that reads back as the same double; callers never pass NaN.
            return pa.array(np.asarray(v, dtype=np.float64))
        raise ValueError(f"unknown column kind {kind!r}")


# Below this many rows the order of an update hardly matters and reading it would cost more than it saves.
ORDERED_UPDATE_FROM = 10_000


def update_by_id(
    model: type[models.Model],
    ids: Sequence[int],
    values: Mapping[str, Sequence[Any]],
    *,
    same_for_all: Mapping[str, tuple[str, Sequence[Any]]] | None = None,
    in_order_of: str | None = None,
    keep_order: bool = False,
) -> int:
    """Set each row's own ``values`` (field name -> one value per id) and the ``same_for_all`` assignments (column ->
    SQL expression and its parameters, e.g. ``{"version": ("version + 1", [])}``) on the rows with these ids.

    On PostgreSQL the new values travel as arrays in one ``UPDATE ... FROM unnest(...)``: a statement per row is a
    round trip per row (341,000 lifecycle moves took minutes that way). On SQLite, in process, ``executemany`` of
    one prepared statement is as fast as any join. Call it inside the caller's transaction.

    ``in_order_of`` (a column with an index on (column, id)) updates the rows in that order when there are
    many of them. An update that changes an indexed column writes into every index of the table; once the
    indexes outgrow the cache, entries written at random places evict a dirty page nearly every time. In the
    order of a column that most indexes end with (the name, after owner, team or stage), each of those indexes
    is written nearly in sequence: a third of a million stage moves went from 79.5 to 34.6 s on PostgreSQL
    (128 MB of shared buffers) and from 12 to 6 s on SQLite. ``keep_order`` updates the rows in the order given
    (ids already put in such an order, see :func:`ids_in_order`).
    """
    if not ids:
        return 0
    if in_order_of is not None and len(ids) >= ORDERED_UPDATE_FROM:
        return _update_in_order(model, ids, values, same_for_all or {}, in_order_of)
    if keep_order and connection.vendor == "postgresql":
        return _update_in_given_order(model, ids, values, same_for_all or {})
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in values]
    columns = [str(f.column) for f in fields]  # type: ignore[union-attr]
    extra = dict(same_for_all or {})
    extra_sql = [f"{qn(column)} = {expression}" for column, (expression, _params) in extra.items()]
    extra_params = [param for _expression, params in extra.values() for param in params]
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(
                f"%s::{f.db_type(connection)}[]" for f in fields  # type: ignore[union-attr]
            )
            names = ", ".join(qn(c) for c in columns)
            assignments = [f"{qn(c)} = m.{qn(c)}" for c in columns] + extra_sql
            cursor.execute(
                f"UPDATE {table} SET {', '.join(assignments)} FROM unnest(%s::bigint[], {arrays}) "
                f"AS m(id, {names}) WHERE {table}.id = m.id",
                # The SET clause (with the shared expressions' parameters) comes before the arrays.
                [*extra_params, list(ids), *(list(v) for v in values.values())],
            )
        else:
            assignments = [f"{qn(c)} = %s" for c in columns] + extra_sql
            rows = [(*row[1:], *extra_params, row[0]) for row in zip(ids, *values.values(), strict=True)]
            cursor.executemany(f"UPDATE {table} SET {', '.join(assignments)} WHERE id = %s", rows)
    return len(ids)


def _update_in_order(
    model: type[models.Model], ids: Sequence[int], values: Mapping[str, Sequence[Any]],
    same_for_all: Mapping[str, tuple[str, Sequence[Any]]], column: str,
) -> int:
    given = np.asarray(ids, dtype=np.int64)
    ordered = ids_in_order(model, given, column)
    by_id = np.argsort(given, kind="stable")
    at = by_id[np.searchsorted(given[by_id], ordered)]
    reordered = {name: [column_values[i] for i in at.tolist()] for name, column_values in values.items()}
    return update_by_id(model, ordered.tolist(), reordered, same_for_all=same_for_all, keep_order=True)


def _update_in_given_order(
    model: type[models.Model], ids: Sequence[int], values: Mapping[str, Sequence[Any]],
    same_for_all: Mapping[str, tuple[str, Sequence[Any]]],
) -> int:
    with connection.cursor() as cursor:
        # The planner would hash-join the arrays with the table, which walks the table in its own order; a
        # nested loop over the arrays keeps theirs. Only for this statement: the settings are put back after.
        cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')")
        hashjoin, mergejoin = cursor.fetchone()
        cursor.execute("SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)")
        try:
            update_by_id(model, ids, values, same_for_all=same_for_all)
        finally:
            cursor.execute("SELECT set_config('enable_hashjoin', %s, true), set_config('enable_mergejoin', %s, true)",
                           [hashjoin, mergejoin])
    return len(ids)


def ids_in_order(model: type[models.Model], ids: np.ndarray, column: str) -> np.ndarray:
    """Those of ``ids`` that exist, in the order of (``column``, id)."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The whole (column, id) index, read in order, is quicker than sorting the rows' own values.
            cursor.execute(f"SELECT id FROM {table} ORDER BY {qn(column)}, id")
            everyone = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
            return everyone[np.isin(everyone, ids)]
        cursor.execute(
            f"SELECT t.id FROM {table} t JOIN unnest(%s::bigint[]) AS m(id) ON t.id = m.id "
            f"ORDER BY t.{qn(column)}, t.id", [ids.tolist()],
        )
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)


def _sqlite_pragma(name: str, value: Any = None) -> Any:
    with connection.cursor() as cursor:
        if value is None:
            cursor.execute(f"PRAGMA {name}")
        else:
            cursor.execute(f"PRAGMA {name} = {value}")
        row = cursor.fetchone()
    return row[0] if row else None


@contextmanager
def sqlite_load_settings(cache_kib: int) -> Iterator[None]:
    """Faster, still crash-safe settings for one big transaction; the previous ones come back afterwards.

    Only outside a transaction (PRAGMA foreign_keys and journal_mode are no-ops or errors inside one) and
    only for a database file. The load runs in rollback-journal mode: a fresh table's new pages need no
    journal, where WAL would write every page twice; WAL comes back at the end.
    """
    if connection.in_atomic_block or connection.settings_dict["NAME"] in {":memory:", ""}:
        yield
        return
    connection.ensure_connection()
    saved = {name: _sqlite_pragma(name) for name in ("foreign_keys", "synchronous", "cache_size", "journal_mode")}
    try:
        _sqlite_pragma("foreign_keys", "OFF")
        _sqlite_pragma("synchronous", "OFF")
        _sqlite_pragma("cache_size", -abs(cache_kib))
        with suppress(DatabaseError):  # another connection may hold the file open in WAL mode
            _sqlite_pragma("journal_mode", "DELETE")
        yield
    finally:
        with suppress(DatabaseError):
            _sqlite_pragma("journal_mode", saved["journal_mode"])
        _sqlite_pragma("synchronous", saved["synchronous"])
        _sqlite_pragma("cache_size", saved["cache_size"])
        _sqlite_pragma("foreign_keys", saved["foreign_keys"])


@contextmanager
def bulk_session(
    tables: Sequence[type[models.Model]], *, cache_kib: int = 262_144, defer_indexes: bool = False
) -> Iterator[BulkWriter]:
    """One transaction in which ``tables`` can be appended to with :class:`BulkWriter`.

    Everything written inside commits together or not at all. ``cache_kib`` is SQLite's page cache during
    the load (the random-order indexes of a million-row table want a few hundred MB). With
    ``defer_indexes`` the tables' secondary indexes are dropped first and built again, from the same
    definitions, before the commit: for a load as big as the table or bigger, sorting once beats inserting
    into every index row by row. Unique indexes are rebuilt too, so a duplicate still fails the whole load.
    On PostgreSQL ``DROP INDEX`` locks the tables against readers until the commit, so this is meant for
    filling a database, not for topping up one in use.
    """
    vendor = connection.vendor
    with sqlite_load_settings(cache_kib) if vendor == "sqlite" else _nothing(), transaction.atomic():
        replica = False
        if vendor == "postgresql":
            qn = connection.ops.quote_name
            with connection.cursor() as cursor:
                names = ", ".join(qn(m._meta.db_table) for m in tables)
                cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
                try:
                    with transaction.atomic():
                        cursor.execute("SET LOCAL session_replication_role = replica")
                    replica = True
                except DatabaseError:
                    replica = False  # not a superuser: the foreign keys are checked, which is only slower
        deferred = _drop_indexes(tables) if defer_indexes else []
        writer = BulkWriter(tables)
        yield writer
        with connection.cursor() as cursor:
            if deferred and vendor == "postgresql":
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            began = time.perf_counter()
            for _name, sql in deferred:
                cursor.execute(sql)
            writer.seconds["(indexes)"] = time.perf_counter() - began
            if vendor == "postgresql":
                if replica:
                    cursor.execute("SET LOCAL session_replication_role = origin")
                for sql in connection.ops.sequence_reset_sql(no_style(), list(tables)):
                    cursor.execute(sql)
        writer.advance_sequences()


def secondary_indexes(tables: Sequence[type[models.Model]]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that are not a primary key or a constraint."""
    names = [m._meta.db_table for m in tables]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) ORDER BY tbl_name, name", names,
            )
        else:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname) ORDER BY i.tablename, i.indexname", [names],
            )
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def _drop_indexes(tables: Sequence[type[models.Model]]) -> list[tuple[str, str]]:
    indexes = secondary_indexes(tables)
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return indexes


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def analyze(tables: Sequence[type[models.Model]]) -> None:
    """Refresh the planner's statistics after a big load (PostgreSQL's autovacuum would, but later).

    SQLite gets a full ANALYZE of the loaded tables: a sampled one (``analysis_limit``) caps the rows per
    key at the limit, which makes "the owner's customers" look as common as "all active customers" and
    steers the customer list onto the wrong index. A full pass over a million customers takes seconds.
    """
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
