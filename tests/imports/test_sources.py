# Hebrew and Persian sample text is the point of these tests, not a look-alike of Latin letters.
# ruff: noqa: RUF001
import codecs
import datetime as dt
import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.test import override_settings

from rapport.imports import limits
from rapport.imports.sources import SourceError, file_checksum, open_source


def read(file, filename="customers.csv", **kwargs):
    with open_source(file, filename=filename, **kwargs) as source:
        return source, list(source.rows())


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(file, filename="customers.csv", **kwargs) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read(file, filename, **kwargs)
    return caught.value


# --- CSV: encodings -----------------------------------------------------------------------------------------


def test_it_reads_utf8_with_a_bom_and_strips_it_from_the_first_header(tmp_path):
    path = write(tmp_path, "c.csv", codecs.BOM_UTF8 + "name,city\nZoë,Kraków\n".encode())
    source, rows = read(path)
    assert source.format == "csv"
    assert source.encoding == "utf-8-sig"
    assert source.headers == ["name", "city"]
    assert rows == [(2, ["Zoë", "Kraków"])]


def test_it_reads_utf8_without_a_bom(tmp_path):
    source, rows = read(write(tmp_path, "c.csv", "name\nJosé\n".encode()))
    assert source.encoding == "utf-8"
    assert rows == [(2, ["José"])]


def test_it_reads_utf16_with_a_bom(tmp_path):
    path = write(tmp_path, "c.csv", "name\tcity\nעדי\tחיפה\n".encode("utf-16"))
    source, rows = read(path)
    assert source.encoding == "utf-16"
    assert source.delimiter == "\t"
    assert rows == [(2, ["עדי", "חיפה"])]


PERSIAN = "نام,ايميل,شهر\nعلي رضايي,ali@example.com,تهران\nمريم احمدي,maryam@example.com,اصفهان\n"
HEBREW = "שם,אימייל,עיר\nדוד כהן,david@example.com,תל אביב\nשרה לוי,sara@example.com,ירושלים\n"
POLISH = "imię,nazwisko,miasto\nŁukasz,Żółkiewski,Łódź\nGrzegorz,Brzęczyszczykiewicz,Chrząszczyżewoszyce\n"
WESTERN = "name,city\nJosé,São Paulo\nFrançois,Besançon\nMüller,Köln\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(PERSIAN, "cp1256"), (HEBREW, "cp1255"), (POLISH, "cp1250"), (WESTERN, "cp1252")],
    ids=["persian-cp1256", "hebrew-cp1255", "polish-cp1250", "western-cp1252"],
)
def test_it_detects_windows_code_pages(tmp_path, text, encoding):
    source, rows = read(write(tmp_path, "c.csv", text.encode(encoding)))
    assert source.encoding == encoding
    lines = text.splitlines()
    assert source.headers == lines[0].split(",")
    assert rows == [(n, line.split(",")) for n, line in enumerate(lines[1:], start=2)]


def test_it_reads_polish_among_many_ascii_rows(tmp_path):
    text = "name,email\n" + "".join(f"x{i},x{i}@example.com\n" for i in range(200)) + "Łukasz,lz@example.com\n"
    source, rows = read(write(tmp_path, "c.csv", text.encode("cp1250")))
    assert source.encoding == "cp1250"
    assert rows[-1] == (202, ["Łukasz", "lz@example.com"])


def test_a_chosen_encoding_overrides_detection(tmp_path):
    path = write(tmp_path, "c.csv", "name\nGęś\n".encode("cp1250"))
    source, rows = read(path, encoding="windows-1250")
    assert source.encoding == "cp1250"
    assert rows == [(2, ["Gęś"])]


def test_it_refuses_an_unknown_encoding_by_name(tmp_path):
    error = refusal(write(tmp_path, "c.csv", b"a\n1\n"), encoding="klingon-8")
    assert "klingon-8" in error.message
    assert error.field == "encoding"


