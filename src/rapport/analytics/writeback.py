"""Storing a scoring: the score rows in bulk, lifecycle stages that moved, retention tasks, old runs pruned."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from rapport.analytics import readout
from rapport.analytics.engine import segments
from rapport.analytics.models import CustomerScore, ScoreRun
from rapport.analytics.pipeline import Scoring
from rapport.core import partitions
from rapport.core.bulkload import (
    BulkWriter,
    Col,
    bulk_session,
    const,
    ids_in_order,
    sqlite_load_settings,
    update_by_id,
)
from rapport.customers.models import Customer, LifecycleChange
from rapport.interactions.models import Task

CALL_TASK_PREFIX = "Personal call (retention): "


def _cents(values: np.ndarray) -> Col:
    return Col("cents", np.round(np.asarray(values, dtype=np.float64) * 100).astype(np.int64))


SQLITE_SCORE_CHUNK = 100_000  # score rows per transaction on SQLite (about a second at tier L)


def write_scores(writer: BulkWriter, run: ScoreRun, scoring: Scoring, rows: slice | None = None) -> str | None:
    """Write the run's score rows (``rows`` of them only, when given); on a partitioned table (PostgreSQL)
    into a new, indexed, not yet attached partition, whose name is returned (see :func:`store`)."""
    part = rows or slice(None)
    c = {name: values[part] for name, values in scoring.columns.items()}
    reasons = scoring.reasons[part]
    n = len(c["customer_id"])
    text = {name: Col("text", c[name].astype(object)) for name in (
        "rfm_segment", "risk_band", "value_band", "value_segment", "programme", "loyalty")}
    columns: dict[str, Col] = {
        "id": Col("int", writer.reserve(CustomerScore, n)),
        "run_id": const(run.pk),
        "customer_id": Col("int", c["customer_id"]),
        "as_of": const(scoring.options.as_of.isoformat()),
        "frequency": Col("int", c["frequency"]),
        "recency": Col("float", c["recency"]),
        "age": Col("float", c["age"]),
        "monetary": Col("float", c["monetary"]),
        "days_since_purchase": Col("int", c["days_since_purchase"]),
        "rfm_r": Col("int", c["rfm_r"]), "rfm_f": Col("int", c["rfm_f"]), "rfm_m": Col("int", c["rfm_m"]),
        "p_alive": Col("float", c["p_alive"]),
        "expected_purchases": Col("float", c["expected_purchases"]),
        "p_no_purchase": Col("float", c["p_no_purchase"]),
        "expected_spend": _cents(c["expected_spend"]),
        "clv": _cents(c["clv"]),
        "actual_value": _cents(c["actual_value"]),
        "churn_risk": Col("float", c["churn_risk"]),
        "reasons": Col("json", reasons),
        **text,
    }
    if not partitions.is_partitioned(CustomerScore):
        writer.write(CustomerScore, n, columns)
        return None
    child = partitions.new_partition(CustomerScore, run.pk)
    writer.write(CustomerScore, n, columns, table=child, freeze=True)  # made in this transaction
    partitions.index_partition(CustomerScore, child)
    return child


def current_stages() -> Any:
    """Every customer's stage now (read before the writing transaction opens, so ADBC can be used)."""
    return readout.read(
        "SELECT id, lifecycle_stage FROM customers_customer", ["customer_id", "stage"],
        [pa.int64(), pa.string()],
    )


MOVE_CHUNK = 20_000  # stage moves per transaction: a person saving a moved customer waits for one chunk at most
PARALLEL_MOVES_FROM = 50_000


@dataclass
class StageMoves:
    """The customers whose stage the scores say has changed: ids, from and to stages, reasons (same order)."""

    ids: np.ndarray
    from_stage: np.ndarray
    to_stage: np.ndarray
    reasons: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def plan_lifecycle(scoring: Scoring, current: Any) -> StageMoves:
    """Compare each scored customer's stage now with the one the scores give (rules in ``engine.segments``)."""
    c = scoring.columns
    ids = c["customer_id"]
    known = current.column("customer_id").to_numpy()
    order = np.argsort(known)
    known_sorted = known[order]
    stages = np.asarray(current.column("stage").to_pylist(), dtype=object)[order]
    where = np.clip(np.searchsorted(known_sorted, ids), 0, max(len(known_sorted) - 1, 0))
    present = known_sorted[where] == ids if len(known_sorted) else np.zeros(len(ids), dtype=bool)
    now_stage = np.where(present, stages[where] if len(stages) else "", "").astype(object)
    risk_bands = _band_index(c["risk_band"])
    new_stage = segments.lifecycle_stage(
        now_stage, c["frequency"], c["age"] * scoring.options.period_days, c["days_since_purchase"],
        c["p_alive"], risk_bands, scoring.options.thresholds,
    )
    moved = np.flatnonzero(present & (new_stage != now_stage))
    as_of = scoring.options.as_of.isoformat()
    reasons = [
        (f"Analytics {as_of}: " + segments.stage_reason(
            str(new_stage[i]), float(c["days_since_purchase"][i]), float(c["churn_risk"][i]),
            float(c["p_alive"][i])))[:200]
        for i in moved.tolist()
    ]
    return StageMoves(ids[moved].astype(np.int64), now_stage[moved], new_stage[moved], reasons)


