"""``rapport analytics run [--as-of DATE] [--no-tasks]`` scores every customer and makes the scores current.

``rapport analytics fit --calibration-end DATE [--holdout-end DATE] [--json]`` fits the models on the orders
up to the calibration date and, with a holdout end, checks them against what customers then did. It changes no
scores; the holdout check is kept for the dashboard's predicted-vs-actual chart.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _date(option: str, raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(f"{option} must be a date like 2026-06-30 (got {raw!r})") from None


class Command(BaseCommand):
    help = "Score customers (RFM, lifetime value, churn risk with reasons), or fit and check the models."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="{run,fit}")
        sub.required = True
        run = sub.add_parser("run", help="score every customer as of a date (today by default)")
        run.add_argument("--as-of", default=None, help="score as of this date, YYYY-MM-DD (default: today)")
        run.add_argument("--no-tasks", action="store_true", help="do not create the personal-call tasks")
        fit = sub.add_parser("fit", help="fit the models on history up to a date and check them on what followed")
        fit.add_argument("--calibration-end", required=True, help="fit on orders up to this date, YYYY-MM-DD")
        fit.add_argument("--holdout-end", default=None, help="check the predictions up to this date, YYYY-MM-DD")
        fit.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            self._run(_date("--as-of", options["as_of"]), not options["no_tasks"])
        else:
            self._fit(_date("--calibration-end", options["calibration_end"]),
                      _date("--holdout-end", options["holdout_end"]), options["json"])

    def _run(self, as_of: date | None, tasks: bool) -> None:
        from rapport.analytics.services import analytics_run

        def progress(step: str) -> None:
            if sys.stderr.isatty():
                self.stderr.write(f"  {step}…")

        run = analytics_run(as_of=as_of, create_tasks=tasks, progress=progress)
        if run.status != "done":
            raise CommandError(f"nothing was scored; the previous scores stay current: {run.notes}")
        seconds = sum(run.timings.values())
        self.stdout.write(
            f"Scored {run.customers:,} customers from {run.orders:,} orders as of {run.as_of} in {seconds:.1f} s "
            f"(run {run.pk}, model {run.model_version}); {run.lifecycle_changes:,} lifecycle stages moved, "
            f"{run.tasks_created:,} personal-call tasks created."
        )
        self.stdout.write("  " + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items()))
        for line in filter(None, run.notes.splitlines()):
            self.stdout.write(f"  note: {line}")

    def _fit(self, calibration_end: date | None, holdout_end: date | None, as_json: bool) -> None:
        from rapport.analytics.holdout import fit_check
        from rapport.analytics.models import HoldoutCheck
        from rapport.analytics.pipeline import ScoringError
        from rapport.analytics.services import options_for

        assert calibration_end is not None
        if holdout_end is not None and holdout_end <= calibration_end:
            raise CommandError("--holdout-end must be after --calibration-end")
        try:
            result = fit_check(calibration_end, holdout_end, options_for(calibration_end))
        except (ScoringError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        truth = _generator_truth()
        if truth:
            result["generator_truth"] = truth
        if holdout_end is not None:
            HoldoutCheck.objects.create(calibration_end=calibration_end, holdout_end=holdout_end, result=result)
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"{result['customers']:,} customers with purchases up to {calibration_end}")
        for name in ("bgnbd", "pareto_nbd", "gamma_gamma"):
            fitted = result[name]
            values = ", ".join(f"{k}={v:.4g}" for k, v in fitted.items() if k not in {"converged", "log_likelihood"})
            state = "" if fitted["converged"] else " (did not converge)"
            self.stdout.write(f"  {name}: {values}; log-likelihood {fitted['log_likelihood']:.1f}{state}")
        if truth:
            self.stdout.write("  generator's true values: " + ", ".join(f"{k}={v:g}" for k, v in truth.items()))
        if "holdout" in result:
            h = result["holdout"]
            self.stdout.write(
                f"  holdout to {holdout_end}: {h['actual_repeat_transactions']:,} repeat purchases; predicted "
                + ", ".join(f"{k} {v:,.0f}" for k, v in h["predicted_repeat_transactions"].items())
            )
            self.stdout.write(
                f"  churn AUC {h['churn_auc']}, top-decile lift {h['top_decile_lift']}, RFM AUC {h['rfm_auc']}, "
                + ", ".join(f"{k} P(alive) AUC {v['p_alive_auc']}" for k, v in h["models"].items())
            )


def _generator_truth() -> dict[str, float]:
    """The demo generator's true parameters, when the data came from it (the recovery check)."""
    from rapport.ops.models import SeedRun

    seed = SeedRun.objects.order_by("-id").first()
    if seed is None or not isinstance(seed.params, dict):
        return {}
    return {k: float(seed.params[k]) for k in ("r", "alpha", "a", "b", "p", "q", "gamma") if k in seed.params}
