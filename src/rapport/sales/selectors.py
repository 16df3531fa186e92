"""Reads for leads, opportunities, the pipeline board and the forecast. Every read of sales data starts
from :func:`rapport.core.access.visible_to`; pipelines and stages are configuration, readable by every
signed-in user (like the product catalogue).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Round, TruncMonth
from django.http import Http404
from django.utils import timezone

from rapport.core.access import scope_of, visible_to
from rapport.core.money import to_amount
from rapport.sales.choices import OpportunityStatus, StageKind
from rapport.sales.models import Lead, Opportunity, OpportunityStageChange, Pipeline, Stage

COUNT_CAP = 10_000
# Won and lost columns show what closed recently, not every deal ever closed: the board is for work.
CLOSED_WINDOW_DAYS = 90
CENTS = Decimal("0.01")


def _get(queryset: QuerySet[Any], pk: Any, what: str) -> Any:
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(f"No such {what}") from None


# --- Leads ------------------------------------------------------------------------------------------------


def lead_list(*, user: Any) -> QuerySet[Lead]:
    return visible_to(user, Lead.objects.select_related("owner"))


def lead_get(*, user: Any, pk: Any) -> Lead:
    """The lead, or Http404 when it does not exist *or* the user may not see it."""
    queryset = visible_to(user, Lead.objects.select_related("owner", "team", "converted_customer",
                                                             "converted_opportunity"))
    return _get(queryset, pk, "lead")


# --- Pipelines --------------------------------------------------------------------------------------------


def pipeline_list(*, user: Any) -> QuerySet[Pipeline]:
    """Every pipeline with its stages in order (configuration, not customer data: any signed-in user)."""
    if scope_of(user) is None:
        return Pipeline.objects.none()
    return Pipeline.objects.prefetch_related(
        models.Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    ).order_by("-is_default", "name", "id")


def pipeline_get(*, user: Any, pk: Any = None) -> Pipeline:
    """The pipeline ``pk``, or the default one when ``pk`` is empty; Http404 when there is none."""
    queryset = pipeline_list(user=user)
    if pk in (None, ""):
        pipeline = queryset.first()
        if pipeline is None:
            raise Http404("No pipeline")
        return pipeline
    return _get(queryset, pk, "pipeline")


def stage_list(*, user: Any) -> QuerySet[Stage]:
    if scope_of(user) is None:
        return Stage.objects.none()
    return Stage.objects.select_related("pipeline").order_by("pipeline__name", "pipeline_id", "position", "id")


# --- Opportunities ----------------------------------------------------------------------------------------


def opportunity_list(*, user: Any) -> QuerySet[Opportunity]:
    return visible_to(user, Opportunity.objects.select_related("customer", "owner", "stage", "pipeline"))


def opportunity_get(*, user: Any, pk: Any) -> Opportunity:
    return _get(opportunity_list(user=user), pk, "opportunity")


def opportunity_history(*, opportunity: Opportunity, limit: int = 50) -> list[OpportunityStageChange]:
    """The opportunity's stage moves, newest first (the caller has already checked it may see it)."""
    return list(
        OpportunityStageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


def _prefix_variants(text: str) -> list[str]:
    text = text.strip()[:100]
    if not text:
        return []
    return list(dict.fromkeys([text, text[:1].upper() + text[1:], text.lower(), text.title()]))


def _next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for an index range)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if ord(prefix[-1]) < 0x10FFFF else prefix + "\uffff"


def opportunity_search(*, user: Any, text: str, limit: int = 8) -> list[Opportunity]:
    """Visible opportunities whose name starts with ``text`` (as typed, capitalised, lower case, title case).

    Each variant is a range ``name >= p AND name < p'`` over the (name, id) index, which both SQLite and
    PostgreSQL serve from the index (a LIKE prefix is not index-backed on SQLite without a NOCASE index);
    ``startswith`` then keeps exactly the rows with the prefix.
    """
    variants = _prefix_variants(text)
    if not variants:
        return []
    match = Q()
    for prefix in variants:
        match |= Q(name__gte=prefix, name__lt=_next_prefix(prefix), name__startswith=prefix)
    return list(opportunity_list(user=user).filter(match).order_by("name", "id")[: max(1, min(limit, 50))])


# --- The board ------------------------------------------------------------------------------------------


@dataclass
class Column:
    stage: Stage
    cards: list[Opportunity] = field(default_factory=list)
    count: int = 0  # capped at COUNT_CAP: the template shows "10,000+"
    totals: list[tuple[str, Decimal]] = field(default_factory=list)  # (currency, sum of amount)

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP

    @property
    def more(self) -> bool:
        return self.count > len(self.cards)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[Column]
    closed_since: datetime


def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _union_of(branches: list[QuerySet[Any]]) -> tuple[str, list[Any]]:
    """``SELECT * FROM (branch) UNION ALL ...``: each branch is wrapped so that its LIMIT stays its own."""
    parts: list[str] = []
    params: list[Any] = []
    for i, branch in enumerate(branches):
        sql, branch_params = _sql(branch)
        parts.append(f"SELECT * FROM ({sql}) AS b{i}")
        params.extend(branch_params)
    return " UNION ALL ".join(parts), params


