"""``rapport export``: one file per table plus a manifest, counts that match, visibility, safe cells, clear errors."""

import csv
import io
import json
import os
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.commerce.models import Order
from rapport.customers.models import Customer
from rapport.interactions.models import Interaction, Note
from rapport.ops.exporting import TABLES
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def export(tmp_path, *args, name="out.zip"):
    target = tmp_path / name
    out = StringIO()
    call_command("export", str(target), "--no-progress", *args, stdout=out)
    return target, out.getvalue()


def csv_table(archive, name):
    with archive.open(f"{name}.csv") as member:
        rows = list(csv.reader(io.TextIOWrapper(member, encoding="utf-8-sig", newline="")))
    return rows[0], rows[1:]


def manifest(archive):
    return json.loads(archive.read("manifest.json"))


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed", "--customers", "25", "--seed", "7", "--end", "2026-01-31", "--no-progress", stdout=StringIO())


def test_it_writes_one_file_per_table_and_counts_that_match_the_database(tmp_path, seeded):
    target, text = export(tmp_path)
    assert "Exported" in text and "tables" in text
    with zipfile.ZipFile(target) as archive:
        info = manifest(archive)
        names = set(archive.namelist())
        assert names == {f"{t.name}.csv" for t in TABLES} | {"manifest.json"}
        assert info["format"] == "csv" and info["scope"]["user"] is None
        assert info["app_version"] and info["generated_at"]
        for table, entry in zip(TABLES, info["tables"], strict=True):
            header, rows = csv_table(archive, table.name)
            assert entry["rows"] == len(rows) == table.model._default_manager.count(), table.name
            assert header == entry["columns"]
    assert info["total_rows"] == sum(t["rows"] for t in info["tables"]) > 25


def test_small_pages_still_read_every_row_once_in_id_order(tmp_path, seeded):
    target, _ = export(tmp_path, "--chunk", "100")
    with zipfile.ZipFile(target) as archive:
        header, rows = csv_table(archive, "interactions")
    ids = [int(r[header.index("id")]) for r in rows]
    assert len(ids) > 100  # more than one page
    assert ids == sorted(set(ids))
    assert ids == list(Interaction.objects.order_by("pk").values_list("pk", flat=True))


def test_the_number_of_queries_does_not_grow_with_the_rows(tmp_path, agent):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            export(tmp_path, "--force")
        return len(captured.captured_queries)

    for _ in range(3):
        make_customer(owner=agent, tags=["vip"])
    few = queries()
    for _ in range(30):
        make_customer(owner=agent, tags=["vip"])
    assert queries() == few


def test_a_user_export_holds_only_what_that_user_may_see(tmp_path, agent, other_team):
    stranger = make_user(role="agent", team=other_team)
    mine = make_customer(owner=agent, first_name="Mine", tags=["vip"])
    theirs = make_customer(owner=stranger, first_name="Theirs", tags=["vip"])
    for customer in (mine, theirs):
        Note.objects.create(customer=customer, body=f"about {customer.first_name}")
        Order.objects.create(customer=customer, total="10.00", currency="MYR")
    target, text = export(tmp_path, "--user", "agent")
    assert "visible to agent" in text
    with zipfile.ZipFile(target) as archive:
        info = manifest(archive)
        assert info["scope"] == {"user": "agent", "visibility": "own"}
        header, customers = csv_table(archive, "customers")
        assert [r[header.index("id")] for r in customers] == [str(mine.pk)]
        header, notes = csv_table(archive, "notes")
        assert [r[header.index("body")] for r in notes] == ["about Mine"]
        header, orders = csv_table(archive, "orders")
        assert [r[header.index("customer_id")] for r in orders] == [str(mine.pk)]
        header, links = csv_table(archive, "customer_tags")
        assert [r[header.index("customer_id")] for r in links] == [str(mine.pk)]
        _, users = csv_table(archive, "users")
        assert "Theirs" not in archive.read("customers.csv").decode("utf-8-sig")
    assert [u[1] for u in users] == ["agent"]


def test_without_a_user_it_exports_everything(tmp_path, agent, other_team):
    make_customer(owner=agent)
    make_customer(owner=make_user(role="agent", team=other_team))
    target, _ = export(tmp_path)
    with zipfile.ZipFile(target) as archive:
        assert len(csv_table(archive, "customers")[1]) == 2


def test_users_are_exported_without_passwords(tmp_path, agent):
    target, _ = export(tmp_path)
    with zipfile.ZipFile(target) as archive:
        header, _ = csv_table(archive, "users")
    assert "password" not in header and "is_superuser" not in header and "username" in header


