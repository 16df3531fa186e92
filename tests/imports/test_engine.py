"""The batch engine's promises: good rows always land, bad ones are reported, and a batch is reversible,
idempotent, resumable and all-or-nothing when asked."""

import csv
from pathlib import Path

import pytest
from django.db import connection

from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier, Tag
from rapport.customers.search import document_for
from rapport.customers.services import customer_create
from rapport.imports import registry
from rapport.imports.engine import run_rows
from rapport.imports.models import BatchStatus, ImportBatch, ImportChunk
from rapport.imports.services import batch_rollback, import_rows
from rapport.imports.sources import SourceError
from tests.imports.conftest import CUSTOMER_HEADERS, customer_row, run

pytestmark = pytest.mark.django_db


def report_rows(outcome):
    with Path(outcome.report).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_a_bad_row_never_stops_the_good_ones(var_dir):
    rows = [customer_row(n) for n in range(1, 13)]
    rows[2] = customer_row(3, Email="bob@")
    rows[5] = customer_row(6, Phone="12-34", **{"Birth date": "31/02/1990"})
    rows[8] = customer_row(9, **{"First name": "", "Last name": ""})
    rows[10] = customer_row(11, Country="Atlantis")
    out = run("customers", CUSTOMER_HEADERS, rows, chunk_size=4)
    assert dict(out.counts) == {"created": 8, "updated": 0, "unchanged": 0, "rejected": 4}
    assert Customer.objects.count() == 8
    assert out.batch.status == BatchStatus.COMPLETED and out.batch.rejected == 4
    report = report_rows(out)
    assert report[0] == ["line", "errors", *CUSTOMER_HEADERS]
    by_line = {r[0]: r for r in report[1:]}
    assert by_line["4"][1] == 'email: "bob@" is not an e-mail address'
    assert by_line["4"][2:7] == ["C0003", "Aminah3", "Yusof", "bob@", "'+60 12-345 0003"]
    assert 'phone: "12-34" is not a phone number' in by_line["7"][1]
    assert 'birth_date: "31/02/1990" is not a date' in by_line["7"][1]
    assert by_line["10"][1] == "last_name: a person needs a first or a last name"
    assert by_line["12"][1].startswith('country: "Atlantis" is not a country')
    assert out.report.parent == var_dir / "imports"


def test_the_report_neutralises_formulas_and_can_be_imported_again(var_dir):
    rows = [customer_row(1, Email="=HYPERLINK(1)", Phone="+60 12-345 6789")]
    out = run("customers", CUSTOMER_HEADERS, rows)
    report = report_rows(out)
    assert report[1][5] == "'=HYPERLINK(1)" and report[1][6] == "'+60 12-345 6789"
    # Fix the e-mail in the report and import the report itself: the added columns are ignored.
    fixed = [[*r[:5], "aminah@example.com", *r[6:]] for r in report[1:]]
    again = run("customers", report[0], fixed)
    assert again.counts["created"] == 1
    assert Customer.objects.get().primary_phone == "+60 12-345 6789"


def test_rerunning_the_same_file_changes_nothing(var_dir):
    rows = [customer_row(n) for n in range(1, 8)] + [customer_row(8, Email="bad@")]
    first = run("customers", CUSTOMER_HEADERS, rows, chunk_size=3)
    before = list(Customer.objects.order_by("pk").values())
    second = run("customers", CUSTOMER_HEADERS, rows, chunk_size=3)
    assert dict(second.counts) == {"created": 0, "updated": 0, "unchanged": 7, "rejected": 1}
    assert list(Customer.objects.order_by("pk").values()) == before
    assert ContactPoint.objects.count() == 14 and ExternalIdentifier.objects.count() == 7
    assert second.batch.chunks.filter(created_ids={}, before={}).count() == second.batch.chunks.count() == 3
    assert first.batch.created == 7