def apply_lifecycle(moves: StageMoves, now: datetime, workers: int = 1) -> tuple[int, str]:
    """Move the customers' stages, recording each move and its reason; (moves applied, what stopped them).

    The moves are committed a chunk at a time, in the order of the customers' names (most of the customer
    table's indexes end with the name, so each is written nearly in sequence), after the scores are current: a
    first run after an import moves a third of the customers, and one transaction over all of them held every
    moved customer against edits for a minute. On PostgreSQL a large set of moves is shared between ``workers``
    connections, each on its own range of names: an update there spends its time in the index entries, on the
    server's CPU. A move that fails stops its worker; the scores stay current and the next run moves the rest.
    Inside a caller's transaction (tests) everything runs on the caller's connection, as savepoints.
    """
    if len(moves) == 0:
        return 0, ""
    writer = BulkWriter([LifecycleChange])
    history_ids = writer.reserve(LifecycleChange, len(moves))
    writer.advance_sequences()  # before any move lands: a person's stage change takes an id after these
    by_id = np.argsort(moves.ids)
    ordered = ids_in_order(Customer, moves.ids, "display_name")  # a customer deleted meanwhile drops out
    stamp = now.replace(tzinfo=None) if connection.vendor == "sqlite" else now
    changed_at = int(now.timestamp() * 1_000_000) | 1

    def move(chunk: np.ndarray) -> None:
        rows = by_id[np.searchsorted(moves.ids[by_id], chunk)]
        # SQLite: the bulk settings per chunk (a page cache for the customer table's indexes, no fsync at each
        # commit): 150,000 moves took 7.2-8.6 s without them and 6 s with them.
        settings = sqlite_load_settings(262_144) if connection.vendor == "sqlite" else nullcontext()
        with settings, transaction.atomic():
            update_by_id(
                Customer, chunk.tolist(), {"lifecycle_stage": moves.to_stage[rows].astype(str).tolist()},
                same_for_all={"version": ("version + 1", []), "updated_at": ("%s", [stamp])}, keep_order=True,
            )
            writer.write(LifecycleChange, len(rows), {
                "id": Col("int", history_ids[rows]),
                "customer_id": Col("int", chunk),
                "from_stage": Col("text", moves.from_stage[rows].tolist()),
                "to_stage": Col("text", moves.to_stage[rows].tolist()),
                "changed_at": Col("ts", np.full(len(rows), changed_at, dtype=np.int64)),
                "changed_by_id": const(None),
                "reason": Col("text", [moves.reasons[i] for i in rows.tolist()]),
            })

    def worker(part: np.ndarray, own_connection: bool) -> tuple[int, str]:
        done = 0
        try:
            for first in range(0, len(part), MOVE_CHUNK):
                chunk = part[first:first + MOVE_CHUNK]
                move(chunk)
                done += len(chunk)
        except DatabaseError as exc:
            return done, f"stage moves stopped after {done:,} of {len(part):,}: {exc}".strip()
        finally:
            if own_connection:
                connection.close()  # this thread's connection
        return done, ""

    parallel = (connection.vendor == "postgresql" and not connection.in_atomic_block and workers > 1
                and len(ordered) >= PARALLEL_MOVES_FROM)
    if not parallel:
        return worker(ordered, own_connection=False)
    parts = np.array_split(ordered, workers)  # each worker its own range of names
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda part: worker(part, own_connection=True), parts))
    return sum(n for n, _ in results), "; ".join(e for _, e in results if e)


def _band_index(bands: np.ndarray) -> np.ndarray:
    text = np.asarray(bands).astype(str)
    return (text == "medium").astype(np.int8) + 2 * (text == "high").astype(np.int8)


def create_call_tasks(scoring: Scoring, now: datetime, per_owner: int) -> int:
    """High value and high risk: a personal call by the account manager within 48 hours.

    At most ``per_owner`` new calls per account manager and run, the most valuable customers first (a call list
    nobody can finish helps nobody), never a second one while an earlier call task is open, and none for a
    customer without an account manager.
    """
    c = scoring.columns
    chosen = np.flatnonzero(c["programme"] == "personal_call")
    if len(chosen) == 0 or per_owner <= 0:
        return 0
    chosen = chosen[np.argsort(-c["clv"][chosen], kind="stable")]
    ids = [int(x) for x in c["customer_id"][chosen]]
    owner_of: dict[int, int] = {}
    for start in range(0, len(ids), 5000):
        block = ids[start:start + 5000]
        owner_of.update(Customer.objects.filter(pk__in=block, owner__isnull=False).values_list("pk", "owner_id"))
    taken: dict[int, int] = {}
    picked: list[int] = []
    for customer in ids:  # most valuable first
        owner = owner_of.get(customer)
        if owner is not None and taken.get(owner, 0) < per_owner:
            taken[owner] = taken.get(owner, 0) + 1
            picked.append(customer)
    open_ones = set(Task.objects.filter(
        customer_id__in=picked, done_at__isnull=True, title__startswith=CALL_TASK_PREFIX,
    ).values_list("customer_id", flat=True)) if picked else set()
    todo = [x for x in picked if x not in open_ones]
    names = dict(Customer.objects.filter(pk__in=todo).values_list("pk", "display_name"))
    Task.objects.bulk_create([
        Task(customer_id=pk, title=(CALL_TASK_PREFIX + names.get(pk, ""))[:200], assignee_id=owner_of[pk],
             due_at=now + timedelta(hours=48),
             description="High value and high churn risk: call within 48 hours. See the reasons on the profile.")
        for pk in todo
    ])
    return len(todo)


