"""The full export behind ``rapport export``: every customer-data table into one ZIP, streamed.

Each table is read on its primary key in keyset pages (``WHERE id > last ORDER BY id LIMIT n``: constant cost
per page at any depth, no OFFSET, no table held whole) as plain value tuples (no model instances, no
per-row queries), and each page is written straight into its ZIP member. With a user, every table goes
through the same access scoping as the pages (``visible_to`` and the selectors); without one, it is an
administrator's backup of everything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

import rapport
from rapport.accounts.models import Team, User
from rapport.accounts.selectors import assignable_owners
from rapport.commerce.models import Order, OrderLine, Product
from rapport.core.access import scope_of, visible_to
from rapport.core.csvexport import safe_cell
from rapport.core.xlsxexport import write_xlsx
from rapport.customers.models import (
    Address,
    Consent,
    Contact,
    ContactPoint,
    Customer,
    ExternalIdentifier,
    LifecycleChange,
    Tag,
)
from rapport.interactions.models import Interaction, Note, Task
from rapport.sales.models import Lead, Opportunity, OpportunityStageChange, Pipeline, Stage

FORMATS = ("csv", "xlsx")
DEFAULT_CHUNK = 5_000
MANIFEST_VERSION = 1

Scope = Callable[[Any, models.QuerySet[Any]], models.QuerySet[Any]]


def _scoped(user: Any, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return visible_to(user, qs)


def _reference(user: Any, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Shared vocabularies (tags, products, pipelines, teams): no customer data, the same for everyone."""
    return qs


