"""The batch's file: stored uploads, reopened as a source (checksum checked), a row estimate for progress."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from rapport.core.errors import RapportError
from rapport.imports.models import ImportBatch
from rapport.imports.report import reports_dir
from rapport.imports.sources import Source, file_checksum, open_source

READ_OPTIONS = ("encoding", "delimiter", "sheet")


class ImportError_(RapportError):
    """An import cannot start or go on: the message says why, for a person."""


def store_upload(file: IO[bytes], filename: str) -> Path:
    folder = reports_dir() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    name = get_valid_filename(Path(filename).name) or "upload"
    path = folder / f"{timezone.now():%Y%m%d-%H%M%S}-{get_random_string(8).lower()}-{name}"
    if hasattr(file, "seek"):
        file.seek(0)
    with path.open("wb") as out:
        if hasattr(file, "chunks"):
            for block in file.chunks():
                out.write(block)
        else:
            shutil.copyfileobj(file, out, 1024 * 1024)
    return path


def estimate_rows(path: Path, file_format: str) -> int | None:
    """Data rows in a CSV, from its line breaks (a quoted cell may hold more; a progress bar can live with it)."""
    if file_format != "csv":
        return None
    lines, last = 0, b""
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            lines += block.count(b"\n")
            last = block
    return max(lines - 1 + (0 if last.endswith(b"\n") or not last else 1), 0)


@contextmanager
def opened(batch: ImportBatch, *, check: bool = False) -> Iterator[Source]:
    path = Path(batch.file_path)
    if not path.exists():
        raise ImportError_(_("The file of import %(id)s is no longer at %(path)s.") % {"id": batch.pk, "path": path})
    if check and file_checksum(path) != batch.checksum:
        raise ImportError_(_("The file %(path)s has changed since import %(id)s started (its checksum differs); "
                             "start a new import instead.") % {"path": path, "id": batch.pk})
    options = batch.options
    with open_source(path, filename=batch.filename, encoding=options.get("encoding"),
                     delimiter=options.get("delimiter"), sheet=options.get("sheet")) as src:
        yield src


