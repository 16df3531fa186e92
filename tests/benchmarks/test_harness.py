"""The benchmark harness: every measurement runs on both databases, and the whole run works on a tiny tier."""

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from benchmarks.run import parse_args
from django.db import connection
from django.test import override_settings

from benchmarks import measure, report
from rapport.ops.seeding import seed_database

ROOT = Path(__file__).resolve().parents[2]
urlpatterns: list = []  # a URLconf without the API, for the "endpoint missing" case


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_database(customers=60, seed=2)


@pytest.mark.django_db
def test_each_operation_is_timed_next_to_its_raw_sql(seeded):
    rng = random.Random(1)
    people = measure.viewers()
    for role, user in people.items():
        listing = measure.time_list(role, user, 3, rng).summary()
        # A manager's scope is read as two indexed branches (own and team) on SQLite.
        branches = 2 if role == "manager" and connection.vendor == "sqlite" else 1
        assert listing["reps"] == 3 and listing["anchor_p50_ms"] > 0 and listing["queries"] == branches
        single = measure.time_single_view(role, user, 3, rng).summary()
        assert single["queries_max"] <= 5 and "ok" in single
    api = [t.summary() for t in measure.time_api("agent", people.agent, 2, rng)]
    assert all("p50_ms" in t or "skipped" in t for t in api)


@pytest.mark.django_db
def test_the_raw_anchors_return_what_the_orm_returns(seeded):
    people = measure.viewers()
    pk = measure.visible_sample("agent", people.agent, 1, random.Random(3))[0]
    row, facts, _contacts, timeline = measure.single_view_raw("agent", people.agent)(pk)
    from rapport.customers.selectors import customer_single_view

    view = customer_single_view(user=people.agent, pk=pk)
    assert row[0] == pk and len(facts) == len(view.facts.contact_points) + len(view.facts.identifiers) + len(
        view.facts.consents) + len(view.facts.tags)
    assert [r[1] for r in timeline[:50]] == [e.id for e in view.timeline.entries]


@pytest.mark.django_db
def test_the_seeding_anchor_reinserts_the_same_rows(seeded):
    first = measure.Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    anchor = measure.time_seed_anchor(first, 60)
    assert anchor["rows"] == seeded.stats["total_rows"] and anchor["rows_per_s"] > 0
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert not [t for t in tables if t.startswith("bench_scratch_")]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_missing_api_endpoint_is_skipped_not_failed(seeded):
    timings = measure.time_api("agent", measure.viewers().agent, 2, random.Random(1))
    assert [t.summary() for t in timings] == [{"skipped": "skipped: endpoint missing"}] * 2


def test_flatness_compares_p50_with_tier_s():
    small = {"tier": "S", "db": "sqlite", "operations": {"list.agent": {"p50_ms": 2.0}, "api.list.agent": {
        "skipped": "x"}}}
    big = {"tier": "L", "db": "sqlite", "operations": {"list.agent": {"p50_ms": 2.8}, "single_view.agent": {
        "p50_ms": 1.0}}}
    flat = report.flatness(big, small)
    assert flat["ratios"] == {"list.agent": 1.4} and flat["ok"] is True
    big["operations"]["list.agent"]["p50_ms"] = 3.2
    assert report.flatness(big, small)["ok"] is False
    assert report.flatness(small, small) is None and report.flatness(big, None) is None


def test_it_accepts_only_known_tiers():
    assert parse_args(["--tier", "m"]).tier == "M"
    with pytest.raises(SystemExit):
        parse_args(["--tier", "XL"])


def _run(tmp_path, *args, env=None):
    reports = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--tier", "XS", "--reps", "3", "--var-dir", str(tmp_path / "var"),
         "--reports", str(reports), *args],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=240, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result, reports


def _check_report(data):
    assert data["tier"] == "XS" and data["customers"] == 200 and data["orders"] > 1000
    assert data["seed"]["anchor"]["rows"] > 0 and data["seed"]["ratio"] > 0
    for name in ("list.agent", "list.manager", "list.admin", "single_view.agent", "api.list.agent",
                 "api.detail.admin"):
        assert name in data["operations"]
    assert data["checks"]["single_view_queries_ok"] is True


@pytest.mark.slow
def test_the_harness_runs_a_tiny_tier_end_to_end_on_sqlite(tmp_path):
    result, reports = _run(tmp_path)
    data = json.loads((reports / "XS-sqlite.json").read_text())
    _check_report(data)
    assert "single_view.agent" in result.stdout and data["seed"]["measured_this_run"] is True
    db = tmp_path / "var" / "XS" / "rapport.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # --reuse keeps the seeded database and measures the rest again.
    result, reports = _run(tmp_path, "--reuse")
    assert json.loads((reports / "XS-sqlite.json").read_text())["seed"]["measured_this_run"] is False


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="runs when the suite runs against PostgreSQL")
def test_the_harness_runs_a_tiny_tier_end_to_end_on_postgres(tmp_path):
    import psycopg
    from psycopg import sql

    parts = urlsplit(os.environ["TEST_DATABASE_URL"])
    name = f"{parts.path.lstrip('/')}_bench_xs"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        _result, reports = _run(tmp_path, "--db", "postgres", env={"BENCH_DATABASE_URL": url})
        _check_report(json.loads((reports / "XS-postgres.json").read_text()))
    finally:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
