"""The rejected-rows report: a CSV with the line, the reason per field and the row's original cells.

Written with ``rapport.core.csvexport`` (a cell that a spreadsheet would run as a formula is neutralised), a
chunk at a time, before the chunk commits; the chunk records the report's size, so a resumed batch cuts off
whatever a crash left after the last committed chunk. The original columns come after the two added ones,
under their own headers: a user can fix the cells in the report and import the report itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from rapport.core.csvexport import csv_lines

ERROR_SEPARATOR = "; "


def reports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def report_path(entity: str, batch_id: int | None) -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"batch-{batch_id}" if batch_id else f"dry-run-{get_random_string(6).lower()}"
    return reports_dir() / f"{name}-{entity}-{stamp}-rejected.csv"


def reasons(errors: dict[str, str]) -> str:
    """``email: "bob@" is not an e-mail address; phone: ...``"""
    return ERROR_SEPARATOR.join(f"{name}: {message}" for name, message in errors.items())


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


class Report:
    def __init__(self, path: Path, headers: Sequence[str]) -> None:
        self.path = path
        self.headers = list(headers)

    def truncate(self, size: int) -> None:
        """Back to ``size`` bytes: what the last committed chunk left (0: no report yet)."""
        if self.path.exists():
            with self.path.open("r+b") as handle:
                handle.truncate(size)

    def append(self, rejected: Iterable[tuple[int, Sequence[Any], dict[str, str]]]) -> int:
        """Add (line, cells, errors) rows; the report's size in bytes afterwards."""
        rows = [[line, reasons(errors), *(_cell(c) for c in cells)] for line, cells, errors in rejected]
        if not rows:
            return self.size()
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        lines = csv_lines([_("line"), _("errors"), *self.headers], rows)
        if not fresh:
            next(lines)  # the header (with the BOM) is already there
        with self.path.open("a", encoding="utf-8", newline="") as handle:
            handle.writelines(lines)
        return self.size()

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0
