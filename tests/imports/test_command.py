"""``rapport import``: the counts and the report's location, the batch actions, and one-line mistakes."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from benchmarks.imports import generate_csv
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.customers.models import Customer
from rapport.imports.models import BatchStatus, ImportBatch
from tests.factories import make_user
from tests.imports.conftest import CUSTOMER_HEADERS, customer_row

ROOT = Path(__file__).resolve().parents[2]


def write_csv(folder, rows, name="customers.csv"):
    path = folder / name
    lines = [",".join(CUSTOMER_HEADERS)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rapport(*args):
    out = StringIO()
    call_command("import", *args, "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_prints_the_counts_the_report_and_how_to_undo(var_dir):
    path = write_csv(var_dir, [customer_row(1), customer_row(2, Email="bob@")])
    text = rapport("customers", str(path), "--source", "shop")
    batch = ImportBatch.objects.get()
    assert f"Batch {batch.pk}: customers from customers.csv (source 'shop'): 1 created, 0 updated, 0 unchanged, " \
           "1 rejected." in text
    assert f"Rejected rows and the reasons: {var_dir / 'imports'}" in text
    assert 'line 3: email: "bob@" is not an e-mail address' in text
    assert f"rapport import --rollback {batch.pk}" in text
    assert "completed    customers    shop" in rapport("--list")
    assert "Rolled back batch" in rapport("--rollback", str(batch.pk))
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_map_dry_run_strict_and_user(var_dir, agent):
    path = write_csv(var_dir, [customer_row(1), customer_row(2, Country="Atlantis")])
    text = rapport("customers", str(path), "--dry-run", "--map", "Tags=", "--user", "agent")
    assert "Dry run, nothing was written" in text and "1 created" in text and not Customer.objects.exists()
    text = rapport("customers", str(path), "--strict")
    assert "nothing was written (--strict) because 1 rows were rejected" in text and not Customer.objects.exists()
    rapport("customers", str(path), "--user", "agent", "--map", "Tags=")
    customer = Customer.objects.get()
    assert customer.owner == agent and not customer.tags.exists()


@pytest.mark.django_db
def test_orders_with_create_missing_and_a_region(var_dir):
    path = var_dir / "orders.csv"
    path.write_text("Order,Customer,Date,Total,Currency\nO1,C77,2024-01-02,10.00,MYR\n", encoding="utf-8")
    assert "1 rejected" in rapport("orders", str(path))
    text = rapport("orders", str(path), "--create-missing", "--region", "my")
    assert "1 created" in text and "1 customers created" in text


@pytest.mark.django_db
def test_fields_lists_what_can_be_mapped():
    text = rapport("--fields", "customers")
    assert "external_id" in text and "birth_date" in text and "imię" in text and 'דוא"ל' in text


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    ([], "give the ENTITY and the FILE"),
    (["customers"], "give the ENTITY and the FILE"),
    (["unicorns", "x.csv"], "unknown entity 'unicorns'; choose one of: contacts, customers"),
    (["customers", "/nowhere/x.csv"], "there is no file at /nowhere/x.csv"),
    (["customers", "{file}", "--chunk-size", "lots"], "--chunk-size must be a whole number"),
    (["customers", "{file}", "--delimiter", "::"], "--delimiter must be one character"),
    (["customers", "{file}", "--time-zone", "Mars/Olympus"], "--time-zone must be a zone name"),
    (["customers", "{file}", "--user", "ghost"], "there is no user 'ghost'"),
    (["customers", "{file}", "--map", "Nope=email"], 'the file has no column "Nope"'),
    (["customers", "{file}", "--map", "Email=mail"], 'customers have no field "mail"'),
    (["customers", "{file}", "--map", "no equals"], '--map takes "Column header=field"'),
    (["customers", "{file}", "--map", "Customer ID="], "no column identifies the customers"),
    (["--rollback", "999"], "there is no import batch 999"),
    (["--rollback", "x"], "the batch id must be a whole number"),
    (["--resume", "1", "--rollback", "1"], "--resume and --rollback cannot be combined"),
    (["--fields"], "--fields needs an entity"),
])
def test_mistakes_are_one_clear_line(var_dir, args, message):
    path = write_csv(var_dir, [customer_row(1)])
    with pytest.raises(CommandError) as caught:
        rapport(*[a.replace("{file}", str(path)) for a in args])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.django_db
def test_a_finished_batch_cannot_be_resumed_and_a_rolled_back_one_not_rolled_back_again(var_dir):
    path = write_csv(var_dir, [customer_row(1)])
    rapport("customers", str(path))
    batch = ImportBatch.objects.get()
    with pytest.raises(CommandError, match="cannot be resumed"):
        rapport("--resume", str(batch.pk))
    rapport("--rollback", str(batch.pk))
    with pytest.raises(CommandError, match="cannot be rolled back"):
        rapport("--rollback", str(batch.pk))


@pytest.mark.django_db
def test_a_read_only_user_is_refused(var_dir, team):
    make_user(role="read_only", team=team, username="reader")
    path = write_csv(var_dir, [customer_row(1)])
    with pytest.raises(CommandError, match=r"You may not import data\."):
        rapport("customers", str(path), "--user", "reader")


# --- the real thing, in a process of its own -----------------------------------------------------------


def cli(var_dir, *args, wait=True):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL"}}
    env.update({"RAPPORT_MODE": "demo", "RAPPORT_VAR_DIR": str(var_dir)})
    command = [sys.executable, "-m", "rapport.cli", *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    assert cli(folder, "migrate", "-v0").returncode == 0
    return folder


def test_a_missing_file_or_bad_entity_is_one_line_without_a_traceback(migrated):
    for args, text in ((["import", "customers", "/nowhere.csv"], "there is no file at /nowhere.csv"),
                       (["import", "unicorns", "x.csv"], "unknown entity"),
                       (["import", "customers", "x.csv", "--bogus"], "unrecognized arguments: --bogus")):
        result = cli(migrated, *args)
        assert result.returncode != 0 and "Traceback" not in result.stderr and text in result.stderr
        assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 2


def test_a_binary_file_is_refused_in_one_line(migrated):
    path = migrated / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50)
    result = cli(migrated, "import", "customers", str(path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1


@pytest.mark.slow
def test_a_killed_import_resumes_after_the_last_chunk_for_real(migrated):
    path = migrated / "big.csv"
    made = generate_csv(path, 20_000)
    database = migrated / "rapport.sqlite3"
    process = cli(migrated, "import", "customers", str(path), "--chunk-size", "500", "--no-progress", wait=False)
    deadline = time.monotonic() + 120
    chunks = 0
    while time.monotonic() < deadline and chunks < 4:
        time.sleep(0.05)
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
            chunks = db.execute("SELECT COUNT(*) FROM imports_importchunk").fetchone()[0]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with sqlite3.connect(database) as db:
        batch_id, status = db.execute("SELECT id, status FROM imports_importbatch").fetchone()
        committed, created = db.execute("SELECT SUM(rows), SUM(created) FROM imports_importchunk").fetchone()
        customers = db.execute("SELECT COUNT(*) FROM customers_customer").fetchone()[0]
    assert status == "running" and 0 < committed < 20_000
    assert customers == created  # whole chunks only: nothing of the chunk being written when killed
    result = cli(migrated, "import", "--resume", str(batch_id), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert f"Batch {batch_id}:" in result.stdout
    with sqlite3.connect(database) as db:
        status, done, created, rejected = db.execute(
            "SELECT status, rows_done, created, rejected FROM imports_importbatch").fetchone()
        customers = db.execute("SELECT COUNT(*) FROM customers_customer").fetchone()[0]
        report = db.execute("SELECT report_path FROM imports_importbatch").fetchone()[0]
    assert (status, done, rejected) == (BatchStatus.COMPLETED, 20_000, made["bad"])
    assert customers == created == 20_000 - made["bad"]
    lines = Path(report).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == made["bad"] + 1  # each rejected row once, whatever the kill left in the file


@pytest.mark.django_db
def test_an_empty_file_or_one_without_a_header_is_one_line(var_dir):
    empty = var_dir / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError) as caught:
        rapport("customers", str(empty))
    assert "\n" not in str(caught.value) and str(caught.value)
    assert not ImportBatch.objects.exists()
