"""Tables partitioned by list on PostgreSQL: one partition per value, loaded bare and indexed by sorting.

A table that gets a million rows per run and keeps a dozen runs pays, on every run, for inserting each row into
indexes that hold all the runs: the random-order ones (by customer) outgrow the buffer cache and every entry
costs a page read and a full-page image in the WAL. With the table partitioned by run, a run's rows go into a
table of their own with no index, its indexes are then built by sorting (a few seconds each), and the table is
attached as the run's partition; an old run is a ``DROP TABLE`` instead of a million-row ``DELETE``.

SQLite has no partitions: there the table stays one table and everything here is a no-op or a plain write.
Rows inserted through the ORM (tests, a run's leftovers from before the table was partitioned) land in the
``_default`` partition and are read and deleted like any others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, connection, migrations, transaction
from django.db.models import Model

DEFAULT_SUFFIX = "_default"


def is_partitioned(model: type[Model]) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.oid = to_regclass(%s)", [connection.ops.quote_name(model._meta.db_table)],
        )
        return cursor.fetchone() is not None


def partition_name(model: type[Model], value: int) -> str:
    return f"{model._meta.db_table}_p{int(value)}"


def new_partition(model: type[Model], value: int) -> str:
    """A bare table shaped like ``model``'s (columns, defaults, checks; no index, no key) for rows of ``value``."""
    child, qn = partition_name(model, value), connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {qn(child)} (LIKE {qn(model._meta.db_table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
    return child


def index_partition(model: type[Model], child: str) -> None:
    """Build on ``child`` every index and key of the parent, each by one sort, so attaching it builds nothing;
    then gather its statistics (autovacuum would, minutes later: until then the planner takes the partition for
    empty and joins a million rows as if they were one).

    A unique index of the parent needs a matching unique constraint on the partition (else ``ATTACH`` builds
    another one); the other indexes are made from the parent's definitions with the table's name swapped.
    """
    qn, parent = connection.ops.quote_name, model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u') ORDER BY c.conname", [qn(parent)],
        )
        keys = [row[0] for row in cursor.fetchall()]
        indexes = _plain_indexes(cursor, qn(parent))
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in keys:
            cursor.execute(f"ALTER TABLE {qn(child)} ADD {definition}")
        for definition in indexes:
            # "CREATE INDEX name ON ONLY public.parent USING ..." -> an unnamed index on the partition.
            method_and_keys = re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ ", "", definition)
            unique = "UNIQUE " if definition.startswith("CREATE UNIQUE") else ""
            cursor.execute(f"CREATE {unique}INDEX ON {qn(child)} {method_and_keys}")
        cursor.execute(f"ANALYZE {qn(child)}")


def _plain_indexes(cursor: Any, table: str) -> list[str]:
    """The ``CREATE INDEX`` statements of ``table``'s indexes that back no constraint (key, unique)."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid", [table],
    )
    return [row[0] for row in cursor.fetchall()]


def attach_partition(model: type[Model], child: str, value: int) -> None:
    """Make ``child`` the partition of ``value``: its indexes are taken as the parent's, its keys checked once.

    ``ATTACH`` checks the rows against the foreign keys, which takes a share lock on the referenced tables
    until the commit (writes to them wait): call it last in the transaction.
    """
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {qn(model._meta.db_table)} ATTACH PARTITION {qn(child)} FOR VALUES IN ({int(value)})"
        )


def drop_partitions(model: type[Model], values: Iterable[int], lock_timeout_ms: int = 2000) -> list[int]:
    """Drop the partitions of ``values`` that exist; the values whose partition is gone (or never was).

    Dropping a partition locks the whole table for a moment: a drop that would wait longer than
    ``lock_timeout_ms`` for readers is given up and left for the next time (the rows are still right).
    """
    qn, done = connection.ops.quote_name, []
    for value in values:
        child = partition_name(model, value)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
                cursor.execute(f"DROP TABLE IF EXISTS {qn(child)}")
        except DatabaseError:
            continue
        done.append(int(value))
    return done


def partition_by_list(table: str, column: str, key: tuple[str, ...]) -> migrations.RunPython:
    """A migration that turns ``table`` into a table partitioned by list on ``column`` (PostgreSQL only).

    The primary key must include the partition column there, so it becomes ``key``; the other indexes, unique
    constraints and foreign keys keep their names and definitions, and the rows move into the default
    partition. Backwards, the rows of every partition move back into one plain table.
    """

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        _rebuild(schema_editor, table, f"PARTITION BY LIST ({schema_editor.quote_name(column)})", key)

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        _rebuild(schema_editor, table, "", ("id",))

    return migrations.RunPython(forward, backward)


def _rebuild(schema_editor: Any, table: str, partitioning: str, key: tuple[str, ...]) -> None:
    qn, old = schema_editor.quote_name, f"{table}__old"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('u', 'f') ORDER BY contype DESC, conname", [qn(table)],
        )
        constraints = cursor.fetchall()
        indexes = _plain_indexes(cursor, qn(table))
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
                       [qn(table)])
        primary = cursor.fetchone()
    schema_editor.execute(f"ALTER TABLE {qn(table)} RENAME TO {qn(old)}")
    schema_editor.execute(
        f"CREATE TABLE {qn(table)} (LIKE {qn(old)} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
        f" {partitioning}"
    )
    if partitioning:
        schema_editor.execute(f"CREATE TABLE {qn(table + DEFAULT_SUFFIX)} PARTITION OF {qn(table)} DEFAULT")
    columns = ", ".join(qn(c) for c in key)
    schema_editor.execute(f"INSERT INTO {qn(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {qn(old)}")
    # The old table's identity sequence goes with it: the new one carries on from the highest id.
    schema_editor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
        f"FROM {qn(table)}", [qn(table)],
    )
    schema_editor.execute(f"DROP TABLE {qn(old)} CASCADE")
    name = primary[0] if primary else f"{table}_pkey"
    schema_editor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} PRIMARY KEY ({columns})")
    for conname, definition in constraints:
        schema_editor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(conname)} {definition}")
    for definition in indexes:
        schema_editor.execute(re.sub(r" ON (ONLY )?\S+ ", f" ON {qn(table)} ", definition, count=1))
