"""The import pages: upload, check the columns, run as a job with progress, read the report, roll back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rapport.customers.models import Customer
from rapport.imports.models import BatchStatus, ImportBatch
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIST = reverse("web:import-list")
CSV = (
    b"Customer ID,First name,Last name,E-mail,Phone,Country\n"
    b"C-1,Siti,Aminah,siti@example.my,+60 12-345 6789,MY\n"
    b"C-2,Jan,Kowalski,jan@,+48 601 234 567,PL\n"
    b"C-3,Dewi,Lestari,dewi@example.id,,ID\n"
)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _upload(client, content=CSV, name="people.csv", **extra):
    data = {"entity": "customers", "file": SimpleUploadedFile(name, content, "text/csv"), "source": "shop", **extra}
    return client.post(LIST, data)


def test_an_upload_shows_the_columns_matched_to_fields(client, agent):
    client.force_login(agent)
    response = _upload(client)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:import-detail", args=[batch.pk])
    page = client.get(response["Location"])
    chosen = {header: mapped for _i, header, mapped, _cells in page.context["columns"]}
    assert chosen["E-mail"] == "email" and chosen["First name"] == "first_name" and chosen["Customer ID"]
    assert "siti@example.my" in page.content.decode()
    assert not Customer.objects.exists()


def test_check_without_writing_reports_counts_and_the_bad_row(client, agent):
    client.force_login(agent)
    batch_url = _upload(client)["Location"]
    batch = ImportBatch.objects.get()
    page = client.get(batch_url)
    form = {f"col-{i}": mapped for i, _h, mapped, _c in page.context["columns"]}
    response = client.post(reverse("web:import-start", args=[batch.pk]), {**form, "action": "check"})
    assert response.status_code == 200
    check = response.context["check"]
    assert check["counts"]["created"] == 2 and check["counts"]["rejected"] == 1
    assert any("jan@" in e for e in check["errors"])
    assert not Customer.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PENDING


def test_an_import_runs_as_a_job_then_offers_its_report_and_a_rollback(
    client, agent, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    _upload(client)
    batch = ImportBatch.objects.get()
    columns = client.get(reverse("web:import-detail", args=[batch.pk])).context["columns"]
    form = {f"col-{i}": m for i, _h, m, _c in columns}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("web:import-start", args=[batch.pk]), {**form, "action": "start"})
    assert started.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMPLETED and (batch.created, batch.rejected) == (2, 1)
    assert set(Customer.objects.values_list("owner", flat=True)) <= {agent.pk, None}

    progress = client.get(reverse("web:import-progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true" and progress.context["progress"]["percent"] == 100

    report = client.get(reverse("web:import-report", args=[batch.pk]))
    assert report["Content-Type"].startswith("text/csv") and "attachment" in report["Content-Disposition"]
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "jan@" in text and "Siti" not in text

    client.post(reverse("web:import-rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ROLLED_BACK and not Customer.objects.exists()


def test_a_file_that_is_not_a_table_is_refused_by_the_file_field(client, agent):
    client.force_login(agent)
    response = _upload(client, content=b"\x00\x01\x02binary\x00", name="photo.csv")
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()
    empty = _upload(client, content=b"", name="empty.csv")
    assert empty.status_code == 400 and "file" in empty.context["form"].errors


def test_a_file_over_the_size_cap_is_refused_before_it_is_stored(client, agent, settings):
    settings.RAPPORT_IMPORT_MAX_BYTES = 50
    client.force_login(agent)
    response = _upload(client)
    assert response.status_code == 400 and "limit" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


def test_another_teams_import_is_a_404_and_readers_cannot_import(client, agent, team, other_team):
    client.force_login(agent)
    _upload(client)
    batch = ImportBatch.objects.get()
    client.force_login(make_user(role="agent", team=other_team))
    for name in ("web:import-detail", "web:import-progress", "web:import-report"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("web:import-rollback", args=[batch.pk])).status_code == 404
    reader = make_user(role="read_only", team=team)
    client.force_login(reader)
    assert client.get(LIST).context["form"] is None
    assert _upload(client).status_code == 403
