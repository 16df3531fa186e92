"""``rapport demo`` (what ``make run`` does): migrate, seed once, then serve with the job consumer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.ops.management.commands.serve import gunicorn_argv

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 (the documented demo login; demo mode only)


def ensure_demo_logins() -> None:
    """The demo superuser, and the seeded staff with the same password so each role can be tried."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"is_superuser": True, "is_staff": True, "role": "admin", "first_name": "Demo"},
    )
    if created or not user.password or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    unusable = "!"  # Django marks an unusable password with this prefix
    for staff in User.objects.exclude(pk=user.pk).filter(password__startswith=unusable):
        staff.set_password(DEMO_PASSWORD)
        staff.save(update_fields=["password"])


class Command(BaseCommand):
    help = "Start the demo: SQLite under var/, demo data the first time, web server and job consumer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--customers", type=int, default=int(os.environ.get("DEMO_CUSTOMERS", "2000")),
            help="demo customers to create the first time (default 2000)",
        )
        parser.add_argument("--no-serve", action="store_true", help="prepare the data, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("demo runs only in demo mode (RAPPORT_MODE=demo); use 'rapport serve' in production")
        if not 1 <= options["port"] <= 65535:
            raise CommandError(f"--port must be between 1 and 65535 (got {options['port']})")
        if options["customers"] < 0:
            raise CommandError(f"--customers must be zero or more (got {options['customers']})")
        from rapport.dedupe.services import dedupe_run
        from rapport.ops.seed_duplicates import seed_demo_duplicates
        from rapport.ops.seeding import seed_database, seeded

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write("Preparing the database ...")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not seeded() and options["customers"]:
            self.stdout.write(f"Creating {options['customers']:,} demo customers (first run only) ...")
            seed_database(customers=options["customers"], seed=1, progress=True)
            self.stdout.write("Adding customers recorded twice and looking for duplicates ...")
            seed_demo_duplicates()
            dedupe_run()
        if seeded():
            self._score()
        ensure_demo_logins()
        if options["no_serve"]:
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
            return
        self._serve(options["port"])

    def _score(self) -> None:
        """Scores for the dashboard and the 360 on the first run (and after an upgrade that brought analytics)."""
        from datetime import timedelta

        from django.utils import timezone

        from rapport.analytics.holdout import fit_check
        from rapport.analytics.models import HoldoutCheck, ScoreRun
        from rapport.analytics.services import analytics_run, options_for

        if ScoreRun.objects.exists():
            return
        self.stdout.write("Scoring customers: RFM, lifetime value, churn risk and its reasons ...")
        today = timezone.localdate()
        calibration_end = today - timedelta(weeks=26)
        try:
            result = fit_check(calibration_end, today, options_for(calibration_end))
        except ValueError as exc:  # too little history for a check: the dashboard says how to run one
            self.stdout.write(f"  (no holdout check: {exc})")
        else:
            HoldoutCheck.objects.create(calibration_end=calibration_end, holdout_end=today, result=result)
        run = analytics_run(as_of=today)
        if run.status != "done":
            self.stdout.write(f"  (not scored: {run.notes})")

    def _serve(self, port: int) -> None:
        env = {**os.environ, "RAPPORT_MODE": "demo", "RAPPORT_VAR_DIR": str(settings.VAR_DIR)}
        web = subprocess.Popen(gunicorn_argv(bind=f"127.0.0.1:{port}", workers=1, threads=8), env=env)
        jobs = subprocess.Popen([sys.executable, "-m", "rapport.cli", "run_huey"], env=env)
        self.stdout.write(self.style.SUCCESS(
            f"\nRapport is running at http://127.0.0.1:{port}/  "
            f"(sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}; Ctrl-C stops it)\n"
        ))
        self.stdout.flush()
        stopping = False

        def stop(*_args: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and web.poll() is None and jobs.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        for proc in (web, jobs):
            if proc.poll() is None:
                proc.terminate()
        for proc in (web, jobs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.stdout.write("Stopped.")
