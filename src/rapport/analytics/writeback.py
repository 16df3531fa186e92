"""Storing a scoring: the score rows in bulk, lifecycle stages that moved, retention tasks, old runs pruned."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import connection
from django.utils import timezone

from rapport.analytics import readout
from rapport.analytics.engine import segments
from rapport.analytics.models import CustomerScore, ScoreRun
from rapport.analytics.pipeline import Scoring
from rapport.core import partitions
from rapport.core.bulkload import BulkWriter, Col, bulk_session, const, update_by_id
from rapport.customers.models import Customer, LifecycleChange
from rapport.interactions.models import Task

CALL_TASK_PREFIX = "Personal call (retention): "


def _cents(values: np.ndarray) -> Col:
    return Col("cents", np.round(np.asarray(values, dtype=np.float64) * 100).astype(np.int64))


def write_scores(writer: BulkWriter, run: ScoreRun, scoring: Scoring) -> str | None:
    """Write the run's score rows; on a partitioned table (PostgreSQL) into a new, indexed, not yet attached
    partition, whose name is returned (see :func:`store`)."""
    c = scoring.columns
    n = scoring.customers
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
        "reasons": Col("json", scoring.reasons),
        **text,
    }
    if not partitions.is_partitioned(CustomerScore):
        writer.write(CustomerScore, n, columns)
        return None
    child = partitions.new_partition(CustomerScore, run.pk)
    writer.write(CustomerScore, n, columns, table=child)
    partitions.index_partition(CustomerScore, child)
    return child


def current_stages() -> Any:
    """Every customer's stage now (read before the writing transaction opens, so ADBC can be used)."""
    return readout.read(
        "SELECT id, lifecycle_stage FROM customers_customer", ["customer_id", "stage"],
        [pa.int64(), pa.string()],
    )


def apply_lifecycle(scoring: Scoring, current: Any, now: datetime) -> int:
    """Move the customers whose stage the scores say has changed, recording each move and its reason."""
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
    if len(moved) == 0:
        return 0
    update_by_id(
        Customer, ids[moved].tolist(), {"lifecycle_stage": new_stage[moved].astype(str).tolist()},
        same_for_all={"version": ("version + 1", []),
                      "updated_at": ("%s", [now.replace(tzinfo=None) if connection.vendor == "sqlite" else now])},
        in_order_of="display_name",  # seven of the customer table's indexes end with the name
    )
    as_of = scoring.options.as_of.isoformat()
    reasons = [
        f"Analytics {as_of}: " + segments.stage_reason(
            str(new_stage[i]), float(c["days_since_purchase"][i]), float(c["churn_risk"][i]), float(c["p_alive"][i]))
        for i in moved.tolist()
    ]
    writer = BulkWriter([LifecycleChange])
    writer.write(LifecycleChange, len(moved), {
        "id": Col("int", writer.reserve(LifecycleChange, len(moved))),
        "customer_id": Col("int", ids[moved]),
        "from_stage": Col("text", now_stage[moved].tolist()),
        "to_stage": Col("text", new_stage[moved].tolist()),
        "changed_at": Col("ts", np.full(len(moved), int(now.timestamp() * 1_000_000) | 1, dtype=np.int64)),
        "changed_by_id": const(None),
        "reason": Col("text", [r[:200] for r in reasons]),
    })
    writer.advance_sequences()  # a person's stage change later takes the next id through the ORM
    return len(moved)


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


def store(run: ScoreRun, scoring: Scoring, *, create_tasks: bool = True, calls_per_owner: int = 10) -> ScoreRun:
    """Write everything of a scoring in one transaction: a failure leaves the previous scores current."""
    now = timezone.now()
    timings = dict(scoring.timings)
    began = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal began
        timings[name] = round(time.perf_counter() - began, 3)
        began = time.perf_counter()

    stages = current_stages()
    with bulk_session([CustomerScore]) as writer:
        partition = write_scores(writer, run, scoring)
        lap("write_scores")
        run.lifecycle_changes = apply_lifecycle(scoring, stages, now)
        lap("lifecycle")
        run.tasks_created = create_call_tasks(scoring, now, calls_per_owner) if create_tasks else 0
        lap("tasks")
        if partition is not None:
            # Last: attaching checks the foreign keys, which holds writes to the customers until the commit.
            partitions.attach_partition(CustomerScore, partition, run.pk)
            lap("attach_scores")
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
    return run
