"""`rapport dedupe`: run, report counts; `--evaluate` measures on generated data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rapport.dedupe.models import DedupeRun, DuplicatePair


@pytest.mark.django_db
def test_it_runs_and_prints_counts(twins):
    out = StringIO()
    call_command("dedupe", "--threshold", "0.8", stdout=out)
    assert "2 customers, 1 likely duplicate pairs (1 new) at probability >= 0.8" in out.getvalue()
    assert DedupeRun.objects.get().threshold == 0.8
    assert DuplicatePair.objects.count() == 1


def test_evaluate_prints_precision_and_recall_without_touching_the_database():
    out = StringIO()
    call_command("dedupe", "--evaluate", "--size", "400", stdout=out)
    text = out.getvalue()
    assert "400 records" in text and "precision" in text and "recall" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--threshold", "2"], "--threshold must be between"),
    (["--threshold", "high"], "--threshold must be a number"),
    (["--evaluate", "--size", "-5"], "--size must be between"),
])
def test_a_bad_value_is_one_clear_line(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("dedupe", *args)