def test_formula_cells_are_neutralised_and_the_manifest_says_so(tmp_path, agent):
    make_customer(owner=agent, first_name="=cmd|' /C calc'!A0", last_name="X", attributes={"likes": "tea"})
    target, _ = export(tmp_path)
    with zipfile.ZipFile(target) as archive:
        header, rows = csv_table(archive, "customers")
        info = manifest(archive)
    row = rows[0]
    assert row[header.index("first_name")] == "'=cmd|' /C calc'!A0"
    assert row[header.index("display_name")] == "'=cmd|' /C calc'!A0 X"
    assert json.loads(row[header.index("attributes")]) == {"likes": "tea"}
    assert "search_document" not in header
    assert any("apostrophe" in note for note in info["notes"])


def test_the_xlsx_format_keeps_types_and_formula_text(tmp_path, agent):
    customer = make_customer(owner=agent, first_name="=1+1", last_name="X")
    Order.objects.create(customer=customer, total="-12.50", currency="MYR")
    target, _ = export(tmp_path, "--format", "xlsx")
    with zipfile.ZipFile(target) as archive:
        info = manifest(archive)
        assert info["format"] == "xlsx"
        assert "customers.xlsx" in archive.namelist() and "customers.csv" not in archive.namelist()
        sheet = openpyxl.load_workbook(io.BytesIO(archive.read("customers.xlsx"))).worksheets[0]
        rows = [[c for c in row] for row in sheet.iter_rows()]
        header = [c.value for c in rows[0]]
        first_name = rows[1][header.index("first_name")]
        assert (first_name.value, first_name.data_type) == ("=1+1", "s")
        assert rows[1][header.index("id")].value == customer.pk
        orders = openpyxl.load_workbook(io.BytesIO(archive.read("orders.xlsx"))).worksheets[0]
        order_rows = list(orders.iter_rows(values_only=True))
        assert order_rows[1][order_rows[0].index("total")] == -12.5
        entry = next(t for t in info["tables"] if t["name"] == "customers")
        assert entry["rows"] == 1 and entry["truncated_cells"] == 0


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_one_snapshot_outside_a_transaction(tmp_path, django_user_model):
    # Outside a test transaction the export opens its own read snapshot (REPEATABLE READ on PostgreSQL, a
    # deferred read transaction on SQLite) and must close it again.
    make_customer()
    target, _ = export(tmp_path)
    assert not connection.in_atomic_block
    with zipfile.ZipFile(target) as archive:
        assert manifest(archive)["tables"][6]["rows"] == 1
    Customer.objects.all().delete()  # a write works: no transaction or lock was left open


def test_it_refuses_to_overwrite_without_force_and_replaces_with_it(tmp_path, agent):
    target = tmp_path / "out.zip"
    target.write_bytes(b"previous backup")
    with pytest.raises(CommandError, match="already exists; pass --force"):
        export(tmp_path)
    assert target.read_bytes() == b"previous backup"
    export(tmp_path, "--force")
    assert zipfile.is_zipfile(target)
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "--user: there is no user named 'nobody'"),
        (["--format", "pdf"], "invalid choice: 'pdf'"),
        (["--chunk", "lots"], "--chunk must be a whole number"),
        (["--chunk", "5"], "--chunk must be between 100"),
    ],
)
def test_bad_arguments_give_one_line(tmp_path, args, message):
    with pytest.raises(CommandError) as caught:
        export(tmp_path, *args)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out.zip").exists()


def test_an_inactive_user_is_refused(tmp_path):
    gone = make_user(username="gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="'gone' is not active"):
        export(tmp_path, "--user", "gone")


@pytest.mark.parametrize(
    ("output", "message"),
    [("missing/out.zip", "does not exist"), ("out.csv", "must be a .zip"), (".", "is a folder")],
)
def test_a_bad_output_path_gives_one_line(tmp_path, monkeypatch, output, message):
    monkeypatch.chdir(tmp_path)
    if output == ".":
        output = str(tmp_path / "folder.zip")
        (tmp_path / "folder.zip").mkdir()
        message = "is a folder"
    with pytest.raises(CommandError, match=message):
        call_command("export", output, "--no-progress", stdout=StringIO())


def test_an_unwritable_folder_gives_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(CommandError, match="cannot be written to"):
            call_command("export", str(locked / "out.zip"), "--no-progress", stdout=StringIO())
    finally:
        locked.chmod(0o700)
