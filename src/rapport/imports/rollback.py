"""Undo a batch: chunks in reverse order, each one's created rows deleted and its before-images put back.

Created rows are found by the id ranges the chunk recorded (ids are never handed out twice, see ``writes``)
and deleted through the ORM, so whatever was attached to them since (an order added by hand to an imported
customer) goes the way the models say (CASCADE, SET_NULL). Rows the chunk deleted (an order's replaced
lines) are inserted again with their ids; rows it updated get their recorded columns back. Tags the batch
created are removed only if nothing uses them any more.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection, models

from rapport.customers.models import Tag
from rapport.imports import registry
from rapport.imports.models import ImportBatch, ImportChunk
from rapport.imports.writes import qn, restore_value

# Records per delete: the collector holds their ids (and their cascades) in memory, and asks each related table
# once per slice (SQLite splits that into 999-id queries by itself).
DELETE_SLICE = 10_000


@cache
def _models() -> dict[str, type[models.Model]]:
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


def undo_chunks(batch: ImportBatch) -> dict[str, int]:
    """Take back every committed chunk of ``batch``, newest first; the caller holds the transaction.

    Returns {"deleted": rows, "restored": rows}.
    """
    entity = registry.get(batch.entity)
    order = [m._meta.db_table for m in reversed(entity.tables)]  # children first
    totals = {"deleted": 0, "restored": 0}
    for chunk in batch.chunks.order_by("-number").iterator(chunk_size=1):
        deleted, restored = _undo(chunk, order)
        totals["deleted"] += deleted
        totals["restored"] += restored
    batch.chunks.all().delete()
    return totals


def _undo(chunk: ImportChunk, order: list[str]) -> tuple[int, int]:
    deleted = 0
    tables = sorted(chunk.created_ids, key=lambda t: order.index(t) if t in order else -1)
    for table in tables:
        first, last = chunk.created_ids[table]
        deleted += _delete_range(_models()[table], int(first), int(last))
    restored = 0
    images: dict[str, Any] = dict(chunk.before)
    for table, image in images.pop("deleted", {}).items():
        restored += _insert(_models()[table], image["columns"], image["rows"])
    for table, image in images.items():
        restored += _update(_models()[table], image["columns"], image["rows"])
    return deleted, restored


def _delete_range(model: type[models.Model], first: int, last: int) -> int:
    removed = 0
    for start in range(first, last + 1, DELETE_SLICE):
        rows = model._base_manager.filter(pk__range=(start, min(last, start + DELETE_SLICE - 1)))
        if model is Tag:
            rows = rows.filter(customers__isnull=True)
        _count, per_model = rows.only("pk").delete()
        removed += per_model.get(model._meta.label, 0)
    return removed


def _fields(model: type[models.Model], attnames: list[str]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def _insert(model: type[models.Model], columns: list[str], rows: list[list[Any]]) -> int:
    if not rows:
        return 0
    concrete = _fields(model, columns)
    names = ", ".join(qn(f.column) for f in concrete)
    marks = ", ".join(["%s"] * len(concrete))
    params = [[restore_value(f, v) for f, v in zip(concrete, row, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({marks})", params)
    return len(rows)


def _update(model: type[models.Model], columns: list[str], rows: list[list[Any]]) -> int:
    if not rows:
        return 0
    concrete = _fields(model, columns)
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in concrete)
    params = [[*(restore_value(f, v) for f, v in zip(concrete, row[1:], strict=True)), row[0]] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE {qn(model._meta.pk.column)} = %s", params
        )
    return len(rows)
