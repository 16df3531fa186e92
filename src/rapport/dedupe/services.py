"""Finding likely duplicates across all customers, and recording what people decide about them.

``dedupe_run`` reads every customer (``extract``), lets the engine score the pairs and stores those at or
above the threshold. A pair someone marked "not a duplicate" is never proposed again; a pending pair found
again gets the new probability and evidence; a pending pair no longer found (the records changed, or the
model did) leaves the queue.
"""

from __future__ import annotations

import time
from importlib.metadata import version
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.access import can_write, visible_to
from rapport.core.errors import NotFoundError, PermissionDeniedError, RapportError
from rapport.customers.models import Customer
from rapport.dedupe.engine import EngineResult, ScoredPair, find_duplicates
from rapport.dedupe.extract import customer_table
from rapport.dedupe.models import DedupeRun, DuplicatePair, PairStatus
from rapport.dedupe.scoring import Parameters

BATCH = 2_000


def default_region() -> str:
    """The country assumed for phone numbers written without a country code on customers without a country."""
    return str(getattr(settings, "PHONE_DEFAULT_REGION", "") or "").upper()


def latest_parameters() -> Parameters:
    """The parameters of the latest finished run that trained a model; the defaults before there is one."""
    data = (
        DedupeRun.objects.filter(finished_at__isnull=False, parameters__trained=True)
        .order_by("-finished_at", "-id").values_list("parameters", flat=True).first()
    )
    return Parameters.from_json(data)


def _existing_customers(ids: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        found.update(Customer.objects.filter(pk__in=ordered[start:start + BATCH]).values_list("pk", flat=True))
    return found


def _store(run: DedupeRun, pairs: list[ScoredPair]) -> int:
    """Write the run's pairs; returns how many are new. Decided pairs are left as they are."""
    known = {
        (a, b): (pk, status)
        for pk, a, b, status in DuplicatePair.objects.values_list("pk", "customer_a_id", "customer_b_id", "status")
    }
    # A customer deleted or merged away while the engine ran would fail the foreign key.
    alive = _existing_customers({i for p in pairs for i in (p.id_l, p.id_r)})
    now = timezone.now()
    new, again = [], []
    for pair in pairs:
        if pair.id_l not in alive or pair.id_r not in alive:
            continue
        evidence = [e.as_dict() for e in pair.evidence]
        probability = round(pair.match_probability, 6)
        seen = known.get((pair.id_l, pair.id_r))
        if seen is None:
            new.append(DuplicatePair(
                customer_a_id=pair.id_l, customer_b_id=pair.id_r, match_probability=probability,
                evidence=evidence, run=run, found_at=now,
            ))
        elif seen[1] == PairStatus.PENDING:
            again.append(DuplicatePair(pk=seen[0], match_probability=probability, evidence=evidence, run=run))
    DuplicatePair.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    DuplicatePair.objects.bulk_update(again, ["match_probability", "evidence", "run"], batch_size=500)
    DuplicatePair.objects.filter(status=PairStatus.PENDING).exclude(run=run).delete()
    return len(new)


def dedupe_run(*, threshold: float = 0.9, by: Any = None) -> DedupeRun:
    """Score every customer against the likely others and refresh the review queue. Returns the run."""
    if not 0 < threshold <= 1:
        raise ValidationError({"threshold": _("The threshold is a probability above 0 and at most 1.")})
    start = time.perf_counter()
    run = DedupeRun.objects.create(threshold=threshold, by=by if getattr(by, "pk", None) else None)
    table = customer_table()
    read = time.perf_counter() - start
    # Trained afresh when there are enough customers; a small database keeps the last trained model.
    result: EngineResult = find_duplicates(
        table, threshold=threshold, parameters=latest_parameters(), default_region=default_region()
    )
    step = time.perf_counter()
    with transaction.atomic():
        new = _store(run, result.pairs)
        stored = time.perf_counter() - step
        run.finished_at = timezone.now()
        run.customers = result.records
        run.pairs = len(result.pairs)
        run.new_pairs = new
        run.seconds = round(time.perf_counter() - start, 3)
        run.parameters = {
            **result.parameters.as_json(),
            "seconds": {"read": round(read, 3), **{k: round(v, 3) for k, v in result.seconds.items()},
                        "store": round(stored, 3)},
            "splink": version("splink"),
        }
        run.save()
    return run


def _check_decider(pair: DuplicatePair, by: Any) -> None:
    seen = visible_to(by, Customer.objects.filter(pk__in=[pair.customer_a_id, pair.customer_b_id])).count()
    if seen != 2:
        raise NotFoundError(_("No such pair."))
    if not can_write(by):
        raise PermissionDeniedError(_("Your role may read customers but not decide about duplicates."))


@transaction.atomic
def pair_mark_not_duplicate(*, pair: DuplicatePair, by: Any) -> DuplicatePair:
    """Remember that the two customers are different people: no run proposes the pair again."""
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    _check_decider(pair, by)
    if pair.status == PairStatus.MERGED:
        raise RapportError(_("These customers have been merged already."), field="status")
    pair.status, pair.decided_by, pair.decided_at = PairStatus.NOT_DUPLICATE, by, timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    return pair


@transaction.atomic
def pair_merge(*, pair: DuplicatePair, survivor_id: int | str, by: Any, reason: str = "") -> Any:
    """Merge the pair's other customer into ``survivor_id`` (one of the two); returns the ``CustomerMerge``.

    The merge deletes every pair that names the discarded customer, this one and the other pending ones
    included, and keeps them in its record: undoing the merge brings them back (this one marked merged).
    """
    # Imported here: the merge lives in the customers app, which this module must not need at import time.
    from rapport.customers.merging import customers_merge

    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    _check_decider(pair, by)
    if pair.status != PairStatus.PENDING:
        raise RapportError(_("This pair has been decided already."), field="status")
    ids = (pair.customer_a_id, pair.customer_b_id)
    try:
        kept = int(survivor_id)  # a form posts it as text
    except (TypeError, ValueError):
        kept = -1
    if kept not in ids:
        raise ValidationError({"survivor": _("Keep one of the two customers of the pair.")})
    discarded_id = ids[1] if kept == ids[0] else ids[0]
    pair.status, pair.decided_by, pair.decided_at = PairStatus.MERGED, by, timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    survivor, discarded = Customer.objects.get(pk=kept), Customer.objects.get(pk=discarded_id)
    return customers_merge(survivor=survivor, discarded=discarded, by=by, reason=reason)
