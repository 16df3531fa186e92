"""The score table partitioned by run on PostgreSQL: a run's partition is loaded bare, indexed, attached, dropped."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from rapport.analytics.models import CustomerScore
from rapport.core import partitions
from tests.analytics.factories import make_run, make_score
from tests.factories import make_customer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has no partitions"),
]


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


def _partitions() -> set[str]:
    return {r[0] for r in _rows(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'analytics_customerscore'::regclass")}


def _indexes_of(table: str) -> int:
    return _rows("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [table])[0][0]


def _load(run, customers) -> str:
    """A partition for ``run`` with one score per customer, written as the scoring run writes it."""
    child = partitions.new_partition(CustomerScore, run.pk)
    scores = [make_score(run, c) for c in customers]  # the default partition holds them for a moment
    ids = [s.pk for s in scores]
    _rows(f'INSERT INTO "{child}" SELECT * FROM analytics_customerscore WHERE id = ANY(%s)', [ids])
    _rows("DELETE FROM analytics_customerscore WHERE id = ANY(%s)", [ids])
    assert _indexes_of(child) == 0
    partitions.index_partition(CustomerScore, child)
    return child


def test_the_score_table_is_partitioned_by_run_with_a_default_partition():
    assert partitions.is_partitioned(CustomerScore)
    assert "analytics_customerscore_default" in _partitions()


def test_a_loaded_partition_takes_every_index_of_the_table_and_attaching_builds_none():
    run = make_run()
    customers = [make_customer() for _ in range(3)]
    child = _load(run, customers)
    built = _indexes_of(child)
    assert built == _indexes_of("analytics_customerscore")
    partitions.attach_partition(CustomerScore, child, run.pk)
    assert child in _partitions()
    assert _indexes_of(child) == built  # the indexes were taken over, not made again
    attached = _rows(
        "SELECT count(*) FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid "
        "WHERE x.indrelid = %s::regclass", [child])[0][0]
    assert attached == built
    assert sorted(CustomerScore.objects.filter(run=run).values_list("customer_id", flat=True)) == sorted(
        c.pk for c in customers)
    assert CustomerScore.objects.filter(customer=customers[0]).get().run_id == run.pk


def test_a_partition_with_a_duplicate_customer_is_refused():
    run = make_run()
    customer = make_customer()
    child = partitions.new_partition(CustomerScore, run.pk)
    score = make_score(run, customer)
    _rows(f'INSERT INTO "{child}" SELECT * FROM analytics_customerscore WHERE id = %s', [score.pk])
    _rows(f'INSERT INTO "{child}" SELECT * FROM "{child}"')
    _rows(f'UPDATE "{child}" SET id = id + 1000000 WHERE ctid = (SELECT min(ctid) FROM "{child}")')
    with pytest.raises(IntegrityError), transaction.atomic():
        partitions.index_partition(CustomerScore, child)


def test_dropping_a_runs_partition_deletes_that_run_only():
    first, second = make_run(), make_run()
    customer = make_customer()
    partitions.attach_partition(CustomerScore, _load(first, [customer]), first.pk)
    partitions.attach_partition(CustomerScore, _load(second, [customer]), second.pk)
    assert partitions.drop_partitions(CustomerScore, [first.pk, 999_999]) == [first.pk, 999_999]
    assert list(CustomerScore.objects.filter(customer=customer).values_list("run_id", flat=True)) == [second.pk]
    assert partitions.partition_name(CustomerScore, first.pk) not in _partitions()


def test_the_migration_turns_the_table_back_and_forth_keeping_rows_and_ids():
    from django.db.migrations.state import ProjectState

    run = make_run()
    scores = [make_score(run, make_customer()) for _ in range(2)]
    operation = partitions.partition_by_list("analytics_customerscore", "run_id", key=("id", "run_id"))
    state = ProjectState()
    _rows("SET CONSTRAINTS ALL IMMEDIATE")  # the rows' deferred key checks, else the old table cannot be dropped
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("analytics", editor, state, state)
    assert not partitions.is_partitioned(CustomerScore)
    assert CustomerScore.objects.filter(run=run).count() == 2
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("analytics", editor, state, state)
    assert partitions.is_partitioned(CustomerScore)
    assert sorted(CustomerScore.objects.filter(run=run).values_list("pk", flat=True)) == sorted(s.pk for s in scores)
    later = make_score(run, make_customer())
    assert later.pk > max(s.pk for s in scores)
    names = {r[0] for r in _rows("SELECT indexname FROM pg_indexes WHERE tablename = 'analytics_customerscore'")}
    assert {"score_customer_idx", "score_run_matrix_idx", "score_run_rfm_idx", "score_run_segment_idx"} <= names
