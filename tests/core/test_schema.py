"""The schema keeps no index that another index already serves (each one costs every insert and update)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.core.schema import fk_index_dropped

pytestmark = pytest.mark.django_db

# An index is (name, columns with their direction, unique, partial or on expressions, opclasses).
Index = tuple[str, tuple[str, ...], bool, bool, tuple[str, ...]]


def _sqlite_indexes(table: str) -> list[Index]:
    found = []
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(table)})")
        for _seq, name, unique, _origin, partial in cursor.fetchall():
            cursor.execute(f"PRAGMA index_xinfo({connection.ops.quote_name(name)})")
            keys = [(cid, column, desc) for _n, cid, column, desc, _coll, key in cursor.fetchall() if key]
            special = bool(partial) or any(cid < 0 for cid, _c, _d in keys)
            found.append((name, tuple(f"{c} {'desc' if d else 'asc'}" for _i, c, d in keys), bool(unique), special, ()))
    return found


def _postgres_indexes(table: str) -> list[Index]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisunique, i.indpred IS NOT NULL OR i.indexprs IS NOT NULL, am.amname, "
            "array(SELECT a.attname || CASE WHEN i.indoption[k.n - 1] & 1 = 1 THEN ' desc' ELSE ' asc' END "
            "      FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
            "      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n), "
            "array(SELECT o.opcname FROM unnest(i.indclass) WITH ORDINALITY AS k(oid, n) "
            "      JOIN pg_opclass o ON o.oid = k.oid ORDER BY k.n) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE i.indrelid = %s::regclass", [table],
        )
        return [
            (name, tuple(columns), unique, special or method != "btree", tuple(opclasses))
            for name, unique, special, method, columns, opclasses in cursor.fetchall()
        ]


def _leads(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Whether an index on ``long`` serves what one on ``short`` does: same columns first, read one way or back."""
    if len(short) > len(long):
        return False
    head = long[: len(short)]
    flipped = tuple(c.replace(" asc", " ~").replace(" desc", " asc").replace(" ~", " desc") for c in head)
    return short in (head, flipped)


def redundant_indexes() -> list[str]:
    found = []
    read = _sqlite_indexes if connection.vendor == "sqlite" else _postgres_indexes
    for model in apps.get_models(include_auto_created=False):
        if not model.__module__.startswith("rapport."):
            continue
        indexes = read(model._meta.db_table)
        for name, columns, unique, special, opclasses in indexes:
            if unique or special:
                continue  # a unique index enforces something; a partial one serves other queries
            for other, other_columns, _u, other_special, other_opclasses in indexes:
                if other != name and not other_special and other_opclasses[: len(opclasses)] == opclasses \
                        and _leads(columns, other_columns):
                    found.append(f"{model._meta.db_table}: {name} {columns} is served by {other} {other_columns}")
                    break
    return found


def test_no_index_is_led_by_another_one():
    assert redundant_indexes() == []


def test_it_sees_an_index_that_a_composite_one_already_leads_with():
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX "probe_order_customer" ON "commerce_order" ("customer_id")')
    try:
        assert [line for line in redundant_indexes() if "probe_order_customer" in line] == [
            "commerce_order: probe_order_customer ('customer_id asc',) is served by order_timeline_idx "
            "('customer_id asc', 'placed_at desc', 'id desc')"
        ]
    finally:
        with connection.cursor() as cursor:
            cursor.execute('DROP INDEX "probe_order_customer"')


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to run inside a transaction
def test_a_dropped_key_index_is_dropped_by_name_and_made_again_on_the_way_back():
    from django.db import migrations, models
    from django.db.migrations.state import ProjectState

    state = ProjectState.from_apps(apps)
    alter = migrations.AlterField(
        "order", "customer",
        models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="orders", db_index=True),
    )
    operation = fk_index_dropped("commerce", alter)
    try:
        with connection.schema_editor() as editor, CaptureQueriesContext(connection) as queries:
            operation.database_backwards("commerce", editor, state, state)
        made = [q["sql"] for q in queries.captured_queries if "CREATE INDEX" in q["sql"]]
        assert len(made) == 1 and "commerce_order_customer_id_" in made[0]
        assert any("commerce_order_customer_id_" in line for line in redundant_indexes())
    finally:
        with connection.schema_editor() as editor, CaptureQueriesContext(connection) as queries:
            operation.database_forwards("commerce", editor, state, state)
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DROP INDEX IF EXISTS")]
    assert redundant_indexes() == []
