"""Imports as actions: create a batch from a file, map it, run it (now or as a job), resume it, roll it back.

The command line (``rapport import``) and the web page both go through here. A batch keeps the file where
it can be read again (an upload is stored under ``<var>/imports/uploads/``), its checksum, the options and
the mapping, so the same run can be resumed or repeated.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.access import can_write
from rapport.core.errors import PermissionDeniedError
from rapport.imports import registry
from rapport.imports.engine import CHUNK_ROWS, Outcome, Progress, run_rows
from rapport.imports.files import READ_OPTIONS, ImportError_, estimate_rows, opened, store_upload
from rapport.imports.headers import MappingError, apply_overrides, auto_map, check_mapping
from rapport.imports.models import BatchStatus, ImportBatch, ImportMapping
from rapport.imports.models.batch import RESUMABLE, ROLLBACKABLE
from rapport.imports.pipeline import PARALLEL_FROM_BYTES, fork_available
from rapport.imports.rollback import undo_chunks
from rapport.imports.sources import SourceError, file_checksum, open_source

# What a batch may be asked to do; anything else in ``options`` is refused, so a typo is not silently ignored.
OPTIONS = frozenset({*READ_OPTIONS, "create_missing", "match_email", "match_phone", "strict", "region", "time_zone"})
MAX_SOURCE = 64


def _entity(name: str) -> registry.Entity:
    try:
        return registry.get(name)
    except KeyError:
        raise ImportError_(_("Unknown entity %(name)s; choose one of: %(names)s")
                           % {"name": name, "names": ", ".join(registry.entity_names())}, field="entity") from None


def _check_user(user: Any) -> None:
    if user is not None and not can_write(user):
        raise PermissionDeniedError(_("You may not import data."))


def _clean_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    options = {k: v for k, v in (options or {}).items() if v not in (None, "", False)}
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ImportError_(_("Unknown import option %(name)s") % {"name": unknown[0]}, field="options")
    if "region" in options:
        options["region"] = str(options["region"]).upper()
    return options


def batch_create(
    *,
    entity: str,
    file: str | os.PathLike[str] | IO[bytes],
    filename: str | None = None,
    source: str = "import",
    user: Any = None,
    options: Mapping[str, Any] | None = None,
    mapping: Mapping[str, str] | None = None,
) -> ImportBatch:
    """A pending batch for ``file`` (a path, kept where it is, or an upload, stored under the var directory).

    The file is opened at once: an unreadable one raises :class:`SourceError` and no batch is made. The
    mapping is the one this source used last time for this entity, then headers recognised by name, then
    ``mapping`` ({header: field}) on top. The batch is not checked for missing fields until it starts.
    """
    _check_user(user)
    spec = _entity(entity)
    source = (source or "").strip()
    if not source or len(source) > MAX_SOURCE:
        raise ImportError_(_("Give the source system a name of at most 64 characters."), field="source")
    options = _clean_options(options)
    if isinstance(file, str | os.PathLike):
        path = Path(file).resolve()
        filename = filename or path.name
    else:
        filename = filename or getattr(file, "name", "") or "upload.csv"
        path = store_upload(file, filename)
    with open_source(path, filename=filename, encoding=options.get("encoding"), delimiter=options.get("delimiter"),
                     sheet=options.get("sheet")) as src:
        headers, file_format = list(src.headers), src.format
        # The detected encoding and delimiter are kept, so that a resumed run reads the file the same way.
        options.update({k: v for k, v in (("encoding", src.encoding), ("delimiter", src.delimiter)) if v})
    saved = ImportMapping.objects.filter(source=source, entity=spec.name).values_list("mapping", flat=True).first()
    chosen = auto_map(spec, headers, saved)
    if mapping:
        chosen = apply_overrides(spec, headers, chosen, mapping)
    return ImportBatch.objects.create(
        entity=spec.name, source=source, filename=filename[:255], file_path=str(path), checksum=file_checksum(path),
        file_format=file_format, user=user if getattr(user, "pk", None) else None, options=options, mapping=chosen,
        rows_total=estimate_rows(path, file_format),
    )


def batch_set_mapping(*, batch: ImportBatch, mapping: Mapping[str, str], user: Any = None) -> ImportBatch:
    """Replace the columns' fields ({header: field or ""}) of a batch that has not started."""
    _check_user(user)
    if batch.status != BatchStatus.PENDING:
        raise ImportError_(_("This import has started; its mapping can no longer change."), field="mapping")
    spec = _entity(batch.entity)
    with opened(batch) as src:
        headers = list(src.headers)
    chosen = apply_overrides(spec, headers, {h: "" for h in headers}, mapping)
    check_mapping(spec, chosen, batch.options)
    batch.mapping = chosen
    batch.save(update_fields=["mapping"])
    return batch


