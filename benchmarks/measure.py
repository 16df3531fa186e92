"""The timed operations and their physical anchors. Needs Django set up (benchmarks.run does that).

Every operation is timed next to an anchor measured in the same run on the same rows: the same query
written as raw SQL and run on the DB-API cursor (no ORM, no model instances), or for seeding the database's
own bulk path (``executemany`` / ``COPY``) fed with rows prepared beforehand. The ratio and the difference
say what the application layer costs on top of the physics.
"""

from __future__ import annotations

import heapq
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rapport.accounts.models import Team
from rapport.commerce.models import Order, OrderLine
from rapport.core import bulkload
from rapport.customers import listing
from rapport.customers.choices import LifecycleStage
from rapport.customers.models import Contact, ContactPoint, Customer, CustomerMerge, Tag
from rapport.customers.selectors import customer_list, customer_single_view
from rapport.interactions.models import Interaction
from rapport.ops.seeding import TABLES
from rapport.sales.models import Opportunity

User = get_user_model()
PAGE = 50
TIMELINE_PAGE = 50
BUDGET_MS = 5.0  # list and single view: p50 within the raw SQL's p50 + 5 ms
STAGES = [LifecycleStage.ACTIVE, LifecycleStage.AT_RISK, LifecycleStage.LAPSED, LifecycleStage.LOST,
          LifecycleStage.NEW]


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def cols(alias: str, model: type[models.Model]) -> str:
    return ", ".join(f"{alias}.{qn(f.column)}" for f in model._meta.concrete_fields)


def ms(ns: int) -> float:
    return ns / 1e6


@dataclass
class Timing:
    name: str
    samples: list[float] = field(default_factory=list)
    anchor: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    queries: int | None = None
    queries_max: int | None = None
    skipped: str | None = None
    budget_ms: float | None = None
    p95_limit_ms: float | None = None
    note: str = ""

    def summary(self) -> dict[str, Any]:
        if self.skipped:
            return {"skipped": self.skipped}
        p50, p95 = np.percentile(self.samples, [50, 95])
        a50, a95 = np.percentile(self.anchor, [50, 95])
        out: dict[str, Any] = {
            "reps": len(self.samples), "p50_ms": round(float(p50), 3), "p95_ms": round(float(p95), 3),
            "anchor_p50_ms": round(float(a50), 3), "anchor_p95_ms": round(float(a95), 3),
            "ratio": round(float(p50 / a50), 2) if a50 > 0 else None, "diff_ms": round(float(p50 - a50), 3),
            "cold_p50_ms": round(float(np.percentile(self.cold, 50)), 3) if self.cold else None,
        }
        if self.queries is not None:
            out["queries"] = self.queries
        if self.queries_max is not None:
            out["queries_max"] = self.queries_max
        if self.budget_ms is not None:
            out["target"] = f"p50 <= anchor p50 + {self.budget_ms:g} ms"
            out["ok"] = bool(p50 <= a50 + self.budget_ms)
        if self.p95_limit_ms is not None:
            out["target"] = f"p95 < {self.p95_limit_ms:g} ms"
            out["ok"] = bool(p95 < self.p95_limit_ms)
        if self.note:
            out["note"] = self.note
        return out


def _pair(timing: Timing, args: Sequence[Any], orm: Callable[[Any], Any], raw: Callable[[Any], Any]) -> Timing:
    """Time ``orm`` and ``raw`` on the same arguments in steady state.

    A first, untimed pass touches every sample with both (its ORM times are kept as the cold first touch:
    how much the database's page cache matters at this size); the timed pass then alternates which of the
    two goes first.
    """
    for arg in args:
        began = time.perf_counter_ns()
        orm(arg)
        timing.cold.append(ms(time.perf_counter_ns() - began))
        raw(arg)
    for i, arg in enumerate(args):
        order = (orm, raw) if i % 2 == 0 else (raw, orm)
        for fn in order:
            began = time.perf_counter_ns()
            fn(arg)
            elapsed = ms(time.perf_counter_ns() - began)
            (timing.samples if fn is orm else timing.anchor).append(elapsed)
    return timing


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Who looks -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewers:
    agent: Any
    manager: Any
    admin: Any

    def items(self) -> list[tuple[str, Any]]:
        return [("agent", self.agent), ("manager", self.manager), ("admin", self.admin)]


