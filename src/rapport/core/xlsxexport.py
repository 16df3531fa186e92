"""XLSX written as a stream of rows, the sibling of :mod:`rapport.core.csvexport`.

Cells keep their type (numbers, dates, true/false), so a spreadsheet can sort and sum them. Text is always
stored as text: a name like ``=HYPERLINK(...)`` or ``+44 20 ...`` is written as a string cell, which no
spreadsheet evaluates, so unlike CSV it needs no leading apostrophe and comes back unchanged.

openpyxl's write-only mode writes each row to a temporary file as it comes and stores text inline (no
shared-strings table), and the finished workbook goes to a spooled temporary file: memory stays bounded at
any number of rows. The file is complete before its first byte can be sent (a ZIP's directory comes last).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limits: longer text is cut (and counted), more rows continue on a new sheet.
MAX_CELL_CHARS = 32_767
MAX_SHEET_ROWS = 1_048_576
_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass
class XlsxStats:
    rows: int = 0
    sheets: list[str] = field(default_factory=list)
    truncated_cells: int = 0


def write_xlsx(
    target: IO[bytes],
    header: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    title: str = "Export",
    tz: dt.tzinfo | None = None,
    max_sheet_rows: int = MAX_SHEET_ROWS,
) -> XlsxStats:
    """Write ``header`` and ``rows`` as a workbook into ``target``.

    Aware date-times are shown in ``tz`` (the current time zone by default), since Excel has no time zones.
    """
    zone = tz or timezone.get_current_timezone()
    header = list(header)
    stats = XlsxStats()
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet: Any = None
    on_sheet = max_sheet_rows  # starts a sheet on the first row

    def cell(value: Any) -> Any:
        return _cell(sheet, value, zone, stats)

    for row in rows:
        if on_sheet >= max_sheet_rows:
            name = _sheet_title(title, len(stats.sheets) + 1)
            sheet = workbook.create_sheet(name)
            stats.sheets.append(name)
            header_cells = [cell(h) for h in header]
            for c in header_cells:
                c.font = bold
            sheet.append(header_cells)
            on_sheet = 1
        sheet.append([cell(v) for v in row])
        on_sheet += 1
        stats.rows += 1
    if sheet is None:  # no rows: still a workbook with its header, as the CSV export gives one
        sheet = workbook.create_sheet(_sheet_title(title, 1))
        stats.sheets.append(sheet.title)
        sheet.append([cell(h) for h in header])
    workbook.save(target)
    return stats


def xlsx_file(header: Iterable[str], rows: Iterable[Iterable[Any]], **kwargs: Any) -> IO[bytes]:
    """The workbook in a temporary file, rewound; closing it (FileResponse does) deletes it."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - the caller closes it
    try:
        write_xlsx(spool, header, rows, **kwargs)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool  # type: ignore[return-value]


def xlsx_chunks(header: Iterable[str], rows: Iterable[Iterable[Any]], **kwargs: Any) -> Iterator[bytes]:
    """The workbook as byte chunks, for a StreamingHttpResponse."""
    with xlsx_file(header, rows, **kwargs) as file:
        while chunk := file.read(_CHUNK):
            yield chunk


def _sheet_title(title: str, number: int) -> str:
    # Excel forbids these in sheet names and caps them at 31 characters.
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "Sheet"
    suffix = f" {number}" if number > 1 else ""
    return clean[: 31 - len(suffix)] + suffix


def _cell(sheet: Any, value: Any, zone: dt.tzinfo, stats: XlsxStats) -> Any:
    # The openpyxl stubs type WriteOnlyCell's value narrower than openpyxl takes (ints, Decimals, dates).
    make: Any = WriteOnlyCell
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.make_naive(value, zone)
        return make(sheet, value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters make Excel refuse the whole file
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
        stats.truncated_cells += 1
    cell = make(sheet, text)
    # openpyxl turns text starting with "=" into a formula; a value someone typed must stay text.
    cell.data_type = "s"
    return cell
