"""Demo sales data: about a tenth of the customers get an opportunity, deterministic from the seed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rapport.customers.models import Customer
from rapport.ops.seed_sales import seed_sales
from rapport.ops.seeding import seed_database
from rapport.sales.choices import OpportunityStatus, StageKind
from rapport.sales.models import Lead, Opportunity, OpportunityStageChange, Pipeline
from rapport.sales.selectors import board, forecast, pipeline_get
from tests.factories import make_user

pytestmark = pytest.mark.django_db
END = datetime(2026, 1, 31, tzinfo=UTC)


@pytest.fixture
def run(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_database(customers=200, seed=5, end=END)


def test_seeding_adds_the_default_pipeline_and_opportunities_for_about_a_tenth(run):
    pipeline = Pipeline.objects.get(is_default=True)
    count = Opportunity.objects.count()
    assert 10 <= count <= 30
    assert Opportunity.objects.values("customer").distinct().count() == count
    assert OpportunityStageChange.objects.count() == count
    assert Lead.objects.exists() and not Lead.objects.filter(display_name="").exists()
    assert set(Opportunity.objects.values_list("pipeline", flat=True)) == {pipeline.pk}


def test_seeded_opportunities_are_consistent_with_their_stage_and_customer(run):
    for opp in Opportunity.objects.select_related("stage", "customer"):
        expected = {StageKind.OPEN: OpportunityStatus.OPEN, StageKind.WON: OpportunityStatus.WON,
                    StageKind.LOST: OpportunityStatus.LOST}[opp.stage.kind]
        assert opp.status == expected
        assert (opp.closed_at is not None) == (expected != OpportunityStatus.OPEN)
        assert bool(opp.close_reason) == (expected != OpportunityStatus.OPEN)
        assert opp.probability == opp.stage.probability and opp.amount > 0
        assert (opp.owner_id, opp.team_id) == (opp.customer.owner_id, opp.customer.team_id)
        opp.full_clean()  # what the services would have accepted


def test_the_same_seed_picks_the_same_customers_and_a_second_call_adds_nothing(run):
    first = list(Opportunity.objects.order_by("customer_id").values_list("customer_id", "stage_id", "amount"))
    assert seed_sales(seed=5).opportunities == 0
    Opportunity.objects.all().delete()
    Lead.objects.all().delete()
    again = seed_sales(seed=5)
    assert again.opportunities == len(first)
    assert list(Opportunity.objects.order_by("customer_id").values_list("customer_id", "stage_id", "amount")) == first


def test_the_seeded_board_and_forecast_read_back(run):
    owner = Customer.objects.filter(opportunities__isnull=False).values_list("owner", flat=True).first()
    user = make_user(role="admin", username="seed-admin")
    assert owner is not None
    columns = board(user=user, pipeline=pipeline_get(user=user)).columns
    assert sum(c.count for c in columns) >= Opportunity.objects.filter(status=OpportunityStatus.OPEN).count()
    assert forecast(user=user, months=12).months
