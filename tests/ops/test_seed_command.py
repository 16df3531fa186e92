"""``rapport seed``: a summary on success, one readable line on bad input."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.customers.models import Customer
from rapport.ops.models import SeedRun


@pytest.mark.django_db
def test_it_seeds_and_prints_a_summary(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed", "--customers", "40", "--seed", "3", "--end", "2026-01-31", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Seeded 40 customers" in text and "orders" in text and "customers/s" in text
    assert Customer.objects.count() == 40
    run = SeedRun.objects.get()
    assert run.seed == 3 and run.params["window_end"].startswith("2026-01-31")


@pytest.mark.django_db
def test_the_same_seed_and_end_make_the_same_customers(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed", "--customers", "15", "--seed", "4", "--end", "2026-01-31", "--no-progress", stdout=StringIO())
    first = list(Customer.objects.order_by("id").values_list("display_name", "primary_email", "lifecycle_stage"))
    Customer.objects.all().delete()
    call_command("seed", "--customers", "15", "--seed", "4", "--end", "2026-01-31", "--no-progress", stdout=StringIO())
    second = list(Customer.objects.order_by("id").values_list("display_name", "primary_email", "lifecycle_stage"))
    assert first == second


@pytest.mark.parametrize(("args", "message"), [
    (["--customers", "-5"], "--customers must be between 1"),
    (["--customers", "abc"], "--customers must be a whole number (got 'abc')"),
    (["--customers", "0"], "--customers must be between 1"),
    (["--customers", "1.5"], "--customers must be a whole number"),
    (["--customers", "10", "--seed", "x"], "--seed must be a whole number"),
    (["--customers", "10", "--end", "31/01/2026"], "--end must be a date like"),
])
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError) as error:
        call_command("seed", *args, stdout=StringIO())
    assert message in str(error.value)


def test_it_refuses_production_mode_without_force(settings):
    settings.DEMO = settings.TESTING = settings.DEBUG = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed", "--customers", "5", stdout=StringIO())


@pytest.mark.parametrize("value", ["-5", "abc"])
def test_the_cli_reports_bad_input_in_one_line(value, tmp_path):
    env = {**os.environ, "RAPPORT_MODE": "test", "RAPPORT_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "rapport.cli", "seed", "--customers", value, "--no-progress"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--customers" in lines[0], result.stderr
