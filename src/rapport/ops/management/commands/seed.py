"""``rapport seed --customers N [--seed S]``: generated customers, orders and interactions, in bulk."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rapport.ops.seeding import seed_database

MAX_CUSTOMERS = 50_000_000


def _whole_number(option: str, raw: Any, *, minimum: int, maximum: int) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number (got {raw!r})") from None
    if not minimum <= value <= maximum:
        raise CommandError(f"{option} must be between {minimum:,} and {maximum:,} (got {value:,})")
    return value


def _day(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f"--end must be a date like 2026-01-31 (got {raw!r})") from None


class Command(BaseCommand):
    help = (
        "Generate demo/benchmark data: customers with orders (a buy-till-you-die simulation), interactions, "
        "tasks and notes, written in bulk. Deterministic for a given --seed (and --end)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Taken as text and checked in handle(): a bad value gives one clear line, never a traceback.
        parser.add_argument("--customers", required=True, help="how many customers to create (1 or more)")
        parser.add_argument("--seed", default="1", help="random seed (default 1); the same seed, the same data")
        parser.add_argument("--end", default=None,
                            help="last day of the simulated three-year window, YYYY-MM-DD (default: today)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--force", action="store_true",
                            help="allow seeding outside demo and test mode (adds made-up customers)")

    def handle(self, *args: Any, **options: Any) -> None:
        customers = _whole_number("--customers", options["customers"], minimum=1, maximum=MAX_CUSTOMERS)
        seed = _whole_number("--seed", options["seed"], minimum=0, maximum=2**63 - 1)
        end = _day(options["end"])
        if not (settings.DEMO or settings.TESTING or settings.DEBUG or options["force"]):
            raise CommandError(
                "seed adds made-up customers; run it in demo mode (RAPPORT_MODE=demo) or pass --force"
            )
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database is not migrated; run 'rapport migrate' first")

        began = time.perf_counter()
        run = seed_database(customers=customers, seed=seed, end=end, progress=not options["no_progress"])
        seconds = time.perf_counter() - began
        rows = int(run.stats.get("total_rows", 0))
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {run.customers:,} customers, {run.orders:,} orders and {run.interactions:,} interactions "
            f"({rows:,} rows) in {seconds:.1f} s: {run.customers / seconds:,.0f} customers/s, "
            f"{rows / seconds:,.0f} rows/s (seed {run.seed}, run {run.pk})."
        ))
        self.stdout.write(f"Truth (per-customer lambda, p, nu, drop-out): {run.truth_file}")