def _customer_tags(user: Any, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return qs.filter(customer_id__in=visible_to(user, Customer.objects.all()).values("pk"))


def _users(user: Any, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return qs.filter(pk__in=assignable_owners(user=user).values("pk")) | qs.filter(pk=user.pk)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    scope: Scope = _scoped
    exclude: tuple[str, ...] = ()
    only: tuple[str, ...] = ()

    def columns(self) -> list[models.Field[Any, Any]]:
        fields = [f for f in self.model._meta.concrete_fields if f.name not in self.exclude]
        if self.only:
            fields = [f for f in fields if f.name in self.only]
        return fields


CustomerTag = Customer.tags.through

# In the order a restore would load them: every table after the ones it points to.
TABLES: tuple[Table, ...] = (
    Table("teams", Team, _reference),
    # Names and roles only: password hashes and permission flags have no place in a data export.
    Table(
        "users", User, _users,
        only=("id", "username", "first_name", "last_name", "email", "role", "team", "language", "time_zone",
              "is_active", "date_joined"),
    ),
    Table("tags", Tag, _reference),
    Table("products", Product, _reference),
    Table("pipelines", Pipeline, _reference),
    Table("stages", Stage, _reference),
    # search_document is derived from the other columns and rebuilt on load.
    Table("customers", Customer, exclude=("search_document",)),
    Table("customer_tags", CustomerTag, _customer_tags),
    Table("contact_points", ContactPoint),
    Table("addresses", Address),
    Table("external_identifiers", ExternalIdentifier),
    Table("consents", Consent),
    Table("contacts", Contact),
    Table("lifecycle_changes", LifecycleChange),
    Table("orders", Order),
    Table("order_lines", OrderLine),
    Table("interactions", Interaction),
    Table("notes", Note),
    Table("tasks", Task),
    Table("leads", Lead),
    Table("opportunities", Opportunity),
    Table("opportunity_stage_changes", OpportunityStageChange),
)

NOTES = {
    "csv": [
        "One CSV file per table, UTF-8 with a byte-order mark (so Excel reads every script), comma-separated, "
        "first line the column names. Foreign keys are the *_id columns and point at the id column of the "
        "table they name.",
        "Text cells that start with =, +, -, @, a tab or a carriage return were written with a leading "
        "apostrophe (') so that a spreadsheet shows them as text instead of running them as formulas "
        "(CSV injection). Remove that one apostrophe from such cells when loading the data elsewhere; numbers "
        "(ids, amounts) were never changed.",
        "Date-times are ISO 8601 in UTC with their offset; dates are YYYY-MM-DD; true/false are booleans; "
        "empty cells are empty values; JSON columns (attributes) hold JSON text.",
    ],
    "xlsx": [
        "One XLSX workbook per table; its first sheet row holds the column names. A table over 1,048,575 rows "
        "continues on further sheets with the same header.",
        "Cells keep their types. Text is always stored as text, so a value that looks like a formula is never "
        "run as one and needs no apostrophe. Date-times are in UTC (Excel has no time zones). Amounts are "
        "numbers, which Excel holds to 15 significant digits: use the CSV format for an exact backup.",
        "Excel holds at most 32,767 characters in a cell: longer texts were cut, and the manifest counts them "
        "per table (truncated_cells). Use the CSV format for a complete backup.",
    ],
}


@dataclass
class TableResult:
    name: str
    file: str
    model: str
    columns: list[str]
    rows: int = 0
    truncated_cells: int = 0


@dataclass
class ExportResult:
    tables: list[TableResult] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def export_database(
    target: str | os.PathLike[str],
    *,
    file_format: str = "csv",
    user: Any = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[str, int], None] | None = None,
    count_first: Callable[[int], None] | None = None,
    tables: tuple[Table, ...] = TABLES,
) -> ExportResult:
    """Write the ZIP to ``target``. ``progress(table, rows)`` is told each page written; ``count_first(total)``,
    when given, gets the number of rows to come first (a progress bar's total; it costs a count per table)."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}")
    result = ExportResult()
    generated_at = timezone.now()
    with consistent_reads():
        querysets = [(table, _queryset(table, user)) for table in tables]
        if count_first is not None:
            count_first(sum(qs.count() for _, qs in querysets))
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for table, qs in querysets:
                columns = table.columns()
                entry = TableResult(
                    name=table.name,
                    file=f"{table.name}.{file_format}",
                    model=table.model._meta.label,
                    columns=[_column_name(f) for f in columns],
                )
                pages = _pages(qs, columns, chunk)
                if progress is not None:
                    pages = _reporting(pages, table.name, progress)
                if file_format == "csv":
                    _write_csv(archive, entry, pages)
                else:
                    _write_xlsx(archive, entry, pages)
                result.tables.append(entry)
            manifest = _manifest(result, file_format=file_format, user=user, generated_at=generated_at, chunk=chunk)
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return result


@contextmanager
def consistent_reads() -> Iterator[None]:
    """One snapshot for all tables, so an order line never points at an order created after orders were read.

    PostgreSQL: a read-only REPEATABLE READ transaction (reads take no locks). SQLite: a deferred read
    transaction started by hand, since Django's atomic() here begins IMMEDIATE, which would hold the write
    lock, and so stop every writer, for the whole export. Inside a caller's transaction, reads use it as is.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    yield


def _queryset(table: Table, user: Any) -> models.QuerySet[Any]:
    qs = table.model._default_manager.all()
    if user is None:
        return qs
    if scope_of(user) is None:
        return qs.none()
    return table.scope(user, qs)


def _column_name(f: models.Field[Any, Any]) -> str:
    return f.attname


Page = list[tuple[Any, ...]]


def _pages(qs: models.QuerySet[Any], columns: list[models.Field[Any, Any]], chunk: int) -> Iterator[Page]:
    """The rows in primary-key order, one keyset page at a time."""
    names = [f.attname for f in columns]
    pk = qs.model._meta.pk
    assert pk is not None
    pk_index = names.index(pk.attname) if pk.attname in names else None
    wanted = names if pk_index is not None else [pk.attname, *names]
    transforms = _transforms(columns)
    last = None
    base = qs.order_by("pk")
    while True:
        page_qs = base if last is None else base.filter(pk__gt=last)
        page = list(page_qs.values_list(*wanted)[:chunk])
        if not page:
            return
        last = page[-1][pk_index if pk_index is not None else 0]
        if pk_index is None:
            page = [row[1:] for row in page]
        if transforms:
            page = [tuple(transforms[i](v) if i in transforms else v for i, v in enumerate(row)) for row in page]
        yield page
        if len(page) < chunk:
            return


def _transforms(columns: list[models.Field[Any, Any]]) -> dict[int, Callable[[Any], Any]]:
    """Per-column conversions to portable values: content-type ids become "app.model" (ids differ between
    databases), JSON becomes JSON text, UUIDs text."""
    out: dict[int, Callable[[Any], Any]] = {}
    for i, f in enumerate(columns):
        if isinstance(f, models.ForeignKey) and f.related_model is ContentType:
            out[i] = _content_type_label(
                {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
            )
        elif isinstance(f, models.JSONField):
            out[i] = lambda v: None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)
        elif isinstance(f, models.UUIDField):
            out[i] = lambda v: None if v is None else str(v)
    return out


def _content_type_label(labels: dict[int, str]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else labels.get(value, value)


def _reporting(
    pages: Iterator[list[tuple[Any, ...]]], name: str, progress: Callable[[str, int], None]
) -> Iterator[list[tuple[Any, ...]]]:
    for page in pages:
        yield page
        progress(name, len(page))


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return safe_cell(value)


def _write_csv(archive: zipfile.ZipFile, entry: TableResult, pages: Iterator[list[tuple[Any, ...]]]) -> None:
    # force_zip64: the member's size is unknown when it is opened and may pass 4 GB.
    with archive.open(entry.file, "w", force_zip64=True) as member:
        text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(entry.columns)
        for page in pages:
            writer.writerows([_csv_value(v) for v in row] for row in page)
            entry.rows += len(page)
        text.flush()
        text.detach()


def _write_xlsx(archive: zipfile.ZipFile, entry: TableResult, pages: Iterator[list[tuple[Any, ...]]]) -> None:
    def rows() -> Iterator[tuple[Any, ...]]:
        for page in pages:
            entry.rows += len(page)
            yield from page

    # A workbook is itself a ZIP and is only complete when saved: it goes to a temporary file first, then into
    # the archive stored as is (compressing it again would gain nothing).
    with tempfile.TemporaryFile() as workbook:
        stats = write_xlsx(workbook, entry.columns, rows(), title=entry.name, tz=dt.UTC)
        entry.truncated_cells = stats.truncated_cells
        workbook.seek(0)
        info = zipfile.ZipInfo(entry.file, date_time=timezone.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        with archive.open(info, "w", force_zip64=True) as member:
            while chunk := workbook.read(1024 * 1024):
                member.write(chunk)


def _manifest(
    result: ExportResult, *, file_format: str, user: Any, generated_at: dt.datetime, chunk: int
) -> dict[str, Any]:
    return {
        "kind": "rapport-export",
        "manifest_version": MANIFEST_VERSION,
        "app_version": rapport.__version__,
        "generated_at": generated_at.isoformat(),
        "database": connection.vendor,
        "format": file_format,
        "scope": (
            {"user": user.get_username(), "visibility": scope_of(user)}
            if user is not None
            else {"user": None, "visibility": "everything (administrator backup)"}
        ),
        "tables": [
            {
                "name": t.name,
                "file": t.file,
                "model": t.model,
                "rows": t.rows,
                "columns": t.columns,
                **({"truncated_cells": t.truncated_cells} if file_format == "xlsx" else {}),
            }
            for t in result.tables
        ],
        "total_rows": result.rows,
        "notes": NOTES[file_format],
    }
