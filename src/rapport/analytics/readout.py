"""The operational tables read out as Arrow for the engine: the ADBC driver in production, the Django cursor in tests.

Reading ten million orders through Django's cursor is a Python loop over rows (about a minute); the ADBC
drivers hand the database's rows to Arrow in C (a few seconds), and DuckDB aggregates them from there
(see docs/decisions/0013-analytics-runs.md). ADBC opens its own connection, which cannot see rows of a
transaction that is still open on Django's connection (the test suite's, or a caller's ``atomic``) nor an
in-memory SQLite database: then the same SQL goes through Django's cursor instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection

from rapport.analytics.relationship import SELF_SERVICE

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class ReadoutError(RuntimeError):
    """The data could not be read; the message says which table and why."""


def _day_sql(column: str) -> str:
    """The UTC day of a timestamp column as days since 1970-01-01 (same-day purchases are one transaction)."""
    if connection.vendor == "sqlite":
        # Django stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; unixepoch (SQLite 3.38+) of the date part is the
        # cheapest way to a day number (a third faster than julianday on ten million rows).
        return f"(unixepoch(substr({column}, 1, 10)) / 86400)"
    # PostgreSQL sends the timestamp itself and Arrow takes its day (``_days``): a fifth of the read-out's server
    # time went into AT TIME ZONE and the date arithmetic, row by row.
    return column


def _until_sql(column: str, as_of: date | None) -> str:
    """`` AND`` the timestamp column is on or before the as-of day (UTC), compared on the stored value.

    On SQLite the value is UTC text, which sorts as time does; the unary ``+`` keeps the planner off the column's
    index, which would turn a scan of nearly every row into ten million random lookups (measured: 37 s against
    4 s). Computing the day of every row for the comparison instead costs a second per ten million rows.
    """
    if as_of is None:
        return ""
    next_day = date.fromordinal(as_of.toordinal() + 1).isoformat()
    if connection.vendor == "sqlite":
        return f" AND +{column} < '{next_day}'"
    return f" AND {column} < TIMESTAMPTZ '{next_day} 00:00:00+00'"


def _rate_sql(currency_column: str) -> str:
    """Multiply by this to convert an amount into the reporting currency; NULL for a currency with no rate.

    The rates are validated settings (three-letter codes, positive numbers), so they are written into the SQL.
    """
    rates: dict[str, float] = settings.CURRENCY_RATES
    base = rates.get(settings.REPORTING_CURRENCY, 1.0)
    # On PostgreSQL each rate is cast to a double in the SQL (folded once when the query is planned): a bare
    # literal such as 5.0 is a NUMERIC there, and converting it on every row cost a sixth of the read-out.
    # SQLite's 5.0 is already a double.
    typed = "{!r}" if connection.vendor == "sqlite" else "CAST({!r} AS DOUBLE PRECISION)"
    cases = " ".join(
        f"WHEN '{code}' THEN {typed.format(base / rate)}" for code, rate in sorted(rates.items())
        if code.isalpha() and len(code) == 3 and math.isfinite(rate) and rate > 0
    )
    return f"(CASE {currency_column} {cases} ELSE NULL END)"


def _part_sql(part: str | None) -> str:
    return f" AND {part}" if part else ""


def orders_sql(as_of: date | None, part: str | None = None) -> str:
    """customer_id, day, total (reporting currency), is_return; cancelled orders are not purchases.

    The flags are the comparisons themselves: a boolean on PostgreSQL (an integer 0/1 on SQLite), where a CASE
    made an integer the client then had to turn into a boolean.

    ``part`` is a condition that limits the rows to one slice of a parallel read-out (see ``read_in_parts``)."""
    until = _until_sql("placed_at", as_of)
    return (
        f"SELECT customer_id, {_day_sql('placed_at')} AS day, "
        f"CAST(total AS DOUBLE PRECISION) * {_rate_sql('currency')} AS total, "
        f"(status = 'returned') AS is_return "
        f"FROM commerce_order WHERE status <> 'cancelled'{until}{_part_sql(part)}"
    ).replace("DOUBLE PRECISION", "REAL" if connection.vendor == "sqlite" else "DOUBLE PRECISION")


def interactions_sql(as_of: date | None, part: str | None = None) -> str:
    """customer_id, day, inbound, self_service (a channel where the customer serves themselves).

    The channel is folded into a flag in the database: ten million short strings cost more to hand over than
    the flag the features need."""
    until = _until_sql("occurred_at", as_of)
    channels = ", ".join(f"'{c}'" for c in SELF_SERVICE)
    return (
        f"SELECT customer_id, {_day_sql('occurred_at')} AS day, "
        f"(direction = 'inbound') AS inbound, "
        f"(channel IN ({channels})) AS self_service "
        f"FROM interactions_interaction WHERE 1 = 1{until}{_part_sql(part)}"
    )


def customers_sql() -> str:
    return "SELECT id AS customer_id, lifecycle_stage, owner_id, created_at FROM customers_customer"


def _adbc_usable() -> bool:
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return not (name == ":memory:" or "mode=memory" in name)
    return connection.vendor == "postgresql"


def _pg_uri() -> str:
    s = connection.settings_dict
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(str(s["PASSWORD"]), safe="")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{auth + '@' if auth else ''}{host}{port}/{quote(str(s['NAME']), safe='')}"


def read(sql: str, names: Sequence[str], types: Sequence[pa.DataType]) -> pa.Table:
    """Run ``sql`` and return its rows as an Arrow table with these column names and types."""
    schema = pa.schema(list(zip(names, types, strict=True)))
    try:
        if not _adbc_usable():
            return _read_cursor(sql, schema)
        table = _read_adbc(sql)
    except Exception as exc:  # the drivers raise their own error classes; the caller gets one clear message
        raise ReadoutError(f"could not read the data ({_table_of(sql)}): {exc}") from exc
    return _conform(table.rename_columns(list(names)), schema)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table in ``schema``'s types; a timestamp read for an integer day column becomes its UTC day number."""
    columns = [
        _days(table.column(i)) if pa.types.is_timestamp(table.schema.field(i).type) and pa.types.is_integer(f.type)
        else table.column(i)
        for i, f in enumerate(schema)
    ]
    return pa.Table.from_arrays(columns, names=schema.names).cast(schema)


