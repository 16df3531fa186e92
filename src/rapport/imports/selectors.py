"""Reads for the import pages: batches the user may see, a preview of a file and its mapping, progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from rapport.core.access import visible_to
from rapport.imports import registry
from rapport.imports.files import opened
from rapport.imports.headers import guess_field
from rapport.imports.models import BatchStatus, ImportBatch


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: str
    required: bool
    help: str
    line: bool


@dataclass
class Preview:
    """What the mapping step shows: the columns, the field each feeds, the first rows and the fields."""

    headers: list[str]
    mapping: dict[str, str]
    guessed: dict[str, str]  # what the header says by itself, to show beside a saved mapping
    rows: list[tuple[int, list[Any]]]
    fields: list[FieldInfo]
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    unmapped_required: list[str] = field(default_factory=list)


def import_entities() -> list[tuple[str, str]]:
    """(name, label) of every entity that can be imported."""
    return [(e.name, str(e.label)) for e in registry.entities()]


def entity_fields(entity: str) -> list[FieldInfo]:
    spec = registry.get(entity)
    return [FieldInfo(f.name, str(f.label), f.required, str(f.help), f.line) for f in spec.fields]


def batch_list(*, user: Any) -> QuerySet[ImportBatch]:
    """Newest first; the command line without a user (``user=None``) sees them all."""
    batches = ImportBatch.objects.select_related("user").order_by("-created_at", "-id")
    return batches if user is None else visible_to(user, batches)


def batch_get(*, user: Any, pk: Any) -> ImportBatch:
    """The batch, or Http404 when it does not exist or the user may not see it."""
    try:
        return batch_list(user=user).get(pk=int(pk))
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import") from None


def batch_preview(*, batch: ImportBatch, rows: int = 10) -> Preview:
    spec = registry.get(batch.entity)
    with opened(batch) as src:
        headers = list(src.headers)
        first = list(islice(src.rows(), rows))
        preview = Preview(
            headers=headers, mapping={h: batch.mapping.get(h, "") for h in headers},
            guessed={h: guess_field(spec, h) for h in headers}, rows=first, fields=entity_fields(batch.entity),
            file_format=src.format, encoding=src.encoding, delimiter=src.delimiter,
        )
    mapped = set(preview.mapping.values())
    preview.unmapped_required = [f.name for f in spec.fields if f.required and f.name not in mapped]
    return preview


def batch_progress(*, batch: ImportBatch) -> dict[str, Any]:
    """Fresh from the database: status, rows done of (about) how many, counts, and whether it is over."""
    batch.refresh_from_db()
    total = batch.rows_total
    percent = None
    if batch.status == BatchStatus.COMPLETED:
        percent = 100
    elif total:
        percent = min(99, int(100 * batch.rows_done / total))
    return {
        "status": batch.status, "status_label": str(batch.get_status_display()), "rows_done": batch.rows_done,
        "rows_total": total, "percent": percent, **batch.counts, "extra": batch.extra, "error": batch.error,
        "finished": batch.status not in {BatchStatus.PENDING, BatchStatus.QUEUED, BatchStatus.RUNNING},
        "has_report": batch_report(batch=batch) is not None,
    }


def batch_report(*, batch: ImportBatch) -> Path | None:
    """The rejected-rows CSV to offer for download, if the batch rejected any row."""
    if not batch.report_path:
        return None
    path = Path(batch.report_path)
    return path if path.is_file() else None
