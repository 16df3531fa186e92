"""``python -m benchmarks.run --tier S|M|L [--db sqlite|postgres] [--reuse]`` (what ``make bench`` runs).

Seeds the tier into its own database (SQLite: ``var/bench/<tier>/rapport.sqlite3``; PostgreSQL:
``rapport_bench_<tier>`` on the local server, or ``BENCH_DATABASE_URL``), then times the operations that
exist next to their raw-SQL anchors and writes ``benchmarks/reports/<tier>-<db>.json``. Without ``--reuse``
the tier's database is rebuilt so that seeding itself is measured; with it, a database already seeded for
the tier is kept.

Targets (a benchmark, not a test: nothing fails the build): seeding at >= 50% of the raw insert rate;
list and single view p50 within raw SQL p50 + 5 ms, and flat from S to L (L/S <= 1.5); the single view in
at most five queries at every tier; the workspace pages (customer list, search, 360) under 100 ms at p95,
flat from S to L, and the 360 page in at most five queries of its own (``benchmarks/web.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks.tiers import SEED, TIERS, Tier

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/rapport_bench_{tier}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", default="S", type=str.upper, help="S (10k customers), M (100k) or L (1M)")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", action="store_true", help="keep the tier's database if it is already seeded")
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "bench", help=argparse.SUPPRESS)
    parser.add_argument("--reports", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--reps", type=int, default=None, help="timed repetitions per operation")
    parser.add_argument("--only", choices=["analytics"], default=None,
                        help="time only this part (the tier is seeded first when it is not yet)")
    args = parser.parse_args(argv)
    if args.tier not in TIERS:
        parser.error(f"--tier must be S, M or L (got {args.tier!r})")
    if args.reps is not None and args.reps < 1:
        parser.error("--reps must be at least 1")
    return args


def _pg_url(tier: Tier) -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_PG.format(tier=tier.name.lower())


def _pg_admin(url: str) -> tuple[str, str]:
    """The maintenance database's URL and the bench database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def prepare_database(tier: Tier, db: str, var_dir: Path, reuse: bool) -> None:
    """Point the settings at the tier's own database (before Django starts); fresh unless ``reuse``."""
    os.environ["RAPPORT_MODE"] = "demo"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.config.settings")
    os.environ.pop("TEST_DATABASE_URL", None)
    folder = var_dir / (tier.name if db == "sqlite" else f"{tier.name}-postgres")
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["RAPPORT_VAR_DIR"] = str(folder)
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        if not reuse:
            for suffix in ("", "-wal", "-shm", "-journal"):
                (folder / f"rapport.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    url = _pg_url(tier)
    os.environ["DATABASE_URL"] = url
    admin_url, name = _pg_admin(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed_tier(tier: Tier, reuse: bool, progress: bool) -> tuple[Any, bool]:
    """The tier's SeedRun, and whether seeding was measured in this run."""
    from rapport.ops.models import SeedRun
    from rapport.ops.seeding import seed_database

    if reuse:
        run = SeedRun.objects.filter(label=tier.label, customers=tier.customers, finished_at__isnull=False).first()
        if run is not None:
            return run, False
        if SeedRun.objects.exists():
            raise SystemExit(f"the {tier.name} database holds other seed runs; run without --reuse to rebuild it")
    return seed_database(customers=tier.customers, seed=SEED, progress=progress, label=tier.label), True


def seed_summary(run: Any, measured: bool, anchor: dict[str, Any]) -> dict[str, Any]:
    stats = run.stats or {}
    rows = int(stats.get("total_rows", 0))
    seconds = float(stats.get("seconds") or 0) or float("nan")
    rate = round(rows / seconds) if rows else 0
    out: dict[str, Any] = {
        "rows": rows, "seconds": round(seconds, 3), "rows_per_s": rate,
        "customers_per_s": round(run.customers / seconds) if rows else 0,
        "rows_per_table": stats.get("rows", {}), "database_seconds": stats.get("database_seconds", {}),
        "deferred_indexes": stats.get("deferred_indexes"), "measured_this_run": measured,
        "anchor": anchor,
    }
    if anchor.get("rows_per_s"):
        out["ratio"] = round(rate / anchor["rows_per_s"], 2)
        out["target"] = "seeding rows/s >= 0.5 x raw rows/s"
        out["ok"] = bool(out["ratio"] >= 0.5)
    return out


# Synthetic customers for the duplicate-detection benchmark (its engine runs apart from the tier's database).
DEDUPE_RECORDS = {"S": 10_000, "M": 100_000, "L": 100_000}


def measure_only_analytics(tier: Tier, db: str, seed_run: Any) -> dict[str, Any]:
    """The analytics part alone (``--only analytics``): its report goes to ``<tier>-<db>-analytics.json``."""
    from benchmarks.analytics import measure_analytics

    return {
        "tier": tier.name, "db": db, "part": "analytics", "customers": seed_run.customers,
        "orders": seed_run.orders, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()},
        "analytics": measure_analytics(compare=not tier.hidden),
    }


def measure(tier: Tier, db: str, reps: int, seed_run: Any, measured: bool) -> dict[str, Any]:
    import django
    from django.db import connection

    from benchmarks import measure as m
    from benchmarks import web
    from rapport.customers.models import Customer

    rng = random.Random(SEED)
    first_id = Customer.objects.filter(pk__gte=1).order_by("pk").values_list("pk", flat=True).first() or 1
    anchor = m.time_seed_anchor(first_id, min(tier.anchor_customers, seed_run.customers))
    people = m.viewers()
    timings: list[Any] = []
    for role, user in people.items():
        timings.append(m.time_list(role, user, reps, rng))
    for role, user in people.items():
        timings.append(m.time_single_view(role, user, reps, rng))
    for role, user in people.items():
        timings.extend(m.time_api(role, user, reps, rng))
    timings.extend(web.measure_pages(people, reps, rng))
    operations = {t.name: t.summary() for t in timings}
    extra: dict[str, Any] = {}
    from benchmarks.analytics import measure_analytics

    # The lifetimes comparison installs that package into a side environment: not for the harness's own XS.
    extra["analytics"] = measure_analytics(compare=not tier.hidden)
    if DEDUPE_RECORDS.get(tier.name):
        from benchmarks.dedupe import measure_dedupe

        extra["dedupe"] = measure_dedupe(DEDUPE_RECORDS[tier.name])
    single = [op for name, op in operations.items() if name.startswith("single_view.")]
    pages_360 = [op for name, op in operations.items() if name.startswith("page.360.")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        server = str(cursor.fetchone()[0])
    return {
        "tier": tier.name,
        "db": db,
        "customers": seed_run.customers,
        "orders": seed_run.orders,
        "interactions": seed_run.interactions,
        "seed_run": seed_run.pk,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(), "django": django.get_version(), "database": server,
            "machine": platform.machine(), "cpus": os.cpu_count(),
        },
        "seed": seed_summary(seed_run, measured, anchor),
        "operations": operations,
        "checks": {
            "single_view_queries_max": max((op.get("queries_max", 0) for op in single), default=None),
            "single_view_queries_ok": all(op.get("queries_max", 99) <= 5 for op in single),
            "page_360_queries_max": max((op.get("queries_max", 0) for op in pages_360), default=None),
            "page_360_queries_ok": all(op.get("queries_max", 99) <= 5 for op in pages_360),
        },
        **extra,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tier = TIERS[args.tier]
    prepare_database(tier, args.db, args.var_dir, args.reuse)
    import django

    # WhiteNoise looks for collected static files, which the API calls do not need.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command

    from benchmarks import report as rep

    call_command("migrate", interactive=False, verbosity=0)
    # The pages render with the production static storage, which needs its manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    seed_run, measured = seed_tier(tier, args.reuse, progress=sys.stderr.isatty())
    if args.only == "analytics":
        only = measure_only_analytics(tier, args.db, seed_run)
        path = rep.write(only, args.reports or rep.REPORTS)
        print("\n".join(rep.analytics_lines(only)))
        print(f"\nReport: {path}")
        return 0
    result = measure(tier, args.db, args.reps or tier.reps, seed_run, measured)
    folder = args.reports or rep.REPORTS
    if tier.name != "S":
        result["flatness"] = rep.flatness(result, rep.load("S", args.db, folder))
    path = rep.write(result, folder)
    print(rep.table(result))
    if tier.name == "S":
        for bigger in ("M", "L"):
            other = rep.load(bigger, args.db, folder)
            flat = rep.flatness(other, result) if other else None
            if flat:
                print(f"flatness {bigger}/S (from the {bigger} report): "
                      + ", ".join(f"{k} {v:.2f}" for k, v in flat["ratios"].items()))
    print(f"\nReport: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
