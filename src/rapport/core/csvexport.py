"""CSV that is safe to open in a spreadsheet, written as a stream.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a formula by
Excel, LibreOffice or Google Sheets (CSV injection). Such cells get a leading apostrophe, which the
spreadsheet shows as text, as the OWASP guidance recommends. Numbers written by us (ids, amounts) are left
alone: a negative amount must stay a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text line by line (with a UTF-8 BOM first so Excel reads non-Latin scripts right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])