def prune_runs(keep: int) -> int:
    """Delete the scores of old runs: keep the latest ``keep`` runs and the first run of each month."""
    runs = list(ScoreRun.objects.order_by("-id").values_list("id", "as_of"))
    first_of_month: dict[tuple[int, int], int] = {}
    for run_id, as_of in sorted(runs, key=lambda r: (r[1], r[0])):
        first_of_month.setdefault((as_of.year, as_of.month), run_id)
    keep_ids = {r[0] for r in runs[:keep]} | set(first_of_month.values())
    old = [r[0] for r in runs if r[0] not in keep_ids]
    if old and partitions.is_partitioned(CustomerScore):
        # A run whose partition could not be dropped now (readers on the table) is left for the next time.
        old = partitions.drop_partitions(CustomerScore, old)
    if old:
        CustomerScore.objects.filter(run_id__in=old).delete()
        ScoreRun.objects.filter(pk__in=old).delete()
    return len(old)


def _mark_done(run: ScoreRun, scoring: Scoring, timings: dict[str, float]) -> None:
    """The run done, with its figures: its scores are the current ones from the commit on."""
    run.customers = scoring.customers
    run.orders = scoring.orders
    run.model_version = scoring.model_version
    run.params = scoring.params
    run.charts = scoring.charts
    run.timings = timings
    run.notes = "\n".join(scoring.notes)
    run.status = "done"
    run.finished_at = timezone.now()
    run.save()


def _write_scores_in_chunks(run: ScoreRun, scoring: Scoring) -> None:
    """SQLite: the score rows a chunk per transaction, so that other writers get a turn in between.

    SQLite has one writer at a time, and a million score rows in one transaction kept every other writer out
    for longer than the busy timeout (a person's save failed). Nobody reads the scores of a run that is not done
    (see selectors.py), so the run is marked done after the last chunk; a run that fails on the way takes its
    rows with it.
    """
    try:
        for first in range(0, scoring.customers, SQLITE_SCORE_CHUNK):
            with bulk_session([CustomerScore]) as writer:
                write_scores(writer, run, scoring, rows=slice(first, first + SQLITE_SCORE_CHUNK))
    except BaseException:
        CustomerScore.objects.filter(run=run).delete()
        raise


def store(run: ScoreRun, scoring: Scoring, *, create_tasks: bool = True, calls_per_owner: int = 10) -> ScoreRun:
    """Write a scoring: the scores, the call tasks and the finished run (a failure leaves the previous scores
    current; one transaction, except for SQLite's chunks, see :func:`_write_scores_in_chunks`), then the
    lifecycle moves the scores call for (see :func:`apply_lifecycle`)."""
    now = timezone.now()
    timings = dict(scoring.timings)
    began = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal began
        timings[name] = round(time.perf_counter() - began, 3)
        began = time.perf_counter()

    moves = plan_lifecycle(scoring, current_stages())
    lap("plan_lifecycle")
    tasks = (lambda: create_call_tasks(scoring, now, calls_per_owner)) if create_tasks else (lambda: 0)
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        _write_scores_in_chunks(run, scoring)
        lap("write_scores")
        with transaction.atomic():
            run.tasks_created = tasks()
            lap("tasks")
            _mark_done(run, scoring, timings)
    else:
        with bulk_session([CustomerScore]) as writer:
            partition = write_scores(writer, run, scoring)
            lap("write_scores")
            run.tasks_created = tasks()
            lap("tasks")
            if partition is not None:
                # Last: attaching checks the foreign keys, which holds writes to the customers until the commit.
                partitions.attach_partition(CustomerScore, partition, run.pk)
                lap("attach_scores")
            _mark_done(run, scoring, timings)
    # The scores are current; the stages follow them, committed a chunk at a time.
    run.lifecycle_changes, stopped = apply_lifecycle(moves, now, workers=scoring.options.threads)
    lap("lifecycle")
    if stopped:
        run.notes = "\n".join([*scoring.notes, stopped])
    run.timings = timings
    run.save(update_fields=["lifecycle_changes", "notes", "timings"])
    return run
