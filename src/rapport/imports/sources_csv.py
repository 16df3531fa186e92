"""CSV import files: encoding and delimiter detection, then records streamed with the line each one starts on."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from rapport.imports import limits
from rapport.imports.sources_base import Source, SourceError, is_empty_cell, trim_trailing_empty

DELIMITERS = ",;\t|"
# What a customer file made on a Windows machine in our languages is written in, besides UTF-8 and UTF-16.
# Detection is restricted to these: among all of charset-normalizer's code pages, a short sample often
# "fits" an exotic one better than the real one.
LEGACY_ENCODINGS = ("cp1252", "cp1250", "cp1255", "cp1256")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_CHARS = 16 * 1024
# What a form field or a command line can carry for the invisible or awkward ones.
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _delimiter_name(delimiter: str) -> str:
    return {"\t": _("tab"), ",": _("comma"), ";": _("semicolon"), "|": _("vertical bar")}.get(delimiter, delimiter)


# --- encoding ---------------------------------------------------------------------------------------------


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 saved without a BOM: mostly Latin text has a NUL in every other byte."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _misread_symbols(text: str) -> int:
    """Non-ASCII characters that are not letters: where a code page misreads another's letters (Ł as £, ż as ¿)."""
    return sum(1 for ch in text if ord(ch) > 127 and not ch.isalpha() and not ch.isspace())


def _legacy_encoding(sample: bytes, *, complete: bool) -> str | None:
    if not complete:
        # Cut at the last line break so a single-byte sample never ends mid-character for the detector.
        cut = sample.rfind(b"\n")
        sample = sample[: cut + 1] if cut > 0 else sample
    best = from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None:
        return None
    encoding = str(best.encoding)
    if encoding in ("cp1250", "cp1252"):
        # Central and Western European text share most bytes, and charset-normalizer often takes French or
        # Portuguese for Polish. Polish read as Western shows symbols in words (£ódŸ, ¿ó³w); Western text read
        # as Central European does not, so fewer such symbols wins, and a tie goes to the far commoner cp1252.
        scores = {}
        for candidate in ("cp1252", "cp1250"):
            try:
                scores[candidate] = _misread_symbols(sample.decode(candidate))
            except UnicodeDecodeError:
                continue
        if scores:
            encoding = min(scores, key=lambda enc: (scores[enc], enc != "cp1252"))
        if encoding == "cp1252" and scores.get("cp1250") == scores.get("cp1252") and _polish_letters_misread(
            sample.decode("cp1252")
        ):
            encoding = "cp1250"
    return encoding


# Polish ń and ś read as Western give ñ and œ where Spanish and French never have them: ñ is followed by a vowel,
# œ by u (cœur, œuvre). "Zieliñski", "Wiœniewska": a file of names with only these letters has no symbols to
# tell it by.
_POLISH_AS_WESTERN = re.compile(r"ñ(?![aeiouáéíóúy])|œ(?![uil])", re.IGNORECASE)


def _polish_letters_misread(text: str) -> bool:
    return _POLISH_AS_WESTERN.search(text) is not None