def test_rollback_deletes_what_the_batch_created(var_dir):
    existing = customer_create(first_name="Kept", last_name="Here")
    out = run("customers", CUSTOMER_HEADERS, [customer_row(n, Tags="vip, brand-new") for n in range(1, 6)],
              chunk_size=2)
    assert Customer.objects.count() == 6 and Tag.objects.filter(name="brand-new").exists()
    totals = batch_rollback(batch=out.batch)
    assert list(Customer.objects.all()) == [existing]
    assert ContactPoint.objects.count() == ExternalIdentifier.objects.count() == 0
    assert not Tag.objects.exists()  # created by the batch and used by nothing else any more
    assert totals["deleted"] >= 5
    out.batch.refresh_from_db()
    assert out.batch.status == BatchStatus.ROLLED_BACK and not out.batch.chunks.exists()


def test_rollback_restores_updated_rows(var_dir):
    run("customers", CUSTOMER_HEADERS, [customer_row(n) for n in range(1, 4)])
    original = {c.pk: (c.first_name, c.primary_email, c.version, c.search_document, c.updated_at)
                for c in Customer.objects.all()}
    changed = [customer_row(1, **{"First name": "Amina", "Email": "new@example.com"}), customer_row(2), customer_row(4)]
    second = run("customers", CUSTOMER_HEADERS, changed)
    assert dict(second.counts) == {"created": 1, "updated": 1, "unchanged": 1, "rejected": 0}
    amina = Customer.objects.get(first_name="Amina")
    assert amina.primary_email == "new@example.com" and amina.version == 2
    assert ContactPoint.objects.get(customer=amina, normalized="aminah1@example.com").is_primary is False
    batch_rollback(batch=second.batch)
    assert {c.pk: (c.first_name, c.primary_email, c.version, c.search_document, c.updated_at)
            for c in Customer.objects.all()} == original
    assert ContactPoint.objects.get(customer_id=amina.pk, normalized="aminah1@example.com").is_primary is True
    assert not ContactPoint.objects.filter(normalized="new@example.com").exists()


def test_a_batch_is_rolled_back_once(var_dir):
    out = run("customers", CUSTOMER_HEADERS, [customer_row(1)])
    batch_rollback(batch=out.batch)
    with pytest.raises(Exception, match="cannot be rolled back"):
        batch_rollback(batch=out.batch)


def test_strict_writes_nothing_if_any_row_is_bad(var_dir):
    rows = [customer_row(n) for n in range(1, 7)] + [customer_row(7, Email="x@")]
    out = run("customers", CUSTOMER_HEADERS, rows, strict=True, chunk_size=2)
    assert not Customer.objects.exists() and not ImportChunk.objects.exists()
    out.batch.refresh_from_db()
    assert out.batch.status == BatchStatus.REJECTED and out.batch.rejected == 1 and out.batch.created == 0
    assert len(report_rows(out)) == 2
    good = run("customers", CUSTOMER_HEADERS, rows[:6], strict=True, chunk_size=2)
    assert good.batch.status == BatchStatus.COMPLETED and Customer.objects.count() == 6


def test_a_dry_run_counts_and_reports_without_writing(var_dir):
    run("customers", CUSTOMER_HEADERS, [customer_row(1)])
    batches = ImportBatch.objects.count()
    rows = [customer_row(1, City="Ipoh"), customer_row(2), customer_row(3, Email="x@")]
    out = run("customers", CUSTOMER_HEADERS, rows, dry_run=True)
    assert dict(out.counts) == {"created": 1, "updated": 1, "unchanged": 0, "rejected": 1}
    assert out.first_errors == ['4: email: "x@" is not an e-mail address']
    assert out.report.exists() and out.report.name.startswith("dry-run-")
    assert Customer.objects.count() == 1 and Customer.objects.get().city == "Kuala Lumpur"
    assert ImportBatch.objects.count() == batches


