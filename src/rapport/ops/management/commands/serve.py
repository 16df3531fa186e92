"""``rapport serve``: the production web server (gunicorn) with static files served by WhiteNoise."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def gunicorn_argv(*, bind: str, workers: int, threads: int, timeout: int = 60) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "rapport.config.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--threads", str(threads), "--timeout", str(timeout),
        "--access-logfile", "-", "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


class Command(BaseCommand):
    help = "Run the production web server (gunicorn + WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "0.0.0.0:8000"), help="host:port")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-collectstatic", action="store_true", help="skip collecting static files")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        if ":" not in options["bind"]:
            raise CommandError(f"--bind must be host:port (got {options['bind']!r})")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(bind=options["bind"], workers=options["workers"], threads=options["threads"])
        sys.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 (replaces this process with gunicorn, fixed arguments)
