"""Run a batch: checked chunks in, each written and recorded in one transaction, the report beside it.

The core, :func:`run_rows`, takes the file's headers and a way to open its rows, so it needs no file (tests
feed it lists). ``services`` puts files, batches and the saved mappings around it.

* A chunk's writes, its :class:`ImportChunk` record (created id ranges, before-images, report size) and the
  batch's counters commit together, so a crash leaves whole chunks only and a resumed run starts after the
  last one (the report is cut back to the size that chunk recorded).
* ``strict``: the chunks run inside one outer transaction that is rolled back if any row was rejected.
* ``dry_run``: everything runs and is rolled back; the caller opened the transaction (the batch row too).
* A file that turns out unreadable half way (a row of 10,000 columns, a broken XLSX part) is a whole-file
  error: what the batch wrote is rolled back and the batch fails with the reader's message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rapport.imports import registry
from rapport.imports.headers import check_mapping
from rapport.imports.models import BatchStatus, ImportBatch, ImportChunk
from rapport.imports.pipeline import RowsOpener, checked_chunks
from rapport.imports.report import Report, reasons, report_path
from rapport.imports.rollback import undo_chunks
from rapport.imports.rows import Chunk, Plan
from rapport.imports.sources import SourceError
from rapport.imports.writes import ChunkContext, begin_chunk

CHUNK_ROWS = 5_000
FIRST_ERRORS = 20
Progress = Callable[[int, int], None]  # (rows done so far, rows of this run)


@dataclass
class Outcome:
    batch: ImportBatch
    counts: Counter[str] = field(default_factory=Counter)
    extra: Counter[str] = field(default_factory=Counter)
    report: Path | None = None
    first_errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    rows: int = 0

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]


def run_rows(batch: ImportBatch, headers: list[str], open_rows: RowsOpener, *, chunk_size: int = CHUNK_ROWS,
             parallel: bool = False, progress: Progress | None = None, dry_run: bool = False) -> Outcome:
    entity = registry.get(batch.entity)
    check_mapping(entity, batch.mapping, batch.options)
    plan = Plan.build(entity, headers, batch.mapping, batch.options)
    options = {**batch.options, "_grouped": plan.group_index is not None}
    plan.options = options
    strict = bool(batch.options.get("strict"))
    last = None if dry_run else batch.chunks.order_by("-number").first()
    outcome = Outcome(batch=batch, dry_run=dry_run)
    if last is not None:  # resuming: carry on from the committed state
        outcome.counts.update(batch.counts)
        outcome.extra.update(batch.extra)
        outcome.rows = last.rows_before + last.rows
    path = Path(batch.report_path) if batch.report_path else report_path(batch.entity, None if dry_run else batch.pk)
    report = Report(path, headers)
    report.truncate(last.report_bytes if last else 0)
    _mark(batch, status=BatchStatus.RUNNING, started_at=batch.started_at or timezone.now(), error="",
          report_path=str(path))
    state: dict[str, Any] = {}
    try:
        with transaction.atomic() if strict and not dry_run else nullcontext():
            for chunk in checked_chunks(open_rows, plan, size=chunk_size, skip=outcome.rows,
                                        first_number=(last.number + 1) if last else 1, parallel=parallel):
                _write_chunk(batch, entity, chunk, report, options, state, outcome)
                if progress:
                    progress(outcome.rows, chunk.size)
            if strict and outcome.rejected:
                transaction.set_rollback(True)
    except SourceError as exc:
        _fail_whole_file(batch, exc, dry_run or strict)
        raise
    except BaseException as exc:
        if not dry_run:
            _mark(batch, status=BatchStatus.FAILED, error=_one_line(exc) or type(exc).__name__)
        raise
    outcome.report = path if outcome.rejected else None
    if not outcome.rejected:
        path.unlink(missing_ok=True)
    if strict and outcome.rejected:
        outcome.counts = Counter(rejected=outcome.rejected)
        outcome.extra = Counter()
    if not dry_run:
        _finish(batch, outcome, BatchStatus.REJECTED if strict and outcome.rejected else BatchStatus.COMPLETED)
    return outcome


def _write_chunk(batch: ImportBatch, entity: registry.Entity, chunk: Chunk, report: Report, options: dict[str, Any],
                 state: dict[str, Any], outcome: Outcome) -> None:
    with transaction.atomic():
        begin_chunk(entity.tables)
        ctx = ChunkContext(source=batch.source, options=options, user=batch.user, now=timezone.now(), state=state,
                           rejected_keys={r.key for r in chunk.rejected if r.key})
        if chunk.rows:
            entity.write(chunk.rows, ctx)
        rejected = [(r.line, r.cells, r.errors) for r in chunk.rejected]
        rejected += [(row.line, row.cells, errors) for row, errors in ctx.rejections]
        rejected.sort(key=lambda item: item[0])
        size = report.append(rejected)
        created_ids, before = ctx.finish()
        counts = Counter({k: ctx.outcomes[k] for k in ("created", "updated", "unchanged")})
        counts["rejected"] = len(rejected)
        if sum(counts.values()) != chunk.size:
            raise RuntimeError(f"{entity.name}: {sum(counts.values())} outcomes for {chunk.size} rows")
        ImportChunk.objects.create(
            batch=batch, number=chunk.number, rows=chunk.size, rows_before=chunk.rows_before, created_ids=created_ids,
            before=before, report_bytes=size, extra=dict(ctx.extra), **counts,
        )
        outcome.counts.update(counts)
        outcome.extra.update(ctx.extra)
        outcome.rows = chunk.rows_before + chunk.size
        ImportBatch.objects.filter(pk=batch.pk).update(
            rows_done=outcome.rows, extra=dict(outcome.extra), **{k: F(k) + v for k, v in counts.items()},
        )
    for line, _cells, errors in rejected:
        if len(outcome.first_errors) < FIRST_ERRORS:
            outcome.first_errors.append(f"{line}: {reasons(errors)}")


def _mark(batch: ImportBatch, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(batch, name, value)
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def _finish(batch: ImportBatch, outcome: Outcome, status: str) -> None:
    _mark(batch, status=status, finished_at=timezone.now(), rows_done=outcome.rows,
          report_path=str(outcome.report) if outcome.report else "", extra=dict(outcome.extra),
          **{k: outcome.counts[k] for k in ("created", "updated", "unchanged", "rejected")})


def _fail_whole_file(batch: ImportBatch, exc: SourceError, rolled_back: bool) -> None:
    """The file broke half way: take back what the batch wrote (nothing, when strict or a dry run)."""
    if not rolled_back and batch.chunks.exists():
        undo_chunks(batch)
    _mark(batch, status=BatchStatus.FAILED, finished_at=timezone.now(), error=str(exc), rows_done=0, created=0,
          updated=0, unchanged=0, rejected=0, report_path="")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:1000]