def test_a_killed_import_resumes_after_the_last_chunk(var_dir, monkeypatch):
    rows = [customer_row(n) for n in range(1, 21)]
    rows[1] = customer_row(2, Email="bad@")
    rows[12] = customer_row(13, Email="worse@")
    entity = registry.get("customers")
    calls = {"n": 0}
    real = ImportChunk.objects.create

    def crash_on_third_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # after the chunk's rows and report lines were written, before it is recorded
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(ImportChunk.objects, "create", crash_on_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        run("customers", CUSTOMER_HEADERS, rows, chunk_size=5)
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and batch.chunks.count() == 2 and batch.rows_done == 10
    assert Customer.objects.count() == 9  # two chunks of five, one bad row; the third chunk left nothing
    monkeypatch.setattr(ImportChunk.objects, "create", real)

    def open_rows():
        from contextlib import nullcontext

        return nullcontext(enumerate(rows, start=2))

    out = run_rows(batch, CUSTOMER_HEADERS, open_rows, chunk_size=5)
    assert out.batch.status == BatchStatus.COMPLETED
    assert dict(out.counts) == {"created": 18, "updated": 0, "unchanged": 0, "rejected": 2}
    assert Customer.objects.count() == 18 and batch.chunks.count() == 4
    assert [r[0] for r in report_rows(out)[1:]] == ["3", "14"]  # the crashed chunk's line is there once
    assert entity.name == "customers"


def test_a_file_that_breaks_half_way_writes_nothing(var_dir):
    batch = ImportBatch.objects.create(entity="customers", source="shop", filename="x.csv", checksum="x",
                                       mapping={h: "" for h in CUSTOMER_HEADERS})
    from rapport.imports.headers import auto_map

    batch.mapping = auto_map(registry.get("customers"), CUSTOMER_HEADERS)
    batch.save()

    def rows():
        for n in range(1, 12):
            yield n + 1, customer_row(n)
        raise SourceError("Line 13 has 10,000 columns; the header has 9.", line=13)

    def open_rows():
        from contextlib import nullcontext

        return nullcontext(rows())

    with pytest.raises(SourceError):
        run_rows(batch, CUSTOMER_HEADERS, open_rows, chunk_size=4)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "10,000 columns" in batch.error
    assert not Customer.objects.exists() and not batch.chunks.exists()


def test_chunks_record_contiguous_id_ranges_that_are_never_reused(var_dir):
    first = run("customers", CUSTOMER_HEADERS, [customer_row(n) for n in range(1, 5)], chunk_size=2)
    ranges = [c.created_ids["customers_customer"] for c in first.batch.chunks.order_by("number")]
    assert ranges[0][1] + 1 == ranges[1][0] and ranges[1][1] - ranges[0][0] == 3
    top = Customer.objects.order_by("-pk").first()
    Customer.objects.filter(pk=top.pk).delete()  # the highest id is gone; a new batch must not take it again
    second = run("customers", CUSTOMER_HEADERS, [customer_row(9)])
    assert second.batch.chunks.get().created_ids["customers_customer"][0] > top.pk
    manual = customer_create(first_name="By", last_name="Hand")
    assert manual.pk > second.batch.chunks.get().created_ids["customers_customer"][1]


def test_imported_customers_read_back_like_service_written_ones(var_dir):
    run("customers", CUSTOMER_HEADERS, [customer_row(n, Tags="vip; newsletter") for n in range(1, 4)],
        source="crm")
    for customer in Customer.objects.all():
        customer.full_clean()
        assert set(document_for(customer).split()) == set(customer.search_document.split())
        assert customer.display_name == f"{customer.first_name} {customer.last_name}"
        assert customer.source == "crm" and customer.version == 1 and customer.created_at.tzinfo is not None
        assert {t.name for t in customer.tags.all()} == {"vip", "newsletter"}
        points = {p.kind: p for p in customer.contact_points.all()}
        assert points["email"].is_primary and customer.primary_email == points["email"].value
        assert points["phone"].normalized.startswith("+60") and customer.primary_phone == points["phone"].value
        assert customer.identifiers.get().source == "crm"
    if connection.vendor == "sqlite":
        from rapport.customers.search import search

        assert search(Customer.objects.all(), "aminah2").count() == 1


def test_import_rows_with_unknown_options_or_entity_is_refused(var_dir):
    with pytest.raises(Exception, match="Unknown import option"):
        import_rows(entity="customers", headers=CUSTOMER_HEADERS, rows=[], options={"fast": True})
    with pytest.raises(Exception, match="Unknown entity"):
        import_rows(entity="unicorns", headers=CUSTOMER_HEADERS, rows=[])