def _not_text_error() -> SourceError:
    return SourceError(
        _(
            "This file is not text: it looks like a binary file (a spreadsheet, an image or a document) with a .csv "
            "name. Save it from your spreadsheet program as CSV or XLSX and upload it again."
        ),
        line=1,
    )


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """The text encoding of a CSV, from its first bytes. ``complete`` says the sample is the whole file."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16:
            return utf16
        raise _not_text_error()
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    legacy = _legacy_encoding(sample, complete=complete)
    if legacy is None:
        raise _not_text_error()
    return legacy


def check_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
        "a,b\n".encode(name)  # rot13, base64...: codecs, but not text encodings
    except (LookupError, UnicodeError, TypeError) as exc:
        raise SourceError(
            _("“%(encoding)s” is not a text encoding we know.") % {"encoding": encoding}, field="encoding"
        ) from exc
    return name


# --- delimiter --------------------------------------------------------------------------------------------


def detect_delimiter(text: str) -> str:
    """The delimiter among , ; tab and |, from the first few KB of decoded text."""
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(text[:_SNIFF_CHARS], delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    # The sniffer can be led astray by punctuation inside data rows; the header line almost never contains
    # a comma or semicolon that is not a delimiter, so a sniffed delimiter absent from it is overruled.
    if sniffed and counts.get(sniffed):
        return sniffed
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- records ----------------------------------------------------------------------------------------------


class _Lines:
    """Physical lines for csv.reader, each and each record capped in length, NUL and decoding errors caught."""

    def __init__(self, text: io.TextIOBase, max_record_chars: int, on_decode_error: Any) -> None:
        self._text = text
        self._max = max_record_chars
        self._on_decode_error = on_decode_error
        self.line = 0
        self.record_start = 1
        self.in_record = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = self._text.readline(self._max + 1)
        except UnicodeDecodeError as exc:
            raise self._on_decode_error(self.line + 1) from exc
        if not line:
            raise StopIteration
        self.line += 1
        self.in_record += len(line)
        if self.in_record > self._max:
            raise SourceError(
                _(
                    'The row starting on line %(line)s is longer than %(size)s characters. A quote (") may be '
                    "missing its closing quote."
                )
                % {"line": self.record_start, "size": f"{self._max:,}"},
                line=self.record_start,
            )
        if "\x00" in line:
            raise SourceError(
                _("Line %(line)s contains a NUL character: the file is binary or damaged.") % {"line": self.line},
                line=self.line,
            )
        return line


class CsvSource(Source):
    format = "csv"

    def __init__(
        self,
        binary: BinaryIO,
        *,
        start: int,
        filename: str,
        encoding: str,
        delimiter: str,
        max_columns: int,
        max_field_chars: int,
        max_record_chars: int,
    ) -> None:
        self._binary = binary
        self._start = start
        self._max_columns = max_columns
        self._max_field_chars = max_field_chars
        self._max_record_chars = max_record_chars
        super().__init__(filename=filename, headers=[], encoding=encoding, delimiter=delimiter)
        records = self._records()
        try:
            line, cells = next(records, (0, []))
        finally:
            records.close()
        if not line:
            raise SourceError(_("The file is empty: it has no header row and no data."), line=None)
        self.header_line = line
        self.headers = _check_header(cells, line)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        records = self._records()
        try:
            next(records, None)  # the header
            for line, cells in records:
                if all(is_empty_cell(c) for c in cells):
                    continue
                yield line, cells
        finally:
            records.close()

    def _records(self) -> Generator[tuple[int, list[str]], None, None]:
        """Every non-blank record with the line it starts on, the header included."""
        self._binary.seek(self._start)
        assert self.encoding is not None and self.delimiter is not None
        text = io.TextIOWrapper(
            io.BufferedReader(_Unclosable(self._binary)), encoding=self.encoding, errors="strict", newline=""
        )
        lines = _Lines(text, self._max_record_chars, self._decode_error)
        # csv's own field cap is process-wide, so it is only ever raised, to the record cap (which already bounds
        # memory); the per-call field cap is checked on each parsed field, where the column can be named.
        if csv.field_size_limit() < self._max_record_chars:
            csv.field_size_limit(self._max_record_chars)
        reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"', doublequote=True, strict=False)
        try:
            while True:
                start_line = lines.record_start = lines.line + 1
                lines.in_record = 0
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise self._csv_error(exc, start_line) from exc
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                yield start_line, self._checked(cells, start_line)
        finally:
            text.detach()

    def _checked(self, cells: list[str], line: int) -> list[str]:
        if len(cells) > self._max_columns:
            cells = trim_trailing_empty(cells)
            if len(cells) > self._max_columns:
                raise SourceError(
                    _(
                        "Line %(line)s has %(count)s columns; at most %(max)s are allowed. Check that the file is "
                        "split by the right character (it was read as %(delimiter)s-separated)."
                    )
                    % {
                        "line": line,
                        "count": f"{len(cells):,}",
                        "max": self._max_columns,
                        "delimiter": _delimiter_name(self.delimiter or ","),
                    },
                    line=line,
                )
        for index, cell in enumerate(cells):
            if len(cell) > self._max_field_chars:
                raise self._field_too_long(line, index + 1)
        return cells

    def _field_too_long(self, line: int, column: int | None) -> SourceError:
        size = f"{self._max_field_chars:,}"
        if column is None:
            message = _(
                'A value in the row starting on line %(line)s is longer than %(size)s characters. A quote (") may '
                "be missing its closing quote."
            ) % {"line": line, "size": size}
        else:
            message = _(
                'Line %(line)s, column %(column)s: the value is longer than %(size)s characters. A quote (") may '
                "be missing its closing quote."
            ) % {"line": line, "column": column, "size": size}
        return SourceError(message, line=line)

    def _csv_error(self, exc: csv.Error, line: int) -> SourceError:
        if "field larger than field limit" in str(exc):
            return self._field_too_long(line, None)
        return SourceError(
            _("Line %(line)s cannot be read as CSV (%(reason)s).") % {"line": line, "reason": str(exc)}, line=line
        )

    def _decode_error(self, approximate_line: int) -> SourceError:
        line = _line_of_decode_error(self._binary, self._start, self.encoding or "utf-8") or approximate_line
        return SourceError(
            _(
                "Line %(line)s is not valid %(encoding)s text. Choose the file's encoding, or save it from your "
                "spreadsheet program as “CSV UTF-8”."
            )
            % {"line": line, "encoding": self.encoding},
            line=line,
            field="encoding",
        )


def _line_of_decode_error(binary: BinaryIO, start: int, encoding: str) -> int | None:
    """The exact line of the first undecodable byte (the text layer decodes a chunk ahead, so it cannot tell)."""
    binary.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    while chunk := binary.read(1 << 16):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            bad = max(0, min(len(chunk), exc.start - (len(exc.object) - len(chunk))))
            head = chunk[:bad]
            return line + head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n")
        line += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
    return None


def _check_header(cells: list[str], line: int) -> list[str]:
    headers = [c.strip() for c in trim_trailing_empty(cells)]
    if not headers:
        raise SourceError(
            _("The header row (line %(line)s) is empty: the first row must name the columns.") % {"line": line},
            line=line,
        )
    check_duplicate_headers(headers, line, column_name=str)
    return headers


def check_duplicate_headers(headers: list[str], line: int, *, column_name: Any) -> None:
    seen: dict[str, int] = {}
    for index, name in enumerate(headers):
        if not name:
            continue
        key = name.casefold()
        if key in seen:
            raise SourceError(
                _(
                    "The column name “%(name)s” appears twice in the header (line %(line)s, columns %(first)s and "
                    "%(second)s). Each column needs its own name."
                )
                % {"name": name, "line": line, "first": column_name(seen[key] + 1), "second": column_name(index + 1)},
                line=line,
            )
        seen[key] = index


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper read the caller's file without closing it when the wrapper goes away."""

    def __init__(self, binary: BinaryIO) -> None:
        self._binary = binary

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._binary.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        pass


