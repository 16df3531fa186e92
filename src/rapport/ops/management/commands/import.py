"""``rapport import ENTITY FILE``: bring customers, contacts, products, orders or interactions in from CSV/XLSX.

Also ``--rollback BATCH_ID`` (undo a batch), ``--resume BATCH_ID [FILE]`` (continue a killed one), ``--list``
(recent batches) and ``--fields ENTITY`` (what can be mapped). Every mistake is one line (CommandError).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from tqdm import tqdm

from rapport.core.errors import RapportError
from rapport.imports import registry
from rapport.imports.engine import CHUNK_ROWS, Outcome
from rapport.imports.headers import parse_map_options
from rapport.imports.models import ImportBatch
from rapport.imports.selectors import batch_list, entity_fields
from rapport.imports.services import batch_resume, batch_rollback, import_file

DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "bar": "|"}


def _whole_number(option: str, raw: Any, *, minimum: int, maximum: int) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number (got {raw!r})") from None
    if not minimum <= value <= maximum:
        raise CommandError(f"{option} must be between {minimum:,} and {maximum:,} (got {value:,})")
    return value


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of customers, contacts, products, orders or interactions. Valid rows are "
        "written in chunks, each bad row goes to a report (CSV) with the reason per field; every import is a "
        "batch that can be rolled back (--rollback) or resumed after a crash (--resume)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", nargs="?", help="customers, contacts, products, orders or interactions")
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file")
        parser.add_argument("--map", action="append", default=[], metavar='"Column header=field"',
                            help="map a column to a field (repeatable); an empty field ignores the column")
        parser.add_argument("--source", default="import",
                            help="the source system's name: external ids are unique within it (default: import)")
        parser.add_argument("--create-missing", action="store_true",
                            help="create a minimal customer for an unknown customer external id")
        parser.add_argument("--match-email", action="store_true", help="match customers by e-mail after the id")
        parser.add_argument("--match-phone", action="store_true", help="match customers by phone after the id")
        parser.add_argument("--dry-run", action="store_true", help="check and count everything, write nothing")
        parser.add_argument("--strict", action="store_true", help="write nothing if any row is rejected")
        parser.add_argument("--encoding", help="the CSV's encoding (detected when not given)")
        parser.add_argument("--delimiter", help="the CSV's delimiter: , ; | tab (detected when not given)")
        parser.add_argument("--sheet", help="the XLSX worksheet (the first one when not given)")
        parser.add_argument("--region", help="country of phone numbers written without a country code, e.g. MY")
        parser.add_argument("--time-zone", help="zone of dates and times written without one (default: the server's)")
        parser.add_argument("--user", help="import as this user (their visibility and ownership; default: system)")
        parser.add_argument("--resume", metavar="BATCH_ID", help="continue a batch after its last committed chunk")
        parser.add_argument("--rollback", metavar="BATCH_ID", help="undo a batch as a whole")
        parser.add_argument("--list", action="store_true", help="list the latest batches")
        parser.add_argument("--fields", action="store_true", help="list the fields of ENTITY and what maps to them")
        parser.add_argument("--chunk-size", default=str(CHUNK_ROWS), help="rows per committed chunk (default 5000)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actions = [name for name in ("resume", "rollback", "list", "fields") if options[name]]
        if len(actions) > 1:
            raise CommandError(f"--{actions[0]} and --{actions[1]} cannot be combined")
        if options["fields"]:
            return self._fields(options["entity"])
        self._check_migrated()
        try:
            if options["list"]:
                return self._list()
            if options["rollback"]:
                return self._rollback(options)
            user = self._user(options["user"])
            chunk_size = _whole_number("--chunk-size", options["chunk_size"], minimum=1, maximum=1_000_000)
            if options["resume"]:
                return self._resume(options, user, chunk_size)
            self._import(options, user, chunk_size)
        except RapportError as exc:
            raise CommandError(exc.message) from None

    # --- the actions -----------------------------------------------------------------------------------

    def _import(self, options: dict[str, Any], user: Any, chunk_size: int) -> None:
        entity, file = options["entity"], options["file"]
        if not entity or not file:
            raise CommandError("give the ENTITY and the FILE, e.g. rapport import customers customers.csv")
        if entity not in registry.entity_names():
            raise CommandError(f"unknown entity {entity!r}; choose one of: {', '.join(registry.entity_names())}")
        if not Path(file).is_file():
            raise CommandError(f"there is no file at {file}")
        settings = {
            "create_missing": options["create_missing"], "match_email": options["match_email"],
            "match_phone": options["match_phone"], "strict": options["strict"], "encoding": options["encoding"],
            "delimiter": self._delimiter(options["delimiter"]), "sheet": options["sheet"],
            "region": options["region"], "time_zone": self._zone(options["time_zone"]),
        }
        bar = _Bar(not options["no_progress"])
        with bar:
            outcome = import_file(
                entity=entity, path=file, source=options["source"], user=user, options=settings,
                mapping=parse_map_options(options["map"]), dry_run=options["dry_run"], progress=bar.update,
                chunk_size=chunk_size, on_batch=bar.start,
            )
        self._report(outcome)

    def _resume(self, options: dict[str, Any], user: Any, chunk_size: int) -> None:
        batch = self._batch(options["resume"])
        bar = _Bar(not options["no_progress"])
        with bar:
            bar.start(batch, done=batch.rows_done)
            outcome = batch_resume(batch=batch, file=options["file"] or options["entity"], user=user,
                                   progress=bar.update, chunk_size=chunk_size)
        self._report(outcome)

    def _rollback(self, options: dict[str, Any]) -> None:
        batch = self._batch(options["rollback"])
        totals = batch_rollback(batch=batch, user=self._user(options["user"]))
        self.stdout.write(self.style.SUCCESS(
            f"Rolled back batch {batch.pk} ({batch.entity} from {batch.filename}): {totals['deleted']:,} rows "
            f"deleted, {totals['restored']:,} rows restored."
        ))

    def _list(self) -> None:
        rows = list(batch_list(user=None)[:20])
        if not rows:
            self.stdout.write("No imports yet.")
            return
        self.stdout.write(f"{'id':>6}  {'status':<12} {'entity':<12} {'source':<12} {'created':>9} {'updated':>9} "
                          f"{'unchanged':>9} {'rejected':>9}  file")
        for b in rows:
            self.stdout.write(f"{b.pk:>6}  {b.status:<12} {b.entity:<12} {b.source[:12]:<12} {b.created:>9,} "
                              f"{b.updated:>9,} {b.unchanged:>9,} {b.rejected:>9,}  {b.filename}")

    def _fields(self, entity: str | None) -> None:
        if entity not in registry.entity_names():
            raise CommandError(f"--fields needs an entity: one of {', '.join(registry.entity_names())}")
        spec = registry.get(entity)
        self.stdout.write(f"{spec.name}: identified by {spec.identity}")
        for info in entity_fields(entity):
            flags = " (required)" if info.required else ""
            help_text = f" - {info.help}" if info.help else ""
            self.stdout.write(f"  {info.name:<18} {info.label}{flags}{help_text}")
            synonyms = ", ".join(spec.field(info.name).synonyms)
            if synonyms:
                for line in textwrap.wrap(f"headers: {synonyms}", width=96):
                    self.stdout.write(f"  {'':<18} {line}")

    # --- output ----------------------------------------------------------------------------------------

    def _report(self, outcome: Outcome) -> None:
        c, batch = outcome.counts, outcome.batch
        counts = (f"{c['created']:,} created, {c['updated']:,} updated, {c['unchanged']:,} unchanged, "
                  f"{c['rejected']:,} rejected")
        extra = "".join(f", {value:,} {name.replace('_', ' ')}" for name, value in outcome.extra.items() if value)
        if outcome.dry_run:
            self.stdout.write(f"Dry run, nothing was written. {batch.entity} from {batch.filename}: would be "
                              f"{counts}{extra}.")
        elif batch.status == "rejected":
            self.stdout.write(self.style.ERROR(
                f"Batch {batch.pk}: nothing was written (--strict) because {c['rejected']:,} rows were rejected."
            ))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Batch {batch.pk}: {batch.entity} from {batch.filename} (source {batch.source!r}): {counts}{extra}."
            ))
        if outcome.report:
            self.stdout.write(f"Rejected rows and the reasons: {outcome.report}")
            for line in outcome.first_errors[:10]:
                self.stdout.write(f"  line {line}")
        if not outcome.dry_run and batch.status == "completed":
            self.stdout.write(f"Undo with: rapport import --rollback {batch.pk}")

    # --- argument checks -------------------------------------------------------------------------------

    @staticmethod
    def _check_migrated() -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database is not migrated; run 'rapport migrate' first")

    @staticmethod
    def _batch(raw: str) -> ImportBatch:
        pk = _whole_number("the batch id", raw, minimum=1, maximum=2**63 - 1)
        batch = ImportBatch.objects.filter(pk=pk).first()
        if batch is None:
            raise CommandError(f"there is no import batch {pk} (see rapport import --list)")
        return batch

    @staticmethod
    def _user(username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"there is no user {username!r}")
        return user

    @staticmethod
    def _delimiter(raw: str | None) -> str | None:
        if raw is None:
            return None
        value = DELIMITERS.get(raw.lower(), raw)
        if len(value) != 1:
            raise CommandError(f"--delimiter must be one character, or tab (got {raw!r})")
        return value

    @staticmethod
    def _zone(raw: str | None) -> str | None:
        if raw is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"--time-zone must be a zone name such as Asia/Kuala_Lumpur (got {raw!r})") from None
        return raw


class _Bar:
    """A tqdm bar sized once the batch (and its row estimate) exists."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm[Any] | None = None

    def start(self, batch: ImportBatch, done: int = 0) -> None:
        if self.enabled:
            self.bar = tqdm(total=batch.rows_total, initial=done, unit=" rows", file=sys.stderr,
                            desc=f"Importing {batch.entity}", dynamic_ncols=True)

    def update(self, done: int, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(rows)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