def test_it_names_the_line_that_is_not_valid_in_the_chosen_encoding(tmp_path):
    body = "".join(f"row{i}\n" for i in range(3000)).encode() + b"bad \xff byte\n" + b"more\n" * 10
    error = refusal(write(tmp_path, "c.csv", b"name\n" + body), encoding="utf-8")
    assert error.line == 3002
    assert "Line 3002" in error.message


# --- CSV: delimiters, quoting, line numbers -----------------------------------------------------------------


def test_it_sniffs_a_semicolon_delimiter(tmp_path):
    source, rows = read(write(tmp_path, "c.csv", b"name;amount\nAnn;1,50\nBob;2,75\n"))
    assert source.delimiter == ";"
    assert rows == [(2, ["Ann", "1,50"]), (3, ["Bob", "2,75"])]


def test_it_sniffs_a_tab_delimiter(tmp_path):
    source, rows = read(write(tmp_path, "c.tsv", b"name\tnote\nAnn\tlikes tea, coffee\n"), filename="c.tsv")
    assert source.delimiter == "\t"
    assert rows == [(2, ["Ann", "likes tea, coffee"])]


def test_it_sniffs_a_pipe_delimiter(tmp_path):
    source, rows = read(write(tmp_path, "c.csv", b"name|city\nAnn|Oslo\n"))
    assert source.delimiter == "|"
    assert rows == [(2, ["Ann", "Oslo"])]


def test_a_chosen_delimiter_overrides_sniffing(tmp_path):
    source, rows = read(write(tmp_path, "c.csv", b"a;b,c\n1;2,3\n"), delimiter=",")
    assert source.headers == ["a;b", "c"]
    assert rows == [(2, ["1;2", "3"])]


def test_a_delimiter_can_be_chosen_by_name(tmp_path):
    source, rows = read(write(tmp_path, "c.csv", b"a\tb,c\n1\t2,3\n"), delimiter="tab")
    assert source.delimiter == "\t"
    assert rows == [(2, ["1", "2,3"])]


def test_it_refuses_a_delimiter_that_is_not_one_character(tmp_path):
    error = refusal(write(tmp_path, "c.csv", b"a\n1\n"), delimiter=";;")
    assert error.field == "delimiter"


def test_a_single_column_file_reads_as_one_column(tmp_path):
    source, rows = read(write(tmp_path, "c.csv", b"email\na@example.com\n"))
    assert source.headers == ["email"]
    assert rows == [(2, ["a@example.com"])]


def test_a_quoted_newline_keeps_the_line_where_the_record_starts(tmp_path):
    data = b'name,note\r\nAnn,"first\r\nsecond\r\nthird"\r\nBob,plain\r\n"Cy","x\ny"\r\n'
    _, rows = read(write(tmp_path, "c.csv", data))
    assert rows == [(2, ["Ann", "first\r\nsecond\r\nthird"]), (5, ["Bob", "plain"]), (6, ["Cy", "x\ny"])]


def test_entirely_empty_rows_are_skipped_and_numbering_stays_true(tmp_path):
    _, rows = read(write(tmp_path, "c.csv", b"name,city\n\nAnn,Oslo\n,\n  ,  \nBob,Rome\n"))
    assert rows == [(3, ["Ann", "Oslo"]), (6, ["Bob", "Rome"])]


def test_old_mac_line_endings_are_lines(tmp_path):
    _, rows = read(write(tmp_path, "c.csv", b"name,city\rAnn,Oslo\rBob,Rome\r"))
    assert rows == [(2, ["Ann", "Oslo"]), (3, ["Bob", "Rome"])]


def test_header_cells_are_stripped_and_trailing_empty_ones_dropped(tmp_path):
    source, _ = read(write(tmp_path, "c.csv", b" name , e-mail ,,\nAnn,a@x,,\n"))
    assert source.headers == ["name", "e-mail"]


def test_rows_can_be_read_twice(tmp_path):
    with open_source(write(tmp_path, "c.csv", b"a\n1\n2\n"), filename="c.csv") as source:
        assert list(source.rows()) == list(source.rows()) == [(2, ["1"]), (3, ["2"])]


