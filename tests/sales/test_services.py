"""Writes: pipelines, the lead's life (qualify, disqualify, convert), opportunity moves with history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from rapport.customers.models import Customer
from rapport.sales.choices import LeadStatus, OpportunityStatus, StageKind
from rapport.sales.models import Opportunity, OpportunityStageChange, Pipeline
from rapport.sales.services import (
    StageSpec,
    StaleEditError,
    lead_convert,
    lead_create,
    lead_disqualify,
    lead_qualify,
    lead_update,
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_update,
    opportunity_win,
    pipeline_create,
)
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_a_new_pipeline_gets_the_usual_stages_and_becomes_the_default(pipeline):
    stages = list(pipeline.stages.order_by("position").values_list("name", "probability", "kind"))
    assert stages == [
        ("Qualification", 10, "open"), ("Needs analysis", 25, "open"), ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost"),
    ]
    assert pipeline.is_default


def test_a_second_default_pipeline_replaces_the_first(pipeline):
    other = pipeline_create(name="Renewals", stages=[StageSpec("Due", 50), StageSpec("Renewed", 100, "won")],
                            is_default=True)
    assert list(Pipeline.objects.filter(is_default=True)) == [other]
    assert pipeline_create(name="Third").is_default is False


def test_it_refuses_a_pipeline_without_an_open_stage(db):
    with pytest.raises(ValidationError) as error:
        pipeline_create(name="Odd", stages=[StageSpec("Won", 100, StageKind.WON)])
    assert "stages" in error.value.message_dict


def test_it_creates_an_opportunity_in_the_first_stage_with_the_customers_team(pipeline, stages, agent, mine):
    opp = opportunity_create(customer=mine, name="Fleet deal", amount="1200.505", currency="myr", by=agent)
    assert opp.stage == stages["Qualification"] and opp.probability == 10
    assert opp.amount == Decimal("1200.51") and opp.currency == "MYR"
    assert opp.owner == agent and opp.team == agent.team and opp.status == OpportunityStatus.OPEN
    assert opp.version == 1
    assert list(opp.stage_changes.values_list("from_stage", "to_stage")) == [(None, stages["Qualification"].pk)]


def test_it_refuses_a_stage_of_another_pipeline(pipeline, mine):
    other = pipeline_create(name="Other")
    with pytest.raises(ValidationError) as error:
        opportunity_create(customer=mine, name="X", currency="MYR", pipeline=pipeline,
                           stage=other.stages.first())
    assert "stage" in error.value.message_dict


@pytest.mark.parametrize(("field", "value"), [("currency", "XYZ"), ("probability", 101), ("name", "")])
def test_it_names_the_bad_opportunity_field(pipeline, mine, field, value):
    values = {"name": "Deal", "currency": "MYR", "probability": 20, **{field: value}}
    with pytest.raises(ValidationError) as error:
        opportunity_create(customer=mine, amount="10", **values)
    assert field in error.value.message_dict
    assert not Opportunity.objects.exists()


def test_it_moves_an_opportunity_and_records_who_moved_it(pipeline, stages, agent, mine):
    opp = opportunity_create(customer=mine, name="Deal", amount="100", currency="MYR")
    moved = opportunity_move(opportunity=opp, stage=stages["Proposal"], expected_version=1, by=agent)
    assert moved.stage == stages["Proposal"] and moved.probability == 50 and moved.version == 2
    change = OpportunityStageChange.objects.filter(opportunity=opp).order_by("-id").first()
    assert (change.from_stage, change.to_stage, change.changed_by) == (stages["Qualification"], stages["Proposal"],
                                                                       agent)


def test_it_refuses_a_stale_move(pipeline, stages, mine):
    opp = opportunity_create(customer=mine, name="Deal", amount="100", currency="MYR")
    opportunity_move(opportunity=Opportunity.objects.get(pk=opp.pk), stage=stages["Proposal"], expected_version=1)
    with pytest.raises(StaleEditError) as error:
        opportunity_move(opportunity=opp, stage=stages["Negotiation"], expected_version=1)
    assert error.value.field == "version"
    opp.refresh_from_db()
    assert opp.stage == stages["Proposal"] and opp.stage_changes.count() == 2


def test_moving_to_won_needs_a_reason_and_closes_it(pipeline, stages, mine):
    opp = opportunity_create(customer=mine, name="Deal", amount="100", currency="MYR")
    with pytest.raises(ValidationError) as error:
        opportunity_move(opportunity=opp, stage=stages["Won"], expected_version=1)
    assert "reason" in error.value.message_dict
    opp.refresh_from_db()
    assert opp.status == OpportunityStatus.OPEN and opp.version == 1
    won = opportunity_move(opportunity=opp, stage=stages["Won"], expected_version=1, reason="Best price")
    assert won.status == OpportunityStatus.WON and won.closed_at is not None and won.close_reason == "Best price"
    assert won.probability == 100


def test_reopening_a_lost_opportunity_clears_the_close(pipeline, stages, mine):
    opp = opportunity_create(customer=mine, name="Deal", amount="100", currency="MYR")
    opp = opportunity_lose(opportunity=opp, reason="Went elsewhere")
    assert opp.status == OpportunityStatus.LOST and opp.stage == stages["Lost"]
    opp = opportunity_move(opportunity=opp, stage=stages["Proposal"])
    assert opp.status == OpportunityStatus.OPEN and opp.closed_at is None and opp.close_reason == ""
    assert list(opp.stage_changes.order_by("id").values_list("reason", flat=True)) == ["", "Went elsewhere", ""]


def test_win_goes_to_the_won_stage(pipeline, stages, mine):
    opp = opportunity_win(
        opportunity=opportunity_create(customer=mine, name="Deal", currency="MYR"), reason="Signed"
    )
    assert opp.stage == stages["Won"] and opp.status == OpportunityStatus.WON


def test_it_refuses_a_stale_edit_and_keeps_the_other_change(pipeline, mine):
    opp = opportunity_create(customer=mine, name="Deal", amount="100", currency="MYR")
    opportunity_update(opportunity=Opportunity.objects.get(pk=opp.pk), data={"amount": "200"}, expected_version=1)
    with pytest.raises(StaleEditError):
        opportunity_update(opportunity=opp, data={"name": "Mine now"}, expected_version=1)
    opp.refresh_from_db()
    assert (opp.name, opp.amount, opp.version) == ("Deal", Decimal("200.00"), 2)


def test_an_edit_may_not_change_the_stage(pipeline, stages, mine):
    opp = opportunity_create(customer=mine, name="Deal", currency="MYR")
    with pytest.raises(ValidationError) as error:
        opportunity_update(opportunity=opp, data={"stage": stages["Won"]})
    assert "stage" in error.value.message_dict


def test_a_lead_needs_a_name_and_a_valid_email(agent):
    with pytest.raises(ValidationError) as error:
        lead_create(email="x@example.com", owner=agent)
    assert "last_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lead_create(last_name="Tan", email="not-an-email", owner=agent)
    assert "email" in error.value.message_dict


def test_a_lead_takes_its_owners_team_and_a_display_name(agent):
    lead = lead_create(first_name="Siti", last_name="Rahman", organisation_name="Kopi Co", owner=agent)
    assert lead.team == agent.team and lead.display_name == "Siti Rahman (Kopi Co)"
    assert lead.status == LeadStatus.NEW


def test_disqualifying_a_lead_needs_a_reason(agent):
    lead = lead_create(last_name="Tan", owner=agent)
    with pytest.raises(ValidationError) as error:
        lead_disqualify(lead=lead, reason="  ")
    assert "reason" in error.value.message_dict
    lead = lead_disqualify(lead=lead, reason="No budget")
    assert lead.status == LeadStatus.DISQUALIFIED and lead.disqualify_reason == "No budget"
    lead = lead_qualify(lead=lead)
    assert lead.status == LeadStatus.QUALIFIED and lead.disqualify_reason == ""


def test_converting_a_lead_creates_a_customer_and_an_opportunity(pipeline, stages, agent):
    lead = lead_create(first_name="Siti", last_name="Rahman", email="siti@example.com", phone="+60 12 345 6789",
                       owner=agent)
    result = lead_convert(lead=lead, opportunity_name="Coffee machines", amount="5000", currency="MYR", by=agent)
    customer = result.customer
    assert customer.display_name == "Siti Rahman" and customer.primary_email == "siti@example.com"
    assert customer.owner == agent and customer.team == agent.team
    assert result.opportunity.customer == customer and result.opportunity.amount == Decimal("5000.00")
    assert result.opportunity.stage == stages["Qualification"]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.converted_customer == customer
    assert lead.converted_opportunity == result.opportunity and lead.converted_at is not None
    with pytest.raises(ValidationError):
        lead_convert(lead=lead, currency="MYR")
    with pytest.raises(ValidationError):
        lead_update(lead=lead, data={"notes": "changed"})


def test_converting_a_lead_into_an_existing_customer_creates_no_customer(pipeline, agent):
    existing = make_customer(owner=agent, kind="organisation", organisation_name="Kopi Co", first_name="",
                             last_name="")
    lead = lead_create(organisation_name="Kopi Co", owner=agent)
    before = Customer.objects.count()
    result = lead_convert(lead=lead, customer=existing, currency="MYR")
    assert Customer.objects.count() == before and result.customer == existing
    assert result.opportunity.name == "Kopi Co"


def test_a_failed_conversion_leaves_nothing_behind(pipeline, agent):
    lead = lead_create(last_name="Tan", owner=agent)
    before = Customer.objects.count()
    with pytest.raises(ValidationError) as error:
        lead_convert(lead=lead, currency="XYZ")
    assert "currency" in error.value.message_dict
    assert Customer.objects.count() == before and not Opportunity.objects.exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_a_disqualified_lead_is_not_converted(pipeline, agent):
    lead = lead_disqualify(lead=lead_create(last_name="Tan", owner=agent), reason="Spam")
    with pytest.raises(ValidationError) as error:
        lead_convert(lead=lead, currency="MYR")
    assert "status" in error.value.message_dict