def _days(column: Any) -> Any:
    """Days since 1970-01-01 (UTC) of a timestamp column, flooring instants before 1970 correctly.

    The zone is dropped first (the instants stay UTC): Arrow takes the date of a zoned timestamp in that zone's
    local time. The casts run in C on each chunk as it is, nulls kept (a tenth of a second for ten million rows,
    where a copy into one NumPy array took a third of a second).
    """
    naive = pc.cast(pc.cast(column, pa.int64()), pa.timestamp(column.type.unit))
    return pc.cast(pc.cast(naive, pa.date32()), pa.int32())


def read_in_parts(
    table: str, sql_for: Callable[[str | None], str], names: Sequence[str], types: Sequence[pa.DataType],
    parts: int,
) -> pa.Table:
    """``read`` split into ``parts`` slices of ``table`` read at once on their own connections.

    The drivers convert rows to Arrow in C without holding the GIL, so on two cores two slices take about half
    the time of one scan on SQLite (ten million orders: 4.3 s as one read, 2.1 s as two) and four fifths on
    PostgreSQL, whose server processes share the cores with the readers. Slices are ranges of the rowid on SQLite
    (a range scan of the table's own B-tree) and of the physical blocks on PostgreSQL (a TID range scan: an id
    range would be read through the primary key's index, row by row). The order of the rows is not kept: every
    consumer aggregates them.
    """
    if parts <= 1 or not _adbc_usable():
        return read(sql_for(None), names, types)
    slices = _slices(table, parts)
    if not slices:
        return read(sql_for(None), names, types)
    with ThreadPoolExecutor(max_workers=parts) as pool:
        pieces = list(pool.map(lambda part: read(sql_for(part), names, types), slices))
    return pa.concat_tables(pieces)


# Below these sizes one read is as quick as several (SQLite: ids spanned; PostgreSQL: 8 kB blocks).
MIN_SLICED_IDS = 100_000
MIN_SLICED_BLOCKS = 1_000


def _slices(table: str, parts: int) -> list[str]:
    """Conditions that split ``table`` into ``parts`` slices; none for a table too small to be worth it."""
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {quoted}")
            low, high = cursor.fetchone()
            if low is None or high - low < MIN_SLICED_IDS:
                return []
            edges = [low + (high - low + 1) * i // parts for i in range(parts)] + [high + 1]
            return [f"id >= {edges[i]} AND id < {edges[i + 1]}" for i in range(parts)]
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        blocks = int(cursor.fetchone()[0] or 0)
    if blocks < MIN_SLICED_BLOCKS:
        return []
    edges = [blocks * i // parts for i in range(parts)]
    conditions = [f"ctid >= '({edges[i]},0)'::tid AND ctid < '({edges[i + 1]},0)'::tid" for i in range(parts - 1)]
    # The last slice is open-ended: rows written since the size was read land in blocks past the end.
    return [*conditions, f"ctid >= '({edges[-1]},0)'::tid"]


def _table_of(sql: str) -> str:
    return sql.split(" FROM ")[-1].split()[0]


def _read_adbc(sql: str) -> pa.Table:
    if connection.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        conn: Any = adbc_sqlite.connect(str(connection.settings_dict["NAME"]))
        # Connections opened at the same moment (a parallel read-out) can find the file briefly locked.
        busy = conn.cursor()
        busy.execute("PRAGMA busy_timeout = 30000")
        busy.close()
    else:
        import adbc_driver_postgresql.dbapi as adbc_pg

        conn = adbc_pg.connect(_pg_uri())
    try:
        cursor = conn.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetch_arrow_table()
        finally:
            cursor.close()
    finally:
        conn.close()


def _read_cursor(sql: str, schema: pa.Schema, chunk: int = 50_000) -> pa.Table:
    batches: list[pa.RecordBatch] = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            columns = list(zip(*rows, strict=True))
            raw = pa.table([pa.array(c) for c in columns], names=schema.names)
            batches.extend(_conform(raw, schema).to_batches())
    return pa.Table.from_batches(batches, schema=schema)


def orders(as_of: date | None = None, parts: int = 1) -> pa.Table:
    """customer_id, placed_at (the UTC day, date32), total (reporting currency; null without a rate), is_return."""
    table = read_in_parts("commerce_order", lambda part: orders_sql(as_of, part),
                          ["customer_id", "day", "total", "is_return"],
                          [pa.int64(), pa.int32(), pa.float64(), pa.bool_()], parts)
    return table.set_column(1, "placed_at", table.column("day").cast(pa.date32()))


def interactions(as_of: date | None = None, parts: int = 1) -> pa.Table:
    """customer_id, day, inbound, self_service (see ``interactions_sql``)."""
    return read_in_parts("interactions_interaction", lambda part: interactions_sql(as_of, part),
                         ["customer_id", "day", "inbound", "self_service"],
                         [pa.int64(), pa.int32(), pa.bool_(), pa.bool_()], parts)