def open_csv(
    binary: BinaryIO,
    *,
    filename: str,
    encoding: str | None,
    delimiter: str | None,
    max_columns: int = limits.MAX_COLUMNS,
    max_field_chars: int = limits.MAX_FIELD_CHARS,
    max_record_chars: int = limits.MAX_RECORD_CHARS,
) -> CsvSource:
    start = binary.tell()
    sample = binary.read(limits.SAMPLE_BYTES)
    complete = len(sample) < limits.SAMPLE_BYTES or not binary.read(1)
    binary.seek(start)
    if not sample.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise SourceError(_("The file is empty: it has no header row and no data."))
    if encoding:
        encoding = check_encoding(encoding)
        if encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    else:
        encoding = detect_encoding(sample, complete=complete)
    if delimiter:
        delimiter = _DELIMITER_NAMES.get(delimiter.strip().lower(), delimiter)
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise SourceError(
                _("The delimiter must be one character, such as a comma, a semicolon or a tab."), field="delimiter"
            )
    else:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        delimiter = detect_delimiter(decoder.decode(sample, final=complete))
    return CsvSource(
        binary,
        start=start,
        filename=filename,
        encoding=encoding,
        delimiter=delimiter,
        max_columns=max_columns,
        max_field_chars=max_field_chars,
        max_record_chars=max_record_chars,
    )