def _in_column(user: Any, stage: Stage, since: datetime) -> QuerySet[Opportunity]:
    rows = visible_to(user, Opportunity.objects.filter(stage=stage))
    if stage.kind != StageKind.OPEN:
        rows = rows.filter(closed_at__gte=since)
    return rows


def _card_order(stage: Stage) -> list[Any]:
    if stage.kind == StageKind.OPEN:
        return [F("expected_close").asc(nulls_last=True), F("id").asc()]
    return [F("closed_at").desc(nulls_last=True), F("id").desc()]


def _sort_key(stage: Stage) -> Any:
    if stage.kind == StageKind.OPEN:
        return lambda o: (o.expected_close is None, o.expected_close or date.min, o.pk)
    return lambda o: (-(o.closed_at.timestamp() if o.closed_at else 0), -o.pk)


def board_totals(*, user: Any, pipeline: Pipeline, stages: list[Stage] | None = None,
                 since: datetime | None = None) -> dict[int, tuple[int, list[tuple[str, Decimal]]]]:
    """Per stage id: the visible count (capped at COUNT_CAP) and the sum of amount per currency.

    Two queries whatever the number of stages: the counts as a UNION ALL of ``COUNT(*)`` over a
    ``LIMIT COUNT_CAP`` subquery per stage (so a column of a million cards costs what one of ten thousand
    does), the sums as one GROUP BY over the board's rows (open, and closed within the window).
    """
    stages = stages if stages is not None else list(pipeline.stages.order_by("position", "id"))
    since = since or timezone.now() - timedelta(days=CLOSED_WINDOW_DAYS)
    if not stages:
        return {}
    counts: dict[int, int] = {}
    parts: list[str] = []
    params: list[Any] = []
    for i, stage in enumerate(stages):
        sql, branch_params = _sql(_in_column(user, stage, since).order_by().values("id")[:COUNT_CAP])
        parts.append(f"SELECT {int(stage.pk)} AS stage_id, COUNT(*) AS n FROM ({sql}) AS c{i}")
        params.extend(branch_params)
    with connection.cursor() as db:
        db.execute(" UNION ALL ".join(parts), params)
        counts = {int(stage_id): int(n) for stage_id, n in db.fetchall()}
    sums: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    rows = (
        visible_to(user, Opportunity.objects.filter(pipeline=pipeline))
        .filter(Q(status=OpportunityStatus.OPEN) | Q(closed_at__gte=since))
        .values("stage_id", "currency").annotate(total=Sum("amount")).order_by("stage_id", "currency")
    )
    for row in rows:
        sums[row["stage_id"]].append((row["currency"], Decimal(row["total"] or 0).quantize(CENTS)))
    return {s.pk: (counts.get(s.pk, 0), sums.get(s.pk, [])) for s in stages}


def board(*, user: Any, pipeline: Pipeline, per_stage: int = 50) -> Board:
    """The kanban for ``pipeline``: per stage the first ``per_stage`` cards, a capped count and the sums.

    Cards are read in one query whatever the number of stages: the ids come from a UNION ALL with one
    ``ORDER BY ... LIMIT per_stage`` branch per stage, each walking its (stage, expected_close, id) or
    (stage, closed_at, id) index for one page, and the rows (customer and owner joined) from an
    ``id IN (...)`` around it. With the counts and sums that makes three queries for the board.
    """
    per_stage = max(1, min(int(per_stage), 200))
    stages = list(pipeline.stages.all())  # prefetched by pipeline_list
    stages.sort(key=lambda s: (s.position, s.pk))
    since = timezone.now() - timedelta(days=CLOSED_WINDOW_DAYS)
    columns = [Column(stage=s) for s in stages]
    if not stages:
        return Board(pipeline=pipeline, columns=columns, closed_since=since)
    branches = [_in_column(user, s, since).order_by(*_card_order(s)).values("id")[:per_stage] for s in stages]
    union_sql, params = _union_of(branches)
    cards = list(
        Opportunity.objects.filter(id__in=RawSQL(union_sql, params))  # noqa: S611  (bound parameters)
        .select_related("customer", "owner")
    )
    by_stage: dict[int, list[Opportunity]] = defaultdict(list)
    for card in cards:
        by_stage[card.stage_id].append(card)
    totals = board_totals(user=user, pipeline=pipeline, stages=stages, since=since)
    stage_by_id = {s.pk: s for s in stages}
    for column in columns:
        column.cards = sorted(by_stage.get(column.stage.pk, []), key=_sort_key(column.stage))
        for card in column.cards:
            card.stage = stage_by_id[card.stage_id]  # already read: no query per card for its stage
        column.count, column.totals = totals.get(column.stage.pk, (0, []))
    return Board(pipeline=pipeline, columns=columns, closed_since=since)


# --- Forecast ---------------------------------------------------------------------------------------------