def viewers() -> Viewers:
    """The busiest seeded agent, that agent's team manager, and an administrator (created if missing)."""
    from rapport.accounts.services import user_create

    agent_id = (
        Customer.objects.filter(owner__role="agent").values("owner").annotate(n=models.Count("id"))
        .order_by("-n").values_list("owner", flat=True).first()
    )
    if agent_id is None:
        raise RuntimeError("the database holds no seeded customers owned by an agent")
    agent = User.objects.get(pk=agent_id)
    manager = User.objects.filter(role="manager", team=agent.team).first() if agent.team_id else None
    admin = User.objects.filter(username="bench.admin").first() or user_create(
        username="bench.admin", role="admin", first_name="Bench", last_name="Admin"
    )
    if manager is None:
        raise RuntimeError("the agent's team has no manager")
    return Viewers(agent=agent, manager=manager, admin=admin)


def _scope_branches(role: str, user: Any) -> list[tuple[str, list[Any]]]:
    """The scope as index-friendly branches, as ``rapport.core.access.visible_branches`` reads it."""
    if role == "manager":
        return [("c.owner_id = %s", [user.pk]), ("c.team_id = %s", [user.team_id])]
    return [_scope_sql(role, user)]


def merged_page(select: str, role: str, user: Any, condition: str, params: Sequence[Any], size: int) -> list[Any]:
    """The physical best for one ordered page of a scope: each branch's first rows by (name, id), merged."""
    name_at = [f.column for f in Customer._meta.concrete_fields].index("display_name")
    pages = []
    for scope, scope_params in _scope_branches(role, user):
        sql = f"{select} WHERE {scope} AND {condition} ORDER BY c.display_name ASC, c.id ASC LIMIT {size}"
        pages.append(_fetch(sql, [*scope_params, *params]))
    if len(pages) == 1:
        return pages[0]
    merged = {row[0]: row for row in heapq.merge(*pages, key=lambda row: (row[name_at], row[0]))}
    return list(merged.values())[:size]


def _scope_sql(role: str, user: Any) -> tuple[str, list[Any]]:
    if role == "agent":
        return "c.owner_id = %s", [user.pk]
    if role == "manager":
        return "(c.owner_id = %s OR c.team_id = %s)", [user.pk, user.team_id]
    return "1 = 1", []


# --- Customer list: filter + sort + first page -----------------------------------------------------------


def _customer_select() -> str:
    return (
        f"SELECT {cols('c', Customer)}, {cols('u', User)}, {cols('t', Team)} FROM {qn(Customer._meta.db_table)} c "
        f"LEFT OUTER JOIN {qn(User._meta.db_table)} u ON c.owner_id = u.id "
        f"LEFT OUTER JOIN {qn(Team._meta.db_table)} t ON c.team_id = t.id"
    )


def time_list(role: str, user: Any, reps: int, rng: random.Random) -> Timing:
    stages = [rng.choice(STAGES) for _ in range(reps)]

    def orm(stage: str) -> Any:
        return listing.customer_page(user=user, filters=listing.CustomerFilters(stage=stage), size=PAGE)

    def raw(stage: str) -> Any:
        return merged_page(_customer_select(), role, user, "c.lifecycle_stage = %s", [stage], PAGE + 1)

    timing = Timing(f"list.{role}", budget_ms=BUDGET_MS, note="lifecycle_stage filter, by display_name, id; 50")
    _pair(timing, stages, orm, raw)
    with CaptureQueriesContext(connection) as ctx:
        orm(stages[0])
    timing.queries = len(ctx.captured_queries)
    return timing


# --- The single customer view ------------------------------------------------------------------------------


def _facts_sql() -> str:
    def txt(expr: str) -> str:
        return f"CAST({expr} AS VARCHAR(254))"

    cp, ad, ei, co = (qn(m._meta.db_table) for m in (
        ContactPoint, Customer.addresses.field.model, Customer.identifiers.field.model, Customer.consents.field.model,
    ))
    tags, tag = qn(Customer.tags.through._meta.db_table), qn(Tag._meta.db_table)
    return " UNION ALL ".join([
        f"SELECT 0, id, {txt('kind')}, {txt('value')}, {txt('label')}, {txt('source')}, {txt('normalized')}, "
        f"{txt('NULL')}, is_primary FROM {cp} WHERE customer_id = %s",
        f"SELECT 1, id, {txt('kind')}, {txt('line1')}, {txt('line2')}, {txt('city')}, {txt('postal_code')}, "
        f"{txt('country')}, is_primary FROM {ad} WHERE customer_id = %s",
        f"SELECT 2, id, {txt('source')}, {txt('external_id')}, {txt('NULL')}, {txt('NULL')}, {txt('NULL')}, "
        f"{txt('NULL')}, FALSE FROM {ei} WHERE customer_id = %s",
        f"SELECT 3, id, {txt('channel')}, {txt('status')}, {txt('source')}, {txt('reason')}, "
        f"{txt('recorded_at')}, {txt('NULL')}, FALSE FROM {co} WHERE customer_id = %s",
        f"SELECT 4, tg.id, {txt('tg.name')}, {txt('NULL')}, {txt('NULL')}, {txt('NULL')}, {txt('NULL')}, "
        f"{txt('NULL')}, FALSE FROM {tags} ct JOIN {tag} tg ON tg.id = ct.tag_id WHERE ct.customer_id = %s",
    ]) + " ORDER BY 1, 9 DESC, 2"