def test_it_reads_a_file_object_and_leaves_it_open(tmp_path):
    upload = io.BytesIO(b"name\nAnn\n")
    _, rows = read(upload)
    assert rows == [(2, ["Ann"])]
    assert not upload.closed


def test_it_reads_a_stream_that_cannot_seek():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    _, rows = read(Pipe(b"name\nAnn\n"))
    assert rows == [(2, ["Ann"])]


# --- CSV: bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, b"\n\n  \r\n"], ids=["zero-bytes", "bom-only", "blank-lines"])
def test_it_refuses_an_empty_file(tmp_path, data):
    error = refusal(write(tmp_path, "c.csv", data))
    assert "empty" in error.message


def test_it_refuses_a_header_row_of_empty_cells(tmp_path):
    error = refusal(write(tmp_path, "c.csv", b",,,\nAnn,a@x,1,2\n"))
    assert error.line == 1
    assert "header row (line 1) is empty" in error.message


def test_it_refuses_duplicated_header_names_and_says_which(tmp_path):
    error = refusal(write(tmp_path, "c.csv", b"Name,Email,Phone,email\nAnn,a,1,b\n"))
    assert error.line == 1
    assert "“email”" in error.message
    assert "columns 2 and 4" in error.message


def test_it_refuses_a_binary_file_named_csv(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    error = refusal(write(tmp_path, "photo.csv", png))
    assert "not text" in error.message


def test_it_refuses_a_nul_byte_after_the_sample_and_names_the_line(tmp_path):
    body = b"name\n" + b"abcdefghij\n" * 10_000 + b"bro\x00ken\n"
    error = refusal(write(tmp_path, "c.csv", body))
    assert error.line == 10_002
    assert "NUL" in error.message


def test_it_refuses_a_file_over_the_size_cap_before_reading_it(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.truncate(2 * 1024**3 + 1)  # sparse: no disk used, and never read
    error = refusal(path)
    assert "too big" in error.message
    assert "2.0 GB" in error.message


def test_the_size_cap_can_be_lowered_per_call(tmp_path):
    error = refusal(write(tmp_path, "c.csv", b"name\n" + b"x\n" * 600), max_bytes=1000)
    assert "too big" in error.message


def test_the_size_cap_follows_the_setting(tmp_path):
    with override_settings(RAPPORT_IMPORT_MAX_BYTES=100):
        error = refusal(write(tmp_path, "c.csv", b"name\n" + b"x\n" * 100))
    assert "too big" in error.message


def test_the_size_cap_applies_to_a_stream_of_unknown_size():
    class Pipe(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"x" * len(buffer)  # endless
            return len(buffer)

    error = refusal(Pipe(), max_bytes=3 * 1024 * 1024)
    assert "too big" in error.message


def test_it_refuses_a_row_with_ten_thousand_columns_naming_the_line(tmp_path):
    data = b"a,b\n1,2\n" + b",".join([b"x"] * 10_000) + b"\n"
    error = refusal(write(tmp_path, "c.csv", data))
    assert error.line == 3
    assert "Line 3 has 10,000 columns" in error.message


def test_trailing_empty_cells_do_not_count_as_columns(tmp_path):
    _, rows = read(write(tmp_path, "c.csv", b"a,b\n1,2" + b"," * 1000 + b"\n"))
    assert rows == [(2, ["1", "2"])]


def test_it_refuses_a_field_over_a_megabyte_naming_the_line(tmp_path):
    data = b'name,note\nAnn,short\nBob,"' + b"y" * (limits.MAX_FIELD_CHARS + 10) + b'"\n'
    error = refusal(write(tmp_path, "c.csv", data))
    assert error.line == 3
    assert "Line 3, column 2" in error.message


def test_it_refuses_an_unquoted_field_over_a_megabyte_naming_line_and_column(tmp_path):
    data = b"name,note\nAnn," + b"y" * (limits.MAX_FIELD_CHARS + 10) + b"\n"
    error = refusal(write(tmp_path, "c.csv", data))
    assert error.line == 2
    assert "Line 2, column 2" in error.message


def test_a_runaway_quote_is_stopped_by_the_record_cap(tmp_path):
    data = b'name,note\nAnn,"never closed\n' + b"a,b\n" * 20_000
    error = refusal(write(tmp_path, "c.csv", data), max_field_chars=10**9, max_record_chars=50_000)
    assert error.line == 2
    assert "row starting on line 2" in error.message


# --- XLSX ---------------------------------------------------------------------------------------------------


def make_xlsx(path, rows, *, title="Customers", extra_sheets=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, state in extra_sheets:
        extra = workbook.create_sheet(name)
        extra.sheet_state = state
        extra.append(["other"])
    workbook.save(path)
    return path


def test_it_reads_xlsx_with_typed_cells(tmp_path):
    path = make_xlsx(
        tmp_path / "c.xlsx",
        [
            ["Name", "Born", "Joined", "Orders", "Spend", "VIP"],
            ["Ann", dt.date(1990, 5, 1), dt.datetime(2024, 1, 2, 3, 4), 7, 12.5, True],
            [],
            ["Bob", None, None, 0, -3.25, False],
        ],
    )
    source, rows = read(path, filename="c.xlsx")
    assert (source.format, source.sheet, source.encoding) == ("xlsx", "Customers", None)
    assert source.headers == ["Name", "Born", "Joined", "Orders", "Spend", "VIP"]
    assert rows == [
        (2, ["Ann", dt.date(1990, 5, 1), dt.datetime(2024, 1, 2, 3, 4), 7, 12.5, True]),
        (4, ["Bob", None, None, 0, -3.25, False]),
    ]


def test_xlsx_row_numbers_match_the_sheet_when_rows_are_missing(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"] = "Name"
    sheet["B7"] = "Ann"
    sheet["C12"] = "late"
    workbook.save(tmp_path / "c.xlsx")
    source, rows = read(tmp_path / "c.xlsx", filename="c.xlsx")
    assert source.headers == ["", "Name"]
    assert source.header_line == 3
    assert rows == [(7, [None, "Ann"]), (12, [None, None, "late"])]


def test_it_picks_a_sheet_by_name_and_lists_the_sheets_when_it_is_missing(tmp_path):
    path = make_xlsx(tmp_path / "c.xlsx", [["Name"], ["Ann"]], extra_sheets=[("Leads", "visible")])
    source, _ = read(path, filename="c.xlsx", sheet="Leads")
    assert source.headers == ["other"]
    error = refusal(path, filename="c.xlsx", sheet="Nope")
    assert "“Nope”" in error.message and "“Customers”, “Leads”" in error.message
    assert error.field == "sheet"


def test_it_reads_the_first_visible_sheet_by_default(tmp_path):
    workbook = openpyxl.Workbook()
    lookups = workbook.active
    lookups.title = "Lookups"
    lookups.sheet_state = "hidden"
    lookups.append(["code"])
    data = workbook.create_sheet("Data")
    data.append(["Name"])
    workbook.save(tmp_path / "c.xlsx")
    source, _ = read(tmp_path / "c.xlsx", filename="c.xlsx")
    assert source.sheet == "Data"


def test_an_xlsx_formula_comes_in_as_its_cached_value_never_as_a_formula(tmp_path):
    path = make_xlsx(tmp_path / "c.xlsx", [["Name", "Total"], ["Ann", "=1+1"]])
    _, rows = read(path, filename="c.xlsx")
    assert rows == [(2, ["Ann"])]  # openpyxl saved no cached value: the cell is empty, not "=1+1"


def test_an_xlsx_named_csv_is_read_as_xlsx(tmp_path):
    path = make_xlsx(tmp_path / "c.xlsx", [["Name"], ["Ann"]])
    source, rows = read(path, filename="export.csv")
    assert source.format == "xlsx"
    assert rows == [(2, ["Ann"])]


def test_it_refuses_an_empty_file_named_xlsx(tmp_path):
    error = refusal(write(tmp_path, "c.xlsx", b""), filename="c.xlsx")
    assert "empty" in error.message


def test_it_refuses_an_empty_sheet(tmp_path):
    error = refusal(make_xlsx(tmp_path / "c.xlsx", []), filename="c.xlsx")
    assert "empty" in error.message


def test_it_refuses_duplicated_xlsx_headers_naming_the_columns(tmp_path):
    error = refusal(make_xlsx(tmp_path / "c.xlsx", [["Name", "Email", "NAME"]]), filename="c.xlsx")
    assert "“NAME”" in error.message and "columns A and C" in error.message


def test_it_refuses_an_xlsx_row_that_is_too_wide_naming_the_row(tmp_path):
    path = make_xlsx(tmp_path / "c.xlsx", [["Name"], ["Ann"], ["x"] * 600])
    error = refusal(path, filename="c.xlsx")
    assert error.line == 3
    assert "Row 3 has 600 columns" in error.message


def test_it_refuses_a_zip_bomb(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                member.write(zeros)
    assert path.stat().st_size < 1024 * 1024
    error = refusal(path, filename="bomb.xlsx")
    assert "ZIP bomb" in error.message
    assert "xl/worksheets/sheet1.xml" in error.message


def test_it_refuses_a_workbook_declaring_too_much_uncompressed_data(tmp_path):
    path = make_xlsx(tmp_path / "c.xlsx", [["Name"], ["Ann"]])
    error = refusal(path, filename="c.xlsx", max_uncompressed_bytes=1000)
    assert "unpacks to" in error.message


def test_it_refuses_a_file_named_xlsx_that_is_not_a_zip(tmp_path):
    error = refusal(write(tmp_path, "c.xlsx", b"name,email\nAnn,a@x\n"), filename="c.xlsx")
    assert "not an Excel workbook" in error.message


def test_it_refuses_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    error = refusal(path, filename="letter.xlsx")
    assert "not an Excel workbook" in error.message


def test_it_refuses_a_damaged_workbook_with_a_message(tmp_path):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<<< not xml")
    error = refusal(path, filename="broken.xlsx")
    assert "damaged" in error.message


def test_it_tells_to_save_an_old_xls_file_as_xlsx_or_csv(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    for name in ("old.xls", "renamed.xlsx"):
        error = refusal(write(tmp_path, name, ole), filename=name)
        assert ".xlsx" in error.message and "CSV" in error.message


def test_errors_are_value_errors_with_a_plain_message(tmp_path):
    error = refusal(write(tmp_path, "c.csv", b""))
    assert isinstance(error, ValueError)
    assert str(error) == error.message


# --- checksum -----------------------------------------------------------------------------------------------


def test_the_checksum_is_the_sha256_of_the_whole_file(tmp_path):
    data = b"name\n" + b"x" * 3_000_000
    path = write(tmp_path, "c.csv", data)
    expected = hashlib.sha256(data).hexdigest()
    assert file_checksum(path) == expected
    upload = io.BytesIO(data)
    upload.seek(10)
    assert file_checksum(upload) == expected
    assert upload.tell() == 10


@pytest.mark.parametrize("names", ["Piotr;Zieliński\nZofia;Wiśniewska\n", "Jan;Stępień\n"])
def test_a_short_polish_file_with_no_telltale_symbols_is_read_as_central_european(tmp_path, names):
    path = tmp_path / "klienci.csv"
    path.write_bytes(("Imię;Nazwisko\n" + names).encode("cp1250"))
    with open_source(path, filename="klienci.csv") as src:
        assert src.encoding == "cp1250"
        assert next(cells for _line, cells in src.rows())[1] in names


def test_spanish_and_french_names_stay_western(tmp_path):
    path = tmp_path / "clients.csv"
    path.write_bytes("Nombre;Apellido\nIñigo;Muñoz\nLætitia;Cœurdacier\n".encode("cp1252"))
    with open_source(path, filename="clients.csv") as src:
        assert src.encoding == "cp1252"
