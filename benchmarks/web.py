"""The workspace pages, timed as the server answers them (in-process test client: no network, no browser).

Targets (issue 3): at tier L the customer list, search and the 360 page answer in under 100 ms at p95,
within 1.5x of their tier-S time, and the 360 page runs at most 5 queries of its own (the session and user
lookups every signed-in page pays come on top and are reported apart). Each is timed beside its physical
anchor, the raw SQL that fetches the same rows, in the same run.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.measure import (
    PAGE,
    STAGES,
    Timing,
    _customer_select,
    _fetch,
    _pair,
    _scope_sql,
    merged_page,
    single_view_raw,
    visible_sample,
)
from rapport.customers.listing import COUNT_CAP, SEARCH_COUNT_CAP
from rapport.customers.search import BROAD_MATCHES, FTS_TABLE
from rapport.customers.selectors import customer_list

P95_BUDGET_MS = 100.0
# Every signed-in page loads its session and its user before the view runs.
AUTH_QUERIES = 2


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str, params: dict[str, str] | None = None) -> Callable[[Any], bytes]:
    def call(arg: Any) -> bytes:
        response = client.get(url.format(arg=arg), {k: v.format(arg=arg) for k, v in (params or {}).items()})
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response.content
    return call


def _count_queries(fn: Callable[[Any], Any], args: list[Any]) -> list[int]:
    counts = []
    for arg in args:
        with CaptureQueriesContext(connection) as ctx:
            fn(arg)
        counts.append(len(ctx.captured_queries))
    return counts


def time_list_page(role: str, user: Any, reps: int, rng: random.Random) -> Timing:
    client = _client(user)
    scope, params = _scope_sql(role, user)
    count_sql = (f"SELECT COUNT(*) FROM (SELECT c.id FROM {_customer_select().split(' FROM ', 1)[1]} "
                 f"WHERE {scope} AND c.lifecycle_stage = %s LIMIT {COUNT_CAP}) s")

    def raw(stage: str) -> Any:
        rows = merged_page(_customer_select(), role, user, "c.lifecycle_stage = %s", [stage], PAGE + 1)
        return rows, _fetch(count_sql, [*params, stage])

    timing = Timing(f"page.list.{role}", note="GET /customers/?stage=..., 50 rows and a count capped at 10,000")
    _pair(timing, [rng.choice(STAGES) for _ in range(reps)], _get(client, "/customers/", {"stage": "{arg}"}), raw)
    counts = _count_queries(_get(client, "/customers/", {"stage": "{arg}"}), ["active"])
    timing.queries = counts[0]
    return timing


def search_words(user: Any, n: int, rng: random.Random) -> list[str]:
    """Parts of real names the user may see: 3 to 5 letters from inside a surname, as people type them."""
    names = list(customer_list(user=user).values_list("display_name", flat=True)[:5000])
    words: list[str] = []
    for name in rng.sample(names, min(len(names), n * 3)):
        letters = re.sub(r"\s+", " ", name).split(" ")[-1]
        if len(letters) >= 5:
            start = rng.randrange(0, len(letters) - 3)
            words.append(letters[start:start + rng.choice((3, 4, 5))].lower())
        if len(words) == n:
            break
    return words or ["ann"]


def time_search_page(role: str, user: Any, reps: int, rng: random.Random) -> Timing:
    client = _client(user)
    scope, params = _scope_sql(role, user)
    sqlite = connection.vendor == "sqlite"
    matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    match = f"c.id IN ({matching})" if sqlite else "c.search_document LIKE %s"
    count_sql = (f"SELECT COUNT(*) FROM (SELECT c.id FROM {_customer_select().split(' FROM ', 1)[1]} "
                 f"WHERE {scope} AND {match} LIMIT {SEARCH_COUNT_CAP}) s")
    many_sql = f"SELECT count(*) FROM ({matching} LIMIT {BROAD_MATCHES + 1}) m"

    def raw(word: str) -> Any:
        # The same plan the product picks: a common word walks the ordered index, a rare one sorts its matches.
        term = f'"{word}"' if sqlite else f"%{word}%"
        broad = sqlite and _fetch(many_sql, [term])[0][0] > BROAD_MATCHES
        condition = f"+{match}" if broad else match
        rows = merged_page(_customer_select(), role, user, condition, [term], PAGE + 1)
        return rows, _fetch(count_sql, [*params, term])

    timing = Timing(f"page.search.{role}", note="GET /customers/?q=<3-5 letters of a surname>, 50 rows + capped count")
    _pair(timing, search_words(user, reps, rng), _get(client, "/customers/", {"q": "{arg}"}), raw)
    timing.queries = _count_queries(_get(client, "/customers/", {"q": "{arg}"}), ["ann"])[0]
    return timing


def time_360_page(role: str, user: Any, reps: int, rng: random.Random) -> Timing:
    client = _client(user)
    pks = visible_sample(role, user, reps, rng)
    page = _get(client, "/customers/{arg}/")
    timing = Timing(f"page.360.{role}", note="GET /customers/<id>/: profile, facts, 50 timeline entries")
    _pair(timing, pks, page, single_view_raw(role, user))
    orgs = list(customer_list(user=user).filter(kind="organisation").values_list("id", flat=True)[:5])
    counts = [c - AUTH_QUERIES for c in _count_queries(page, pks[:10] + orgs)]
    timing.queries = int(sorted(counts)[len(counts) // 2])
    timing.queries_max = max(counts)
    return timing


def measure_pages(people: Any, reps: int, rng: random.Random) -> list[Timing]:
    timings: list[Timing] = []
    for role, user in people.items():
        timings.append(time_list_page(role, user, reps, rng))
        timings.append(time_search_page(role, user, reps, rng))
        timings.append(time_360_page(role, user, reps, rng))
    for t in timings:
        t.p95_limit_ms = P95_BUDGET_MS
    return timings
