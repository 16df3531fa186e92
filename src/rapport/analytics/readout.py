"""The operational tables read out as Arrow for the engine: the ADBC driver in production, the Django cursor in tests.

Reading ten million orders through Django's cursor is a Python loop over rows (about a minute); the ADBC
drivers hand the database's rows to Arrow in C (a few seconds), and DuckDB aggregates them from there
(see docs/decisions/0013-analytics-runs.md). ADBC opens its own connection, which cannot see rows of a
transaction that is still open on Django's connection (the test suite's, or a caller's ``atomic``) nor an
in-memory SQLite database: then the same SQL goes through Django's cursor instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

import pyarrow as pa
from django.conf import settings
from django.db import connection

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class ReadoutError(RuntimeError):
    """The data could not be read; the message says which table and why."""


def _day_sql(column: str) -> str:
    """The UTC day of a timestamp column as days since 1970-01-01 (same-day purchases are one transaction)."""
    if connection.vendor == "sqlite":
        # Django stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; unixepoch (SQLite 3.38+) of the date part is the
        # cheapest way to a day number (a third faster than julianday on ten million rows).
        return f"(unixepoch(substr({column}, 1, 10)) / 86400)"
    return f"((({column}) AT TIME ZONE 'UTC')::date - DATE '1970-01-01')"


def _rate_sql(currency_column: str) -> str:
    """Multiply by this to convert an amount into the reporting currency; NULL for a currency with no rate.

    The rates are validated settings (three-letter codes, positive numbers), so they are written into the SQL.
    """
    rates: dict[str, float] = settings.CURRENCY_RATES
    base = rates.get(settings.REPORTING_CURRENCY, 1.0)
    cases = " ".join(
        f"WHEN '{code}' THEN {base / rate!r}" for code, rate in sorted(rates.items())
        if code.isalpha() and len(code) == 3 and math.isfinite(rate) and rate > 0
    )
    return f"(CASE {currency_column} {cases} ELSE NULL END)"


def orders_sql(as_of: date | None) -> str:
    """customer_id, day, total (reporting currency), is_return; cancelled orders are not purchases."""
    until = f" AND {_day_sql('placed_at')} <= {as_of.toordinal() - EPOCH_ORDINAL}" if as_of else ""
    return (
        f"SELECT customer_id, {_day_sql('placed_at')} AS day, "
        f"CAST(total AS DOUBLE PRECISION) * {_rate_sql('currency')} AS total, "
        f"CASE WHEN status = 'returned' THEN 1 ELSE 0 END AS is_return "
        f"FROM commerce_order WHERE status <> 'cancelled'{until}"
    ).replace("DOUBLE PRECISION", "REAL" if connection.vendor == "sqlite" else "DOUBLE PRECISION")


def interactions_sql(as_of: date | None) -> str:
    until = f" WHERE {_day_sql('occurred_at')} <= {as_of.toordinal() - EPOCH_ORDINAL}" if as_of else ""
    return (
        f"SELECT customer_id, {_day_sql('occurred_at')} AS day, "
        f"CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END AS inbound, channel "
        f"FROM interactions_interaction{until}"
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
        raise ReadoutError(f"could not read the data ({sql.split(' FROM ')[-1].split()[0]}): {exc}") from exc
    return table.rename_columns(list(names)).cast(schema)


def _read_adbc(sql: str) -> pa.Table:
    if connection.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        conn: Any = adbc_sqlite.connect(str(connection.settings_dict["NAME"]))
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
            arrays = [pa.array(c).cast(f.type) for c, f in zip(columns, schema, strict=True)]
            batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def orders(as_of: date | None = None) -> pa.Table:
    """customer_id, placed_at (the UTC day, date32), total (reporting currency; null without a rate), is_return."""
    table = read(orders_sql(as_of), ["customer_id", "day", "total", "is_return"],
                 [pa.int64(), pa.int32(), pa.float64(), pa.bool_()])
    return table.set_column(1, "placed_at", table.column("day").cast(pa.date32()))


def interactions(as_of: date | None = None) -> pa.Table:
    return read(interactions_sql(as_of), ["customer_id", "day", "inbound", "channel"],
                [pa.int64(), pa.int32(), pa.bool_(), pa.string()])
