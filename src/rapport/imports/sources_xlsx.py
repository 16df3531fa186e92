"""XLSX import files: the ZIP checked for bombs before openpyxl sees it, then the sheet streamed in read-only mode."""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils import get_column_letter

from rapport.imports import limits
from rapport.imports.sources_base import Source, SourceError, is_empty_cell, trim_trailing_empty
from rapport.imports.sources_csv import check_duplicate_headers

# A workbook is a few dozen parts; thousands are a crafted file (each costs memory in the ZIP directory).
MAX_MEMBERS = 10_000
# openpyxl loads the shared-strings table whole, even in read-only mode: this part is the one memory cost the
# streaming reader cannot avoid. 256 MB of it is several million distinct texts; beyond that, use CSV.
MAX_SHARED_STRINGS_BYTES = 256 * 1024 * 1024


def _not_a_workbook(detail: str = "") -> SourceError:
    message = _("The file is damaged or is not an Excel workbook (.xlsx). Save it again as .xlsx or as CSV.")
    if detail:
        message = f"{message} ({detail})"
    return SourceError(message)


def check_zip(binary: BinaryIO, *, max_uncompressed_bytes: int, max_compression_ratio: float) -> None:
    """Refuse a ZIP bomb from its directory alone, before anything is decompressed.

    zipfile stops each member at its declared size (and fails its CRC past it), so the declared sizes are
    what decompression can cost, and checking them is enough.
    """
    start = binary.tell()
    try:
        with zipfile.ZipFile(binary) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_a_workbook() from exc
    finally:
        binary.seek(start)
    if len(members) > MAX_MEMBERS:
        raise _not_a_workbook(_("%(count)s parts") % {"count": f"{len(members):,}"})
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise _not_a_workbook()
    total = sum(member.file_size for member in members)
    if total > max_uncompressed_bytes:
        raise SourceError(
            _(
                "The workbook unpacks to %(size)s MB, more than the %(max)s MB allowed. Split it, or save the sheet "
                "as CSV."
            )
            % {"size": f"{total / 1024**2:,.0f}", "max": f"{max_uncompressed_bytes / 1024**2:,.0f}"}
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.RATIO_CHECK_MIN_BYTES and ratio > max_compression_ratio:
            raise SourceError(
                _(
                    "The workbook was refused: its part %(part)s unpacks %(ratio)s times larger than it is stored, "
                    "which real spreadsheets never do (it looks like a ZIP bomb)."
                )
                % {"part": member.filename, "ratio": f"{ratio:,.0f}"}
            )
        if member.filename == "xl/sharedStrings.xml" and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise SourceError(
                _("The workbook holds more distinct text than can be imported as XLSX. Save the sheet as CSV.")
            )


class XlsxSource(Source):
    format = "xlsx"

    def __init__(
        self, workbook: Any, worksheet: Any, *, filename: str, sheet: str, max_columns: int, max_field_chars: int
    ) -> None:
        self._workbook = workbook
        self._worksheet = worksheet
        self._max_columns = max_columns
        self._max_field_chars = max_field_chars
        super().__init__(filename=filename, headers=[], sheet=sheet)
        rows = self._rows()
        try:
            line, cells = next(rows, (0, []))
        finally:
            rows.close()
        if not line:
            raise SourceError(_("The sheet “%(sheet)s” is empty: it has no header row and no data.") % {"sheet": sheet})
        self.header_line = line
        headers = [_header_text(c) for c in cells]
        check_duplicate_headers(headers, line, column_name=get_column_letter)
        self.headers = headers

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        rows = self._rows()
        try:
            next(rows, None)  # the header
            yield from rows
        finally:
            rows.close()

    def close(self) -> None:
        self._workbook.close()

    def _rows(self) -> Generator[tuple[int, list[Any]], None, None]:
        """Every non-empty row with its row number in the sheet, the header included."""
        try:
            # openpyxl fills in the rows a sheet leaves out, so counting from 1 gives the sheet's row numbers.
            for number, row in enumerate(self._worksheet.iter_rows(), start=1):
                cells = trim_trailing_empty([_value(cell) for cell in row])
                if not cells or all(is_empty_cell(c) for c in cells):
                    continue
                yield number, self._checked(cells, number)
        except SourceError:
            raise
        except Exception as exc:
            # openpyxl raises whatever its XML parser or converters raise on a damaged sheet (ParseError,
            # ValueError, KeyError, TypeError...); for the user it is all one thing.
            raise _not_a_workbook(type(exc).__name__) from exc

    def _checked(self, cells: list[Any], number: int) -> list[Any]:
        if len(cells) > self._max_columns:
            raise SourceError(
                _("Row %(line)s has %(count)s columns; at most %(max)s are allowed.")
                % {"line": number, "count": f"{len(cells):,}", "max": self._max_columns},
                line=number,
            )
        for index, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > self._max_field_chars:
                raise SourceError(
                    _("Cell %(cell)s: the value is longer than %(size)s characters.")
                    % {"cell": f"{get_column_letter(index + 1)}{number}", "size": f"{self._max_field_chars:,}"},
                    line=number,
                )
        return cells


def _value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, dt.datetime):
        # Excel has only date-times; a cell formatted as a date (a birthday, an order date) is a date.
        if value.time() == dt.time(0) and is_datetime(getattr(cell, "number_format", "General")) == "date":
            return value.date()
        return value
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _pick_sheet(workbook: Any, sheet: str | None) -> Any:
    if sheet is not None:
        if sheet not in workbook.sheetnames:
            raise SourceError(
                _("The workbook has no sheet named “%(sheet)s”. Its sheets are: %(sheets)s.")
                % {"sheet": sheet, "sheets": ", ".join(f"“{name}”" for name in workbook.sheetnames)},
                field="sheet",
            )
        worksheet = workbook[sheet]
        if worksheet not in workbook.worksheets:
            raise SourceError(_("“%(sheet)s” is a chart, not a sheet of data.") % {"sheet": sheet}, field="sheet")
        return worksheet
    if not workbook.worksheets:
        raise SourceError(_("The workbook has no sheet of data."))
    # Users hide helper sheets (lookup lists) in front of the data; the first visible sheet is the one they see.
    visible = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    return (visible or workbook.worksheets)[0]


def open_xlsx(
    binary: BinaryIO,
    *,
    filename: str,
    sheet: str | None,
    max_columns: int = limits.MAX_COLUMNS,
    max_field_chars: int = limits.MAX_FIELD_CHARS,
    max_uncompressed_bytes: int = limits.MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio: float = limits.MAX_COMPRESSION_RATIO,
) -> XlsxSource:
    check_zip(binary, max_uncompressed_bytes=max_uncompressed_bytes, max_compression_ratio=max_compression_ratio)
    try:
        with warnings.catch_warnings():
            # "Data Validation extension is not supported", "no default style"...: noise to a user, and harmless.
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:
        # As above: a damaged workbook makes openpyxl raise anything from KeyError to ParseError.
        raise _not_a_workbook(type(exc).__name__) from exc
    try:
        worksheet = _pick_sheet(workbook, sheet)
        # Some writers store a wrong sheet size (the "dimension"); read-only openpyxl would stop at it.
        worksheet.reset_dimensions()
        return XlsxSource(
            workbook,
            worksheet,
            filename=filename,
            sheet=worksheet.title,
            max_columns=max_columns,
            max_field_chars=max_field_chars,
        )
    except BaseException:
        workbook.close()
        raise
