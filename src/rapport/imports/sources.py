"""Reading an import file: CSV or XLSX in, a header and a stream of (line number, cells) out.

The import engine codes against :func:`open_source` and :class:`Source` only. Everything a user can get
wrong about a file (empty, binary, too big, a ZIP bomb, a wrong delimiter, a duplicated column name, a
runaway quote) ends as one :class:`SourceError` whose message names the line, never as a traceback, and
no reader holds more than a bounded part of the file in memory.

    with open_source(upload, filename=upload.name) as source:
        source.headers            # ["Name", "E-mail", ...]
        for line, cells in source.rows():
            ...
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from rapport.imports import limits
from rapport.imports.sources_base import Source, SourceError
from rapport.imports.sources_csv import open_csv

__all__ = ["Source", "SourceError", "file_checksum", "open_source"]

_ZIP_MAGIC = b"PK\x03\x04"
# Old binary Office files (.xls), and also password-protected .xlsx files, are OLE compound documents.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_CHUNK = 1024 * 1024

FileArg = str | os.PathLike[str] | BinaryIO


@contextmanager
def open_source(
    file: FileArg,
    *,
    filename: str,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
    max_columns: int = limits.MAX_COLUMNS,
    max_field_chars: int = limits.MAX_FIELD_CHARS,
    max_record_chars: int = limits.MAX_RECORD_CHARS,
    max_uncompressed_bytes: int = limits.MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio: float = limits.MAX_COMPRESSION_RATIO,
) -> Iterator[Source]:
    """Open ``file`` (a path or a binary file object, which is left open) as an import source.

    ``filename`` is the name the user gave the file (its extension picks the format, with the content's magic
    bytes having the last word). ``encoding`` and ``delimiter`` override CSV detection; ``sheet`` picks an
    XLSX worksheet by name (the first visible one otherwise). The ``max_*`` arguments lower or raise the caps
    in :mod:`rapport.imports.limits` for one call. Raises :class:`SourceError` for any unreadable file.
    """
    cap = limits.max_bytes_setting() if max_bytes is None else max_bytes
    with ExitStack() as stack:
        binary = _open_binary(file, cap, stack)
        kind = _kind(filename, binary)
        source: Source
        if kind == "xlsx":
            # Imported here: openpyxl takes a noticeable time to import, and most imports are CSV.
            from rapport.imports.sources_xlsx import open_xlsx

            xlsx = open_xlsx(
                binary,
                filename=filename,
                sheet=sheet,
                max_columns=max_columns,
                max_field_chars=max_field_chars,
                max_uncompressed_bytes=max_uncompressed_bytes,
                max_compression_ratio=max_compression_ratio,
            )
            stack.callback(xlsx.close)
            source = xlsx
        else:
            source = open_csv(
                binary,
                filename=filename,
                encoding=encoding,
                delimiter=delimiter,
                max_columns=max_columns,
                max_field_chars=max_field_chars,
                max_record_chars=max_record_chars,
            )
        yield source


def file_checksum(file: FileArg) -> str:
    """The SHA-256 of the whole file in hex, read in chunks; a file object is read from its start and put back."""
    digest = hashlib.sha256()
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()
    position = file.tell() if file.seekable() else None
    if position is not None:
        file.seek(0)
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
    if position is not None:
        file.seek(position)
    return digest.hexdigest()


def _too_big(size: int | None, cap: int) -> SourceError:
    return SourceError(
        _("The file is too big to import (%(size)s; the limit is %(max)s). Split it into smaller files.")
        % {"size": _human_size(size) if size is not None else _("over the limit"), "max": _human_size(cap)}
    )


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size:,} bytes"  # pragma: no cover - the loop always returns


def _open_binary(file: FileArg, cap: int, stack: ExitStack) -> BinaryIO:
    """A seekable binary file positioned at the start of the data, its size checked against ``cap`` first."""
    if isinstance(file, str | os.PathLike):
        try:
            on_disk = os.stat(file).st_size
            if on_disk > cap:
                raise _too_big(on_disk, cap)
            return stack.enter_context(open(file, "rb"))
        except FileNotFoundError as exc:
            raise SourceError(_("There is no file at %(path)s.") % {"path": os.fspath(file)}) from exc
        except IsADirectoryError as exc:
            raise SourceError(_("%(path)s is a folder, not a file.") % {"path": os.fspath(file)}) from exc
        except PermissionError as exc:
            raise SourceError(_("The file %(path)s may not be read.") % {"path": os.fspath(file)}) from exc
    size = _known_size(file)
    if size is not None and size > cap:
        raise _too_big(size, cap)
    if _seekable(file):
        return file
    # zipfile and the re-readable rows() need to seek: a pipe or socket is copied out first, within the cap.
    spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY))  # noqa: SIM115 - closed by the stack
    copied = 0
    while chunk := file.read(_CHUNK):
        copied += len(chunk)
        if copied > cap:
            raise _too_big(None, cap)
        spool.write(chunk)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _seekable(file: BinaryIO) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def _known_size(file: BinaryIO) -> int | None:
    """The bytes left to read, when the file can tell without reading it (an upload's size, a stat, a seek)."""
    declared = getattr(file, "size", None)  # Django's UploadedFile
    if isinstance(declared, int):
        return declared
    try:
        return os.fstat(file.fileno()).st_size - file.tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    if _seekable(file):
        position = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(position)
        return end - position
    return None


def _kind(filename: str, binary: BinaryIO) -> str:
    suffix = Path(filename).suffix.lower()
    position = binary.tell()
    magic = binary.read(8)
    binary.seek(position)
    if not magic:
        raise SourceError(_("The file is empty: it has no header row and no data."))
    if suffix in (".xls", ".xlt") or magic == _OLE_MAGIC:
        raise SourceError(
            _(
                "This is an old-format Excel file (.xls) or a password-protected workbook, which cannot be read. "
                "Open it in your spreadsheet program and save it as “Excel Workbook (.xlsx)” or as CSV, without a "
                "password."
            )
        )
    if suffix in (".ods", ".numbers"):
        raise SourceError(
            _("%(suffix)s files cannot be read. Save the sheet as “Excel Workbook (.xlsx)” or as CSV.")
            % {"suffix": suffix}
        )
    if suffix in _XLSX_SUFFIXES or magic.startswith(_ZIP_MAGIC):
        return "xlsx"
    return "csv"
