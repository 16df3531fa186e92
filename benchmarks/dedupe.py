"""``python -m benchmarks.dedupe --n 100000 [--database]``: duplicate detection time, precision and recall.

Target (docs/decisions/0010): 100,000 customers in under 2 minutes end to end on the 2-core machine, with
precision and recall of at least 0.95 on the synthetic set.

- :func:`measure_dedupe` times the engine on ``n`` generated records (features, training, prediction), no
  database, and scores the pairs against the known duplicates.
- :func:`measure_dedupe_run` (Django set up, an empty database) loads the records as customers and times
  ``dedupe_run``: read in chunks, train, predict, store the pairs. ``--database`` does that in a throwaway
  SQLite database under a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any

TARGET_SECONDS = 120.0
GOAL = 0.95


def measure_dedupe(n: int = 100_000, *, seed: int = 1, threshold: float = 0.9) -> dict[str, Any]:
    """The engine end to end on ``n`` synthetic records, with precision and recall."""
    from rapport.dedupe.evaluation import evaluate

    result = evaluate(n, threshold=threshold, seed=seed)
    return {
        "operation": "dedupe_engine",
        "records": result["records"],
        "seconds": result["seconds"],
        "target_seconds": TARGET_SECONDS,
        "steps": result["engine_seconds"],
        "true_pairs": result["true_pairs"],
        "found_pairs": result["found_pairs"],
        "precision": round(result["precision"], 4),
        "recall": round(result["recall"], 4),
        "recall_after_merging": round(result["recall_after_merging"], 4),
        "threshold": threshold,
        "ok": result["seconds"] < TARGET_SECONDS and min(result["precision"], result["recall"]) >= GOAL,
    }


def _load(records: list[dict[str, Any]]) -> dict[int, int]:
    """Write the generated records as customers (bulk, untimed); returns unique_id -> customer id."""
    from django.db import transaction

    from rapport.customers.choices import ContactPointKind
    from rapport.customers.models import Address, ContactPoint, Customer
    from rapport.customers.normalize import normalize_email, normalize_phone

    ids: dict[int, int] = {}
    with transaction.atomic():
        for start in range(0, len(records), 5_000):
            chunk = records[start:start + 5_000]
            customers = Customer.objects.bulk_create([
                Customer(
                    first_name=r["first_name"][:100], last_name=r["last_name"][:100],
                    display_name=f"{r['first_name']} {r['last_name']}".strip()[:200],
                    primary_email=(r["emails"] or [""])[0], primary_phone=(r["phones"] or [""])[0][:32],
                    country=r["country"], city=r["city"], birth_date=r["birth_date"], source="benchmark",
                )
                for r in chunk
            ])
            points, addresses = [], []
            for r, customer in zip(chunk, customers, strict=True):
                ids[r["unique_id"]] = customer.pk
                for i, email in enumerate(r["emails"]):
                    points.append(ContactPoint(customer=customer, kind=ContactPointKind.EMAIL, value=email,
                                               normalized=normalize_email(email), is_primary=i == 0))
                for i, phone in enumerate(r["phones"]):
                    points.append(ContactPoint(customer=customer, kind=ContactPointKind.PHONE, value=phone,
                                               normalized=normalize_phone(phone), is_primary=i == 0))
                if r["address_line"]:
                    addresses.append(Address(customer=customer, line1=r["address_line"], city=r["city"],
                                             postal_code=r["postal_code"], country=r["country"], is_primary=True))
            ContactPoint.objects.bulk_create(points, ignore_conflicts=True)
            Address.objects.bulk_create(addresses)
    return ids


def measure_dedupe_run(n: int = 100_000, *, seed: int = 1, threshold: float = 0.9) -> dict[str, Any]:
    """``dedupe_run`` over ``n`` synthetic customers loaded into the (empty) current database."""
    from rapport.dedupe.models import DuplicatePair
    from rapport.dedupe.services import dedupe_run
    from rapport.dedupe.synthetic import generate

    labelled = generate(n, seed=seed)
    start = time.perf_counter()
    ids = _load(labelled.records)
    loaded = time.perf_counter() - start
    person = {ids[uid]: pid for uid, pid in labelled.person_of.items()}
    run = dedupe_run(threshold=threshold)
    found = set(DuplicatePair.objects.filter(run=run).values_list("customer_a_id", "customer_b_id"))
    truth = {tuple(sorted((ids[a], ids[b]))) for a, b in labelled.true_pairs()}
    hits = sum(person[a] == person[b] for a, b in found)
    return {
        "operation": "dedupe_run",
        "records": run.customers,
        "seconds": run.seconds,
        "target_seconds": TARGET_SECONDS,
        "steps": run.parameters.get("seconds", {}),
        "load_seconds_untimed": round(loaded, 1),
        "true_pairs": len(truth),
        "found_pairs": len(found),
        "precision": round(hits / len(found), 4) if found else 1.0,
        "recall": round(len(found & truth) / len(truth), 4) if truth else 1.0,
        "threshold": threshold,
        "ok": run.seconds < TARGET_SECONDS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dedupe", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="records (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--database", action="store_true",
                        help="also load the records into a throwaway SQLite database and time dedupe_run")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error("--n must be at least 10")
    report = [measure_dedupe(args.n, seed=args.seed, threshold=args.threshold)]
    if args.database:
        with tempfile.TemporaryDirectory(prefix="rapport-dedupe-") as var_dir:
            os.environ.update(RAPPORT_MODE="demo", RAPPORT_VAR_DIR=var_dir,
                              DJANGO_SETTINGS_MODULE="rapport.config.settings")
            os.environ.pop("DATABASE_URL", None)
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
            report.append(measure_dedupe_run(args.n, seed=args.seed, threshold=args.threshold))
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
