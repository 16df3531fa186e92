"""``rapport dedupe [--threshold 0.9]``: find likely duplicate customers and refresh the review queue.

``rapport dedupe --evaluate [--size 10000] [--seed 1]`` touches no data: it generates a synthetic set with
known duplicates and prints the precision and recall the same engine reaches on it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_SIZE = 2_000_000


def _number(option: str, raw: Any, kind: type, low: float, high: float) -> Any:
    try:
        value = kind(str(raw).strip())
    except ValueError:
        raise CommandError(f"{option} must be a number (got {raw!r})") from None
    if not low <= value <= high:
        raise CommandError(f"{option} must be between {low:g} and {high:g} (got {value:g})")
    return value


class Command(BaseCommand):
    help = "Find likely duplicate customers (Splink on DuckDB), or measure precision and recall with --evaluate."

    def add_arguments(self, parser: CommandParser) -> None:
        # Taken as text and checked in handle(): a bad value gives one clear line, never a traceback.
        parser.add_argument("--threshold", default="0.9", help="lowest match probability to propose (default 0.9)")
        parser.add_argument("--evaluate", action="store_true",
                            help="measure on generated data with known duplicates; the database is not touched")
        parser.add_argument("--size", default="10000", help="records to generate with --evaluate (default 10000)")
        parser.add_argument("--seed", default="1", help="random seed for --evaluate (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = _number("--threshold", options["threshold"], float, 0.01, 1.0)
        if options["evaluate"]:
            self._evaluate(threshold, _number("--size", options["size"], int, 10, MAX_SIZE),
                           _number("--seed", options["seed"], int, 0, 2**31))
            return
        from rapport.dedupe.services import dedupe_run

        run = dedupe_run(threshold=threshold)
        seconds = run.parameters.get("seconds", {})
        self.stdout.write(
            f"{run.customers:,} customers, {run.pairs:,} likely duplicate pairs ({run.new_pairs:,} new) "
            f"at probability >= {threshold:g}, in {run.seconds:.1f} s"
        )
        if seconds:
            self.stdout.write("  " + ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items()))

    def _evaluate(self, threshold: float, size: int, seed: int) -> None:
        from rapport.dedupe.evaluation import evaluate

        result = evaluate(size, threshold=threshold, seed=seed)
        self.stdout.write(
            f"{result['records']:,} records, {result['true_pairs']:,} true duplicate pairs, "
            f"{result['found_pairs']:,} proposed at probability >= {threshold:g}\n"
            f"precision {result['precision']:.4f}  recall {result['recall']:.4f}  "
            f"(recall after merging {result['recall_after_merging']:.4f})  in {result['seconds']:.1f} s"
        )