def _timeline_sql() -> str:
    users = qn(User._meta.db_table)
    limit = TIMELINE_PAGE + 1
    tasks = qn(Customer.tasks.field.model._meta.db_table)
    notes = qn(Customer.notes.field.model._meta.db_table)

    def branch(rank: int, table: str, at: str, title: str, body: str, channel: str, state: str, amount: str,
               currency: str, actor: str | None, customer: str = "customer_id") -> str:
        join = f" LEFT JOIN {users} u ON u.id = t.{actor}" if actor else ""
        who = "u.username" if actor else "NULL"
        return (
            f"SELECT * FROM (SELECT {rank} AS r, t.id AS id, t.{at} AS at, CAST({title} AS VARCHAR(200)) AS title, "
            f"CAST({body} AS TEXT) AS body, CAST({channel} AS VARCHAR(32)) AS channel, "
            f"CAST({state} AS VARCHAR(32)) AS state, CAST({amount} AS NUMERIC(14, 2)) AS amount, "
            f"CAST({currency} AS VARCHAR(3)) AS currency, CAST({who} AS VARCHAR(150)) AS actor "
            f"FROM {table} t{join} WHERE t.{customer} = %s ORDER BY t.{at} DESC, t.id DESC LIMIT {limit}) AS b{rank}"
        )

    parts = [
        branch(10, notes, "created_at", "SUBSTR(t.body, 1, 200)", "t.body", "NULL", "NULL", "NULL", "NULL",
               "author_id"),
        branch(20, tasks, "created_at", "t.title", "t.description", "NULL",
               "CASE WHEN t.done_at IS NULL THEN 'open' ELSE 'done' END", "NULL", "NULL", "assignee_id"),
        branch(30, qn(Order._meta.db_table), "placed_at", "t.external_id", "NULL", "t.channel", "t.status",
               "t.total", "t.currency", None),
        branch(40, qn(Interaction._meta.db_table), "occurred_at", "t.subject", "t.body", "t.channel",
               "t.direction", "NULL", "NULL", "user_id"),
        # The sales and merge entries the page shows too (rapport.sales.apps, rapport.customers.apps).
        branch(45, qn(Opportunity._meta.db_table), "created_at", "t.name", "NULL", "NULL", "t.status", "t.amount",
               "t.currency", "owner_id"),
        branch(50, qn(CustomerMerge._meta.db_table), "merged_at", "t.discarded_name", "t.reason", "NULL",
               "CASE WHEN t.undone_at IS NULL THEN NULL ELSE 'undone' END", "NULL", "NULL", "merged_by_id",
               customer="survivor_id"),
    ]
    return (f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS timeline ORDER BY at DESC, r DESC, id DESC "
            f"LIMIT {limit}")


def single_view_raw(role: str, user: Any) -> Callable[[int], Any]:
    scope, scope_params = _scope_sql(role, user)
    get_sql = f"{_customer_select()} WHERE {scope} AND c.id = %s LIMIT 21"
    facts_sql = _facts_sql()
    contacts_sql = (f"SELECT {cols('k', Contact)} FROM {qn(Contact._meta.db_table)} k WHERE k.organisation_id = %s "
                    f"ORDER BY k.is_primary DESC, k.last_name ASC")
    timeline_sql = _timeline_sql()

    def raw(pk: int) -> Any:
        row = _fetch(get_sql, [*scope_params, pk])[0]
        facts = _fetch(facts_sql, [pk] * 5)
        contacts = _fetch(contacts_sql, [pk]) if row[4] == "organisation" else []
        return row, facts, contacts, _fetch(timeline_sql, [pk] * timeline_sql.count("%s"))  # one per branch

    return raw


