"""What every import file reader offers: the header, then the rows as (line number, cells)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rapport.core.errors import RapportError


class SourceError(RapportError, ValueError):
    """The file cannot be read as an import: ``message`` says why, for a person, naming the line when there is one.

    ``line`` is the line (CSV) or row (XLSX) at fault, or None when the fault is the whole file.
    """

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.line = line

    def __str__(self) -> str:
        return self.message


class Source:
    """An open import file. ``rows()`` streams the data rows after the header; it may be called again to re-read."""

    format: str = ""

    def __init__(
        self,
        *,
        filename: str,
        headers: list[str],
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
        header_line: int = 1,
    ) -> None:
        self.filename = filename
        self.headers = headers
        self.encoding = encoding
        self.delimiter = delimiter
        self.sheet = sheet
        self.header_line = header_line

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(line number as the user sees it in the file or sheet, cells); entirely empty rows are skipped."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.filename!r} {len(self.headers)} columns>"


def is_empty_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def trim_trailing_empty(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and is_empty_cell(cells[end - 1]):
        end -= 1
    return cells[:end] if end < len(cells) else cells
