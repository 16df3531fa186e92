"""What the web page builds on: a batch from an upload, a preview with the automatic mapping, a background
run with progress, the list of batches a user may see, the report, and the rollback."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from rapport.customers.models import Customer
from rapport.imports.headers import MappingError
from rapport.imports.models import BatchStatus, ImportMapping
from rapport.imports.selectors import (
    batch_get,
    batch_list,
    batch_preview,
    batch_progress,
    batch_report,
    entity_fields,
    import_entities,
)
from rapport.imports.services import (
    ImportError_,
    SourceError,
    batch_check,
    batch_create,
    batch_resume,
    batch_rollback,
    batch_run,
    batch_set_mapping,
    batch_start,
    import_file,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db
CSV = (
    "Symbol;Imię;Nazwisko;Adres e-mail;Telefon;Kraj;Notatki\n"
    "PL1;Łukasz;Wiśniewski;lukasz@przyklad.pl;512 345 678;PL;stały klient\n"
    "PL2;Zofia;Nowak;zofia@;512 345 679;PL;\n"
    "PL3;Piotr;Zieliński;piotr@przyklad.pl;512 345 670;PL;\n"
).encode("cp1250")


def upload(content=CSV, name="klienci.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_upload_becomes_a_pending_batch_with_an_automatic_mapping(var_dir, agent):
    batch = batch_create(entity="customers", file=upload(), source="stary-crm", user=agent)
    assert batch.status == BatchStatus.PENDING and batch.user == agent and batch.rows_total == 3
    assert batch.file_path.startswith(str(var_dir / "imports" / "uploads")) and len(batch.checksum) == 64
    assert batch.options["encoding"] and batch.options["delimiter"] == ";"
    assert batch.mapping == {"Symbol": "", "Imię": "first_name", "Nazwisko": "last_name",
                             "Adres e-mail": "email", "Telefon": "phone", "Kraj": "country", "Notatki": ""}
    preview = batch_preview(batch=batch, rows=2)
    assert preview.headers[1] == "Imię" and preview.rows[0][1][1] == "Łukasz" and len(preview.rows) == 2
    assert preview.guessed["Imię"] == "first_name" and preview.delimiter == ";"
    assert "external_id" in [f.name for f in preview.fields]


def test_the_mapping_is_edited_checked_and_remembered_for_the_source(var_dir, agent):
    batch = batch_create(entity="customers", file=upload(), source="stary-crm", user=agent)
    with pytest.raises(MappingError, match="identifies the customers"):
        batch_start(batch=batch, user=agent)
    with pytest.raises(MappingError, match="no field"):
        batch_set_mapping(batch=batch, mapping={"Notatki": "notes"}, user=agent)
    batch_set_mapping(batch=batch, mapping={**batch.mapping, "Symbol": "external_id"}, user=agent)
    outcome = batch_run(batch=batch)
    assert outcome.counts["created"] == 2 and outcome.counts["rejected"] == 1
    saved = ImportMapping.objects.get(source="stary-crm", entity="customers")
    assert saved.mapping["Symbol"] == "external_id"
    # Next time the same source's file maps by itself.
    second = batch_create(entity="customers", file=upload(), source="stary-crm", user=agent)
    assert second.mapping["Symbol"] == "external_id"


def test_a_batch_runs_as_a_background_job_and_reports_progress(var_dir, agent,
                                                                django_capture_on_commit_callbacks):
    batch = batch_create(entity="customers", file=upload(), source="x", user=agent,
                         mapping={"Symbol": "external_id"})
    assert batch_progress(batch=batch)["finished"] is False
    with django_capture_on_commit_callbacks(execute=True):
        batch_start(batch=batch, user=agent)
    progress = batch_progress(batch=batch)
    assert progress["status"] == BatchStatus.COMPLETED and progress["finished"] and progress["percent"] == 100
    assert progress["created"] == 2 and progress["rejected"] == 1 and progress["rows_done"] == 3
    assert progress["has_report"] and batch_report(batch=batch).read_text(encoding="utf-8-sig").count("\n") == 2
    with pytest.raises(ImportError_, match="already started"):
        batch_start(batch=batch, user=agent)
    assert Customer.objects.filter(owner=agent).count() == 2


def test_users_see_their_own_batches_and_admins_see_all(var_dir, agent, team, admin_user):
    other = make_user(role="agent", team=team)
    mine = batch_create(entity="customers", file=upload(), user=agent)
    theirs = batch_create(entity="customers", file=upload(), user=other)
    assert list(batch_list(user=agent)) == [mine]
    assert set(batch_list(user=admin_user)) == {mine, theirs}
    assert batch_get(user=agent, pk=mine.pk) == mine
    with pytest.raises(Http404):
        batch_get(user=agent, pk=theirs.pk)
    with pytest.raises(Http404):
        batch_get(user=agent, pk="nope")


def test_unreadable_files_make_no_batch(var_dir, agent):
    with pytest.raises(SourceError):
        batch_create(entity="customers", file=upload(b"", "empty.csv"), user=agent)
    with pytest.raises(SourceError):
        batch_create(entity="customers", file=upload(b"\x00\x01\x02binary" * 100, "x.csv"), user=agent)
    with pytest.raises(ImportError_, match="Unknown entity"):
        batch_create(entity="leads", file=upload(), user=agent)
    with pytest.raises(ImportError_, match="source system"):
        batch_create(entity="customers", file=upload(), source=" ", user=agent)


def test_a_changed_file_cannot_be_resumed(var_dir, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(CSV)
    outcome = import_file(entity="customers", path=path, mapping={"Symbol": "external_id"})
    batch = outcome.batch
    batch.status = BatchStatus.FAILED
    batch.save()
    path.write_bytes(CSV + "PL4;Jan;Nowy;jan@przyklad.pl;512 345 671;PL;\n".encode("cp1250"))
    with pytest.raises(ImportError_, match="checksum differs"):
        batch_resume(batch=batch, file=path)
    with pytest.raises(ImportError_, match="checksum differs"):
        batch_run(batch=batch)


def test_rollback_needs_a_writer(var_dir, agent, team):
    outcome = import_file(entity="customers", path=_write(var_dir), mapping={"Symbol": "external_id"})
    reader = make_user(role="read_only", team=team)
    with pytest.raises(Exception, match="may not import"):
        batch_rollback(batch=outcome.batch, user=reader)
    batch_rollback(batch=outcome.batch, user=agent)
    assert not Customer.objects.exists()


def test_the_page_can_list_entities_and_their_fields():
    names = [name for name, _label in import_entities()]
    assert {"customers", "contacts", "products", "orders", "interactions"} <= set(names)
    fields = {f.name: f for f in entity_fields("orders")}
    assert fields["external_id"].required and fields["sku"].line and not fields["total"].required


def _write(folder):
    path = folder / "c.csv"
    path.write_bytes(CSV)
    return path


def test_a_pending_batch_can_be_checked_first_without_writing(var_dir, agent):
    batch = batch_create(entity="customers", file=upload(), user=agent, mapping={"Symbol": "external_id"})
    outcome = batch_check(batch=batch)
    assert dict(outcome.counts) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert outcome.first_errors == ['3: email: "zofia@" is not an e-mail address'] and outcome.report.exists()
    assert not Customer.objects.exists() and batch.status == BatchStatus.PENDING and not batch.chunks.exists()
    assert batch_run(batch=batch).counts["created"] == 2


def test_an_xlsx_sheet_with_date_and_number_cells(var_dir, tmp_path):
    from datetime import datetime
    from decimal import Decimal

    from openpyxl import Workbook

    from rapport.commerce.models import Order

    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Imię", "Nazwisko", "Telefon", "Kraj", "Data urodzenia"])
    sheet.append([1001, "Zofia", "Nowak", 512345678, "PL", datetime(1985, 5, 3)])
    sheet.append([1002, "Piotr", "Zieliński", "512 345 679", "PL", 31171])  # an Excel serial: 1985-05-04
    path = tmp_path / "klienci.xlsx"
    book.save(path)
    outcome = import_file(entity="customers", path=path, source="erp")
    assert outcome.counts["created"] == 2, outcome.first_errors
    zofia = Customer.objects.get(identifiers__external_id="1001")
    assert str(zofia.birth_date) == "1985-05-03" and zofia.contact_points.get().normalized == "+48512345678"
    assert str(Customer.objects.get(identifiers__external_id="1002").birth_date) == "1985-05-04"

    book = Workbook()
    sheet = book.active
    sheet.append(["Order", "Customer", "Date", "Total", "Currency"])
    sheet.append(["Z1", 1001, datetime(2024, 3, 1, 14, 30), 1234.5, "PLN"])
    path = tmp_path / "zamowienia.xlsx"
    book.save(path)
    assert import_file(entity="orders", path=path, source="erp").counts["created"] == 1
    order = Order.objects.get()
    assert order.total == Decimal("1234.50") and order.customer == zofia and order.placed_at.hour == 14