def visible_sample(role: str, user: Any, n: int, rng: random.Random) -> list[int]:
    """``n`` random customers the user may see (with repeats when fewer exist)."""
    ids = list(customer_list(user=user).values_list("id", flat=True)[:200_000])
    if not ids:
        raise RuntimeError(f"the {role} sees no customers")
    return [rng.choice(ids) for _ in range(n)]


def time_single_view(role: str, user: Any, reps: int, rng: random.Random) -> Timing:
    pks = visible_sample(role, user, reps, rng)

    def orm(pk: int) -> Any:
        return customer_single_view(user=user, pk=pk)

    timing = Timing(f"single_view.{role}", budget_ms=BUDGET_MS, note="profile, facts, contacts, 50 timeline entries")
    _pair(timing, pks, orm, single_view_raw(role, user))
    # Query count outside the timed loop (capturing slows the cursor down): organisations cost one more.
    orgs = list(customer_list(user=user).filter(kind="organisation").values_list("id", flat=True)[:5])
    counts = []
    for pk in pks[:15] + orgs:
        with CaptureQueriesContext(connection) as ctx:
            orm(pk)
        counts.append(len(ctx.captured_queries))
    timing.queries = int(np.median(counts))
    timing.queries_max = max(counts)
    return timing


# --- The API -------------------------------------------------------------------------------------------------


def _api_anchor_extras(ids: Sequence[int]) -> None:
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    _fetch(f"SELECT {cols('p', ContactPoint)} FROM {qn(ContactPoint._meta.db_table)} p "
           f"WHERE p.customer_id IN ({marks}) ORDER BY p.is_primary DESC, p.id ASC", list(ids))
    through = qn(Customer.tags.through._meta.db_table)
    _fetch(f"SELECT ct.customer_id, {cols('g', Tag)} FROM {qn(Tag._meta.db_table)} g JOIN {through} ct "
           f"ON g.id = ct.tag_id WHERE ct.customer_id IN ({marks})", list(ids))


def time_api(role: str, user: Any, reps: int, rng: random.Random) -> list[Timing]:
    client = Client()
    client.force_login(user)
    list_timing = Timing(f"api.list.{role}", note="GET /api/v1/customers/?lifecycle_stage=..., 50 per page")
    detail_timing = Timing(f"api.detail.{role}", note="GET /api/v1/customers/{id}/")
    probe = client.get("/api/v1/customers/", {"lifecycle_stage": "active"}, HTTP_ACCEPT="application/json")
    if probe.status_code == 404:
        list_timing.skipped = detail_timing.skipped = "skipped: endpoint missing"
        return [list_timing, detail_timing]
    if probe.status_code != 200:
        list_timing.skipped = detail_timing.skipped = f"skipped: /api/v1/customers/ answered {probe.status_code}"
        return [list_timing, detail_timing]

    scope, scope_params = _scope_sql(role, user)
    list_sql = (f"{_customer_select()} WHERE {scope} AND c.lifecycle_stage = %s "
                f"ORDER BY c.display_name ASC, c.id ASC LIMIT {PAGE + 1}")
    detail_sql = f"{_customer_select()} WHERE {scope} AND c.id = %s LIMIT 21"

    def api_list(stage: str) -> Any:
        response = client.get("/api/v1/customers/", {"lifecycle_stage": stage}, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"/api/v1/customers/ answered {response.status_code}")
        return response.content

    def raw_list(stage: str) -> Any:
        rows = _fetch(list_sql, [*scope_params, stage])
        _api_anchor_extras([r[0] for r in rows[:PAGE]])
        return rows

    _pair(list_timing, [rng.choice(STAGES) for _ in range(reps)], api_list, raw_list)
    with CaptureQueriesContext(connection) as ctx:
        api_list("active")
    list_timing.queries = len(ctx.captured_queries)

    def api_detail(pk: int) -> Any:
        response = client.get(f"/api/v1/customers/{pk}/", HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"/api/v1/customers/{pk}/ answered {response.status_code}")
        return response.content

    def raw_detail(pk: int) -> Any:
        rows = _fetch(detail_sql, [*scope_params, pk])
        _api_anchor_extras([pk])
        return rows

    pks = visible_sample(role, user, reps, rng)
    missing = client.get(f"/api/v1/customers/{pks[0]}/", HTTP_ACCEPT="application/json")
    if missing.status_code == 404:
        detail_timing.skipped = "skipped: endpoint missing"
        return [list_timing, detail_timing]
    _pair(detail_timing, pks, api_detail, raw_detail)
    with CaptureQueriesContext(connection) as ctx:
        api_detail(pks[0])
    detail_timing.queries = len(ctx.captured_queries)
    return [list_timing, detail_timing]


