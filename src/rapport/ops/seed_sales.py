"""Demo sales data: the default pipeline, opportunities for about ``share`` of the customers, some leads.

Set-based like the rest of the seeding: the customers are sampled in SQL (a hash of the id and the seed, so
the same seed picks the same customers), the rows are generated with NumPy from ``seed`` and written with
:mod:`rapport.core.bulkload` in one transaction. Customers that already have an opportunity are skipped, so
a second seed run only adds opportunities for the customers it added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Mod
from django.utils import timezone

from rapport.core.bulkload import Col, analyze, bulk_session, const
from rapport.customers.models import Customer
from rapport.ops import generator
from rapport.sales.choices import LeadSource, LeadStatus, OpportunityStatus, StageKind
from rapport.sales.models import Lead, Opportunity, OpportunityStageChange, Pipeline, Stage
from rapport.sales.services import pipeline_create

SOURCE = "seed"
TABLES = (Opportunity, OpportunityStageChange, Lead)
LEADS_PER_OPPORTUNITY = 0.5
_HASH = 7919  # a prime: (id * prime + seed) mod 1000 spreads consecutive ids over the buckets
_CURRENCY = {country: code for loc in generator.LOCALES for country, code in loc.currency.items()}
_TOPICS = np.array([
    "Annual contract", "Fleet renewal", "Service upgrade", "New branch fit-out", "Support plan", "Bulk order",
    "Loyalty programme", "Pilot project", "Maintenance deal", "Software licences", "Expansion", "Training package",
])
_WON_REASONS = np.array(["Best price", "Existing relationship", "Product fit", "Fast delivery"])
_LOST_REASONS = np.array(["Price too high", "Chose a competitor", "No budget", "Project cancelled", "No reply"])
_DISQUALIFY_REASONS = np.array(["No budget", "Not the decision maker", "Out of area", "Duplicate", "Spam"])
_US_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class SalesSeed:
    pipeline: Pipeline
    opportunities: int
    leads: int


def _default_pipeline() -> Pipeline:
    return Pipeline.objects.filter(is_default=True).first() or pipeline_create(name="Sales", is_default=True)


def _sampled(seed: int, share: float) -> list[tuple[int, int | None, int | None, str, str, str, str, str]]:
    """The customers (without an opportunity yet) whose hashed id falls in the first ``share`` of buckets."""
    buckets = round(max(0.0, min(share, 1.0)) * 1000)
    has_opportunity = Opportunity.objects.filter(customer=OuterRef("pk"))
    return list(
        Customer.objects.annotate(bucket=Mod(F("id") * _HASH + seed, 1000))
        .filter(bucket__lt=buckets).filter(~Exists(has_opportunity))
        .order_by("id")
        .values_list("id", "owner_id", "team_id", "country", "display_name", "kind", "first_name", "last_name")
    )


def _us(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))


def seed_sales(*, seed: int, share: float = 0.1, now: datetime | None = None) -> SalesSeed:
    """Opportunities for about ``share`` of the customers and half as many leads, deterministic from ``seed``."""
    pipeline = _default_pipeline()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    rows = _sampled(seed, share)
    n = len(rows)
    if n == 0:
        return SalesSeed(pipeline=pipeline, opportunities=0, leads=0)
    rng = np.random.default_rng([seed, 0x5A1E5])
    now_us = _us(now or timezone.now())
    cid = np.array([r[0] for r in rows], dtype=np.int64)
    owner = np.array([r[1] if r[1] is not None else -1 for r in rows], dtype=np.int64)
    team = np.array([r[2] if r[2] is not None else -1 for r in rows], dtype=np.int64)
    currency = np.array([_CURRENCY.get(r[3], "USD") for r in rows], dtype=object)
    names = np.array([r[4] for r in rows], dtype=object)

    # Most opportunities are still open, spread over the open stages; about a quarter are closed.
    kinds = np.array([s.kind for s in stages])
    weights = np.where(kinds == StageKind.OPEN, 3.0, np.where(kinds == StageKind.WON, 1.2, 1.0))
    stage_pick = rng.choice(len(stages), size=n, p=weights / weights.sum())
    stage_id = np.array([s.pk for s in stages], dtype=np.int64)[stage_pick]
    stage_kind = kinds[stage_pick]
    probability = np.array([s.probability for s in stages], dtype=np.int64)[stage_pick]
    closed = stage_kind != StageKind.OPEN
    status = np.where(stage_kind == StageKind.WON, OpportunityStatus.WON,
                      np.where(stage_kind == StageKind.LOST, OpportunityStatus.LOST, OpportunityStatus.OPEN))

    # Amounts: log-normal around 5,000 base units, in the customer's currency, whole units.
    scale = np.array([generator.CURRENCY_SCALE.get(c, 1.0) for c in currency])
    amount_cents = (np.round(rng.lognormal(np.log(5000), 0.9, n) * scale) * 100).astype(np.int64)
    created_us = now_us - rng.integers(1, 180, n) * _US_PER_DAY - rng.integers(0, _US_PER_DAY, n)
    created_us |= 1  # Django drops a zero fraction: keep the stored text what the ORM writes
    closed_us = np.minimum(created_us + rng.integers(1, 120, n) * _US_PER_DAY, now_us - 1) | 1
    today = datetime.fromtimestamp(now_us / 1e6, tz=UTC).date()
    close_offset = np.where(closed, (closed_us - now_us) // _US_PER_DAY, rng.integers(-20, 200, n))
    expected_close = np.array([(today + timedelta(days=int(d))).isoformat() for d in close_offset], dtype=object)
    reason = np.where(stage_kind == StageKind.WON, rng.choice(_WON_REASONS, n),
                      np.where(stage_kind == StageKind.LOST, rng.choice(_LOST_REASONS, n), ""))
    title = np.char.add(np.char.add(names.astype(str), ": "), rng.choice(_TOPICS, n))

    # Leads: people's first and last names mixed within a team, so the names fit the team's language.
    people = [r for r in rows if r[5] == "person" and r[6] and r[7]]
    people.sort(key=lambda r: (r[2] or 0, r[0]))
    k = int(len(people) * LEADS_PER_OPPORTUNITY)
    lead_first = np.array([people[i][6] for i in range(k)], dtype=object)
    lead_last = np.array([people[(i + 1) % len(people)][7] for i in range(k)], dtype=object) if k else lead_first
    lead_owner = np.array([people[i][1] if people[i][1] is not None else -1 for i in range(k)], dtype=np.int64)
    lead_team = np.array([people[i][2] if people[i][2] is not None else -1 for i in range(k)], dtype=np.int64)
    lead_status = rng.choice(
        [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED], k,
        p=[0.4, 0.25, 0.2, 0.15],
    ).astype(object)
    lead_reason = np.where(lead_status == LeadStatus.DISQUALIFIED, rng.choice(_DISQUALIFY_REASONS, k), "")
    lead_created = (now_us - rng.integers(0, 90 * _US_PER_DAY, k)) | 1

    with bulk_session(TABLES) as writer:
        ids = writer.reserve(Opportunity, n)
        writer.write(Opportunity, n, {
            "id": Col("int", ids),
            "created_at": Col("ts", created_us),
            "updated_at": Col("ts", np.where(closed, closed_us, created_us)),
            "source": const(SOURCE),
            "customer": Col("int", cid),
            "name": Col("text", title),
            "pipeline": const(pipeline.pk),
            "stage": Col("int", stage_id),
            "amount": Col("cents", amount_cents),
            "currency": Col("text", currency),
            "probability": Col("int", probability),
            "expected_close": Col("date", expected_close),
            "owner": Col("int_or_null", owner),
            "team": Col("int_or_null", team),
            "status": Col("text", status.astype(object)),
            "closed_at": Col("ts_or_null", closed_us, mask=closed),
            "close_reason": Col("text", reason.astype(object)),
            "version": const(1),
        })
        writer.write(OpportunityStageChange, n, {
            "id": Col("int", writer.reserve(OpportunityStageChange, n)),
            "opportunity": Col("int", ids),
            "from_stage": const(None),
            "to_stage": Col("int", stage_id),
            "changed_at": Col("ts", np.where(closed, closed_us, created_us)),
            "changed_by": Col("int_or_null", owner),
            "reason": Col("text", reason.astype(object)),
        })
        display = np.char.add(np.char.add(lead_first.astype(str), " "), lead_last.astype(str)) if k else lead_first
        lead_ids = writer.reserve(Lead, k)
        writer.write(Lead, k, {
            "id": Col("int", lead_ids),
            "created_at": Col("ts", lead_created),
            "updated_at": Col("ts", lead_created),
            "first_name": Col("text", lead_first),
            "last_name": Col("text", lead_last),
            "organisation_name": const(""),
            "display_name": Col("text", display.astype(object)),
            "email": Col("text", np.char.add(np.char.add("lead", lead_ids.astype(str)), "@example.com").astype(object)),
            "phone": const(""),
            "source": Col("text", rng.choice(np.array(LeadSource.values), k).astype(object)),
            "status": Col("text", lead_status),
            "disqualify_reason": Col("text", lead_reason.astype(object)),
            "notes": const(""),
            "owner": Col("int_or_null", lead_owner),
            "team": Col("int_or_null", lead_team),
            "converted_customer": const(None),
            "converted_opportunity": const(None),
            "converted_at": const(None),
        })
    analyze(TABLES)
    return SalesSeed(pipeline=pipeline, opportunities=n, leads=k)