def mapping_save(*, source: str, entity: str, mapping: Mapping[str, str]) -> ImportMapping:
    saved, _created = ImportMapping.objects.update_or_create(
        source=source, entity=entity, defaults={"mapping": dict(mapping)}
    )
    return saved


def batch_start(*, batch: ImportBatch, user: Any = None) -> ImportBatch:
    """Queue the batch as a background job (the page then polls ``selectors.batch_progress``)."""
    from rapport.imports.tasks import import_batch_run_task

    _check_user(user)
    if batch.status != BatchStatus.PENDING:
        raise ImportError_(_("This import has already started."))
    check_mapping(_entity(batch.entity), batch.mapping, batch.options)
    batch.status = BatchStatus.QUEUED
    batch.save(update_fields=["status"])
    transaction.on_commit(lambda: import_batch_run_task(batch.pk))
    return batch


def batch_run(*, batch: ImportBatch, progress: Progress | None = None, chunk_size: int = CHUNK_ROWS,
              parallel: bool | None = None, dry_run: bool = False) -> Outcome:
    """Run (or, for a batch that stopped, resume) ``batch`` here and now; its file must be unchanged."""
    if not dry_run and batch.status not in {BatchStatus.PENDING, *RESUMABLE}:
        raise ImportError_(_("Import %(id)s is %(status)s; there is nothing left to run.")
                           % {"id": batch.pk, "status": batch.get_status_display()})
    with opened(batch, check=True) as src:
        headers = list(src.headers)

    @contextmanager
    def open_rows() -> Iterator[Any]:
        with opened(batch) as src:
            yield src.rows()

    if parallel is None:
        parallel = fork_available() and Path(batch.file_path).stat().st_size >= PARALLEL_FROM_BYTES
    if not dry_run:
        mapping_save(source=batch.source, entity=batch.entity, mapping=batch.mapping)
    return run_rows(batch, headers, open_rows, chunk_size=chunk_size, parallel=parallel, progress=progress,
                    dry_run=dry_run)


def batch_check(*, batch: ImportBatch, progress: Progress | None = None) -> Outcome:
    """A dry run of a batch that has not started: the counts, the first errors and a report, nothing written.

    The web page offers it after the mapping step; the batch stays pending and can then be started.
    """
    if batch.status != BatchStatus.PENDING:
        raise ImportError_(_("This import has already started."))
    check_mapping(_entity(batch.entity), batch.mapping, batch.options)
    with transaction.atomic():
        try:
            outcome = batch_run(batch=batch, progress=progress, dry_run=True)
        finally:
            transaction.set_rollback(True)
    batch.refresh_from_db()
    return outcome