# --- Seeding vs the raw bulk path ---------------------------------------------------------------------------


def _anchor_filters(first_id: int, last_id: int) -> dict[type[models.Model], str]:
    span = f"BETWEEN {int(first_id)} AND {int(last_id)}"
    orders = qn(Order._meta.db_table)
    filters: dict[type[models.Model], str] = {}
    for model in TABLES:
        if model is Customer:
            filters[model] = f"id {span}"
        elif model is OrderLine:
            filters[model] = f"order_id IN (SELECT id FROM {orders} WHERE customer_id {span})"
        elif model is Contact:
            filters[model] = f"organisation_id {span}"
        else:
            filters[model] = f"customer_id {span}"
    return filters


def _scratch(table: str) -> str:
    return f"bench_scratch_{table}"


def _create_scratch_sqlite(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table])
        # The search index's triggers stay on the real table: the anchor pays no search-index upkeep, which
        # only makes the seeding ratio harder to reach.
        statements = [(kind, sql) for kind, sql in cursor.fetchall() if kind != "trigger"]
        for kind, sql in sorted(statements, key=lambda s: s[0] != "table"):
            if kind == "table":
                sql = sql.replace(f'"{table}"', f'"{_scratch(table)}"', 1)
            else:
                sql = re.sub(r'INDEX "([^"]+)" ON "([^"]+)"',
                             lambda m: f'INDEX "bench_{m.group(1)}" ON "{_scratch(table)}"', sql, count=1)
            cursor.execute(sql)


def time_seed_anchor(first_id: int, customers: int) -> dict[str, Any]:
    """Raw executemany (SQLite) or COPY (PostgreSQL) of the seeded rows of ``customers`` customers into
    scratch copies of the same tables with the same indexes, rows prepared before the clock starts."""
    filters = _anchor_filters(first_id, first_id + customers - 1)
    tables = [m._meta.db_table for m in TABLES]
    data: dict[str, Any] = {}
    rows = 0
    with connection.cursor() as cursor:
        for model, where in filters.items():
            table = model._meta.db_table
            cursor.execute(f"DROP TABLE IF EXISTS {qn(_scratch(table))}")
            if connection.vendor == "sqlite":
                cursor.execute(f"SELECT * FROM {qn(table)} WHERE {where}")
                data[table] = cursor.fetchall()
                rows += len(data[table])
            else:
                raw = connection.connection
                with raw.cursor() as pg, pg.copy(f"COPY (SELECT * FROM {qn(table)} WHERE {where}) TO STDOUT") as cp:
                    data[table] = b"".join(bytes(block) for block in cp)
                cursor.execute(f"SELECT COUNT(*) FROM {qn(table)} WHERE {where}")
                rows += int(cursor.fetchone()[0])
    for table in tables:
        if connection.vendor == "sqlite":
            _create_scratch_sqlite(table)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TABLE {qn(_scratch(table))} (LIKE {qn(table)} INCLUDING ALL)")
    try:
        if connection.vendor == "sqlite":
            with bulkload.sqlite_load_settings(262_144):
                began = time.perf_counter()
                with transaction.atomic():
                    raw_cursor = connection.connection.cursor()
                    for table in tables:
                        if data[table]:
                            marks = ", ".join("?" * len(data[table][0]))
                            raw_cursor.executemany(f'INSERT INTO "{_scratch(table)}" VALUES ({marks})', data[table])
                    raw_cursor.close()
                seconds = time.perf_counter() - began
        else:
            began = time.perf_counter()
            with transaction.atomic(), connection.connection.cursor() as pg:
                for table in tables:
                    with pg.copy(f"COPY {qn(_scratch(table))} FROM STDIN") as cp:
                        cp.write(data[table])
            seconds = time.perf_counter() - began
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {qn(_scratch(table))}")
    return {
        "customers": customers, "rows": rows, "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "method": "executemany, one transaction" if connection.vendor == "sqlite" else "COPY FROM STDIN (text)",
        "tables": "scratch copies with the same indexes; rows prepared before timing",
    }
