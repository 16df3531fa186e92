"""`rapport analytics fit`: the fitted parameters, the holdout check, and recovery of the generator's truth."""

import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from rapport.analytics.models import HoldoutCheck
from rapport.ops.seeding import seed_database

pytestmark = pytest.mark.django_db
END = datetime(2026, 1, 31, tzinfo=UTC)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_database(customers=1500, seed=11, end=END)


def test_fit_prints_one_json_object_with_every_model_and_the_holdout(seeded):
    out = StringIO()
    call_command("analytics", "fit", "--calibration-end", "2025-08-02", "--holdout-end", "2026-01-31", "--json",
                 stdout=out)
    result = json.loads(out.getvalue())
    assert result["customers"] > 1000
    assert set(result["bgnbd"]) >= {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(result["pareto_nbd"]) >= {"r", "alpha", "s", "beta", "log_likelihood"}
    assert set(result["gamma_gamma"]) >= {"p", "q", "gamma", "log_likelihood"}
    holdout = result["holdout"]
    assert set(holdout) >= {"actual_repeat_transactions", "predicted_repeat_transactions", "churn_auc",
                            "top_decile_lift", "rfm_auc", "models"}
    actual = holdout["actual_repeat_transactions"]
    assert abs(holdout["predicted_repeat_transactions"]["bgnbd"] - actual) < 0.15 * actual
    assert holdout["churn_auc"] > 0.75 and holdout["rfm_auc"] > 0.6
    assert set(holdout["models"]) == {"bgnbd", "pareto_nbd"}
    assert HoldoutCheck.objects.get().result["by_frequency"]["frequency"] == list(range(8))


def test_fit_recovers_the_generators_parameters(seeded):
    out = StringIO()
    call_command("analytics", "fit", "--calibration-end", "2026-01-31", "--json", stdout=out)
    result = json.loads(out.getvalue())
    truth = result["generator_truth"]
    # 1,500 customers: the estimates land within sampling error of the truth.
    assert result["bgnbd"]["r"] == pytest.approx(truth["r"], rel=0.35)
    assert result["bgnbd"]["r"] / result["bgnbd"]["alpha"] == pytest.approx(truth["r"] / truth["alpha"], rel=0.15)
    assert result["gamma_gamma"]["p"] == pytest.approx(truth["p"], rel=0.35)
    assert not HoldoutCheck.objects.exists()  # no holdout end, nothing kept


def test_fit_on_an_empty_database_says_so():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no orders"):
        call_command("analytics", "fit", "--calibration-end", date(2026, 1, 1).isoformat())
