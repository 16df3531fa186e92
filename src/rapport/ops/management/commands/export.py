"""``rapport export OUTPUT.zip [--format csv|xlsx] [--user USERNAME] [--force]``: customer data, for a backup
or a migration."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from rapport.core.access import scope_of
from rapport.ops.exporting import DEFAULT_CHUNK, FORMATS, export_database


def _chunk(raw: Any) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise CommandError(f"--chunk must be a whole number (got {raw!r})") from None
    if not 100 <= value <= 100_000:
        raise CommandError(f"--chunk must be between 100 and 100,000 (got {value:,})")
    return value


def _output(raw: str, *, force: bool) -> Path:
    path = Path(raw).expanduser()
    if path.suffix.lower() != ".zip":
        raise CommandError(f"OUTPUT must be a .zip file name (got {raw!r})")
    if path.is_dir():
        raise CommandError(f"OUTPUT {raw!r} is a folder; give a file name such as {raw.rstrip('/')}/export.zip")
    if path.exists() and not force:
        raise CommandError(f"{raw!r} already exists; pass --force to replace it")
    folder = path.parent.resolve()
    if not folder.is_dir():
        raise CommandError(f"the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CommandError(f"the folder {str(folder)!r} cannot be written to")
    return path


def _user(username: str | None) -> Any:
    if username is None:
        return None
    user = get_user_model()._default_manager.filter(username=username).first()
    if user is None:
        raise CommandError(f"--user: there is no user named {username!r}")
    if scope_of(user) is None:
        raise CommandError(f"--user: {username!r} is not active and may see no customer data")
    return user


class Command(BaseCommand):
    help = (
        "Export the customer data (customers, contact points, addresses, identifiers, consents, contacts, tags, "
        "products, orders, interactions, notes, tasks, leads, opportunities) as a ZIP of one CSV or XLSX file "
        "per table plus manifest.json. With --user, only what that user may see; without, everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", metavar="OUTPUT.zip", help="the ZIP file to write")
        parser.add_argument("--format", dest="file_format", default="csv", choices=FORMATS,
                            help="csv (default: exact, any size) or xlsx (typed cells, opens in Excel)")
        parser.add_argument("--user", default=None, metavar="USERNAME",
                            help="export only what this user may see (default: everything)")
        parser.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
        parser.add_argument("--chunk", default=str(DEFAULT_CHUNK), help=f"rows per read (default {DEFAULT_CHUNK:,})")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        output = _output(options["output"], force=options["force"])
        user = _user(options["user"])
        chunk = _chunk(options["chunk"])
        show = not options["no_progress"] and sys.stderr.isatty()
        # Written beside the target and renamed at the end: a failed export never leaves a half ZIP that
        # looks like a backup, nor destroys the previous one.
        partial = output.with_name(f".{output.name}.partial")
        bar = tqdm(total=0, unit=" rows", disable=not show, file=sys.stderr, desc="Exporting")

        def count_first(total: int) -> None:
            bar.total = total
            bar.refresh()

        def progress(table: str, rows: int) -> None:
            bar.set_description_str(table, refresh=False)
            bar.update(rows)

        began = time.perf_counter()
        try:
            with bar:
                result = export_database(
                    partial, file_format=options["file_format"], user=user, chunk=chunk, progress=progress,
                    count_first=count_first if show else None,
                )
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"could not write {str(output)!r}: {error.strerror or error}") from None
        except DatabaseError as error:
            partial.unlink(missing_ok=True)
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(f"could not read the database ({first_line}); is it migrated?") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        seconds = time.perf_counter() - began
        size = output.stat().st_size
        scope = f"visible to {user.get_username()}" if user is not None else "all"
        self.stdout.write(self.style.SUCCESS(
            f"Exported {result.rows:,} rows ({scope}) from {len(result.tables)} tables to {output} "
            f"({size / 1024**2:,.1f} MB, {options['file_format']}) in {seconds:.1f} s."
        ))