@dataclass
class ForecastRow:
    currency: str
    weighted: dict[date, Decimal]  # month -> weighted amount of the open opportunities expected to close
    won: dict[date, Decimal]  # month -> amount won
    open_total: dict[date, Decimal]  # month -> unweighted amount still open

    def cells(self, months: list[date]) -> list[tuple[date, Decimal, Decimal, Decimal]]:
        zero = Decimal("0.00")
        return [
            (m, self.weighted.get(m, zero), self.won.get(m, zero), self.open_total.get(m, zero)) for m in months
        ]

    @property
    def weighted_sum(self) -> Decimal:
        return sum(self.weighted.values(), Decimal("0.00"))

    @property
    def won_sum(self) -> Decimal:
        return sum(self.won.values(), Decimal("0.00"))


@dataclass
class Forecast:
    months: list[date]
    rows: list[ForecastRow]
    pipeline: Pipeline | None


def _month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _as_month(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _cents(expression: Any) -> Any:
    # Whole cents as a big integer: SQLite keeps decimals as floating point, so summing cents keeps the
    # forecast exact on both databases (amount * probability stays far below 2**63).
    return Cast(Round(expression * 100), BigIntegerField())


def forecast(*, user: Any, months: int = 6, pipeline: Pipeline | None = None, start: date | None = None) -> Forecast:
    """Weighted pipeline (amount x probability) of open opportunities by expected-close month and currency,
    beside the amount won per month (by the month it closed), from ``start`` (this month) for ``months``.

    Two aggregate queries (TruncMonth + Sum in SQL), served by the (status, expected_close) and
    (status, closed_at) indexes, or the owner/team ones when the user's scope narrows the rows.
    """
    months = max(1, min(int(months), 24))
    first = (start or timezone.localdate()).replace(day=1)
    end = _month_add(first, months)
    month_list = [_month_add(first, i) for i in range(months)]
    base = visible_to(user, Opportunity.objects.all())
    if pipeline is not None:
        base = base.filter(pipeline=pipeline)
    open_rows = (
        base.filter(status=OpportunityStatus.OPEN, expected_close__gte=first, expected_close__lt=end)
        .annotate(month=TruncMonth("expected_close"))
        .values("month", "currency")
        .annotate(
            weighted_cents=Sum(_cents(F("amount")) * F("probability"), output_field=BigIntegerField()),
            open_cents=Sum(_cents(F("amount")), output_field=BigIntegerField()),
        )
        .order_by()
    )
    start_at = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end_at = timezone.make_aware(datetime.combine(end, datetime.min.time()))
    won_rows = (
        base.filter(status=OpportunityStatus.WON, closed_at__gte=start_at, closed_at__lt=end_at)
        .annotate(month=TruncMonth("closed_at"))
        .values("month", "currency")
        .annotate(won_cents=Sum(_cents(F("amount")), output_field=BigIntegerField()))
        .order_by()
    )
    rows: dict[str, ForecastRow] = {}

    def row(currency: str) -> ForecastRow:
        return rows.setdefault(currency, ForecastRow(currency=currency, weighted={}, won={}, open_total={}))

    for r in open_rows:
        month = _as_month(r["month"])
        weighted = to_amount(Decimal(int(r["weighted_cents"] or 0)) / 10_000)
        current = row(r["currency"])
        current.weighted[month] = current.weighted.get(month, Decimal("0.00")) + weighted
        current.open_total[month] = current.open_total.get(month, Decimal("0.00")) + to_amount(
            Decimal(int(r["open_cents"] or 0)) / 100
        )
    for r in won_rows:
        month = _as_month(r["month"])
        current = row(r["currency"])
        won = to_amount(Decimal(int(r["won_cents"] or 0)) / 100)
        current.won[month] = current.won.get(month, Decimal("0.00")) + won
    return Forecast(months=month_list, rows=[rows[c] for c in sorted(rows)], pipeline=pipeline)


# --- Home page --------------------------------------------------------------------------------------------


@dataclass
class StageSummary:
    stage: Stage
    count: int
    totals: list[tuple[str, Decimal]]


def open_opportunities_by_stage(*, user: Any) -> list[StageSummary]:
    """The user's own open opportunities per stage (count and amount per currency), in pipeline order.

    One GROUP BY over the (owner, status, expected_close) index plus one read of the stages involved.
    """
    rows = list(
        visible_to(user, Opportunity.objects.filter(owner=user, status=OpportunityStatus.OPEN))
        .values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount")).order_by()
    ) if getattr(user, "pk", None) else []
    if not rows:
        return []
    stages = {
        s.pk: s for s in Stage.objects.filter(pk__in={r["stage_id"] for r in rows}).select_related("pipeline")
    }
    summaries: dict[int, StageSummary] = {}
    for r in rows:
        summary = summaries.setdefault(
            r["stage_id"], StageSummary(stage=stages[r["stage_id"]], count=0, totals=[])
        )
        summary.count += r["n"]
        summary.totals.append((r["currency"], Decimal(r["total"] or 0).quantize(CENTS)))
    ordered = sorted(
        summaries.values(),
        key=lambda s: (not s.stage.pipeline.is_default, s.stage.pipeline.name, s.stage.position, s.stage.pk),
    )
    for summary in ordered:
        summary.totals.sort()
    return ordered