def batch_resume(*, batch: ImportBatch, file: str | os.PathLike[str] | None = None, user: Any = None,
                 progress: Progress | None = None, chunk_size: int = CHUNK_ROWS,
                 parallel: bool | None = None) -> Outcome:
    """Continue a batch that was killed or stopped by an error, after its last committed chunk.

    ``file`` may point at the file again (it may have moved); its checksum must match the batch's.
    """
    _check_user(user)
    if batch.status not in RESUMABLE:
        raise ImportError_(_("Import %(id)s is %(status)s and cannot be resumed.")
                           % {"id": batch.pk, "status": batch.get_status_display()})
    if file is not None:
        path = Path(file).resolve()
        if not path.exists():
            raise ImportError_(_("There is no file at %(path)s.") % {"path": path})
        if file_checksum(path) != batch.checksum:
            raise ImportError_(_("%(path)s is not the file import %(id)s started with (its checksum differs).")
                               % {"path": path, "id": batch.pk})
        batch.file_path = str(path)
        batch.save(update_fields=["file_path"])
    return batch_run(batch=batch, progress=progress, chunk_size=chunk_size, parallel=parallel)


def batch_rollback(*, batch: ImportBatch, user: Any = None) -> dict[str, int]:
    """Delete what the batch created and put back what it changed, as a whole, in one transaction."""
    _check_user(user)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in ROLLBACKABLE:
            raise ImportError_(_("Import %(id)s is %(status)s and cannot be rolled back.")
                               % {"id": batch.pk, "status": locked.get_status_display()})
        totals = undo_chunks(locked)
        locked.status = BatchStatus.ROLLED_BACK
        locked.rolled_back_at = timezone.now()
        locked.save(update_fields=["status", "rolled_back_at"])
    batch.refresh_from_db()
    return totals


def import_file(
    *,
    entity: str,
    path: str | os.PathLike[str],
    source: str = "import",
    user: Any = None,
    options: Mapping[str, Any] | None = None,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_ROWS,
    parallel: bool | None = None,
    on_batch: Callable[[ImportBatch], None] | None = None,
) -> Outcome:
    """Create and run a batch in one go (the command line). A dry run writes nothing, not even the batch.

    ``on_batch`` is told the batch once it exists (the command line sizes its progress bar from it).
    """
    if not dry_run:
        batch = batch_create(entity=entity, file=path, source=source, user=user, options=options, mapping=mapping)
        if on_batch:
            on_batch(batch)
        return batch_run(batch=batch, progress=progress, chunk_size=chunk_size, parallel=parallel)
    with transaction.atomic():
        batch = batch_create(entity=entity, file=path, source=source, user=user, options=options, mapping=mapping)
        if on_batch:
            on_batch(batch)
        try:
            return batch_run(batch=batch, progress=progress, chunk_size=chunk_size, parallel=parallel, dry_run=True)
        finally:
            transaction.set_rollback(True)


def import_rows(
    *,
    entity: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    source: str = "import",
    user: Any = None,
    options: Mapping[str, Any] | None = None,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    chunk_size: int = CHUNK_ROWS,
) -> Outcome:
    """Import rows that are already in memory (another program's data, tests): line 1 is the header.

    The batch records a checksum of the rows, and no file, so it can be rolled back but not resumed here.
    """
    _check_user(user)
    spec = _entity(entity)
    headers = [str(h) for h in headers]
    chosen = auto_map(spec, headers, None)
    if mapping:
        chosen = apply_overrides(spec, headers, chosen, mapping)
    digest = hashlib.sha256(repr((list(headers), [list(r) for r in rows])).encode()).hexdigest()

    @contextmanager
    def open_rows() -> Iterator[Any]:
        yield ((line, list(cells)) for line, cells in enumerate(rows, start=2))

    with transaction.atomic() if dry_run else nullcontext():
        batch = ImportBatch.objects.create(
            entity=spec.name, source=source, filename="(rows)", checksum=digest, file_format="rows",
            user=user if getattr(user, "pk", None) else None, options=_clean_options(options), mapping=chosen,
            rows_total=len(rows),
        )
        try:
            return run_rows(batch, headers, open_rows, chunk_size=chunk_size, dry_run=dry_run)
        finally:
            if dry_run:
                transaction.set_rollback(True)


__all__ = [
    "ImportError_", "MappingError", "SourceError", "batch_check", "batch_create", "batch_resume", "batch_rollback",
    "batch_run", "batch_set_mapping", "batch_start", "import_file", "import_rows", "mapping_save",
]
