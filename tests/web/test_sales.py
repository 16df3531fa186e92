"""The sales pages: leads, opportunities, the board and its moves, the forecast and the home panel."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from rapport.customers.models import Customer
from rapport.sales.choices import LeadStatus, OpportunityStatus
from rapport.sales.models import Lead, Opportunity
from rapport.sales.services import lead_create, opportunity_create, opportunity_move, pipeline_create
from rapport.web.views.sales import common
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def pipeline(db):
    return pipeline_create(name="Sales")


@pytest.fixture
def stages(pipeline):
    return {s.name: s for s in pipeline.stages.all()}


@pytest.fixture
def stranger(other_team):
    return make_user(role="agent", team=other_team, username="stranger")


@pytest.fixture
def mine(agent):
    return make_customer(owner=agent, first_name="Mine")


@pytest.fixture
def deal(pipeline, mine):
    return opportunity_create(customer=mine, name="Fleet renewal", amount="1000", currency="MYR")


@pytest.fixture
def hidden(pipeline, stranger):
    customer = make_customer(owner=stranger, first_name="Theirs")
    return opportunity_create(customer=customer, name="Their secret deal", amount="5", currency="MYR")


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def url(name, *args):
    return reverse(f"web:{name}", args=args)


# --- every page -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lead-list", "lead-create", "opportunity-list", "opportunity-create",
                                  "pipeline-board", "forecast"])
def test_every_sales_page_answers_and_marks_the_sales_menu(signed_in, deal, name):
    response = signed_in.get(url(name))
    assert response.status_code == 200
    assert response.context["nav"] == "sales"
    assert b'class="nav-link dropdown-toggle active"' in response.content


def test_the_pages_send_strangers_to_the_login_page(client, deal):
    for name, args in [("pipeline-board", ()), ("opportunity-detail", (deal.pk,)), ("sales-home-panel", ())]:
        response = client.get(url(name, *args))
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- visibility -------------------------------------------------------------------------------------------


def test_an_agent_never_reaches_another_teams_opportunity_or_lead(signed_in, stranger, deal, hidden):
    lead = lead_create(last_name="Their lead", owner=stranger)
    for name in ("opportunity-detail", "opportunity-edit"):
        assert signed_in.get(url(name, hidden.pk)).status_code == 404
    assert signed_in.post(url("opportunity-close", hidden.pk), {"outcome": "won", "reason": "x",
                                                               "version": 1}).status_code == 404
    assert signed_in.post(url("opportunity-move", hidden.pk), {"stage": hidden.stage_id, "version": 1},
                          **JSON).status_code == 404
    assert signed_in.get(url("lead-detail", lead.pk)).status_code == 404
    assert signed_in.get(url("lead-convert", lead.pk)).status_code == 404
    assert signed_in.post(url("lead-qualify", lead.pk)).status_code == 404
    assert signed_in.post(url("lead-disqualify", lead.pk), {"reason": "x"}).status_code == 404
    hidden.refresh_from_db()
    lead.refresh_from_db()
    assert hidden.version == 1 and lead.status == LeadStatus.NEW


def test_lists_board_picker_and_panel_show_only_what_the_agent_may_see(signed_in, stranger, deal, hidden):
    lead_create(last_name="Visible lead", owner=deal.owner)
    lead_create(last_name="Their lead", owner=stranger)
    pages = [url("opportunity-list"), url("lead-list"), url("pipeline-board"), url("sales-home-panel"),
             url("forecast")]
    for page in pages:
        content = signed_in.get(page).content.decode()
        assert "Their secret deal" not in content and "Their lead" not in content and "Theirs" not in content, page
        assert "MYR5.00" not in content
    picked = signed_in.get(url("sales-customer-picker") + "?customer_q=Theirs").content.decode()
    assert 'type="radio"' not in picked and "No customer matches" in picked
    assert "Fleet renewal" in signed_in.get(url("pipeline-board")).content.decode()
    assert "Visible lead" in signed_in.get(url("lead-list")).content.decode()


# --- leads ------------------------------------------------------------------------------------------------


def test_it_captures_a_lead(signed_in, agent):
    response = signed_in.post(url("lead-create"), {"first_name": "Siti", "last_name": "Rahman",
                                                   "email": "siti@example.com", "source": "referral"})
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == url("lead-detail", lead.pk)
    assert (lead.display_name, lead.owner, lead.team, lead.source) == ("Siti Rahman", agent, agent.team, "referral")


def test_a_bad_lead_form_comes_back_with_the_errors_beside_the_fields(signed_in):
    response = signed_in.post(url("lead-create"), {"email": "not-an-email", "phone": "123", "source": "bogus"})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_email_error"' in content and 'id="id_last_name_error"' in content
    assert 'id="id_source_error"' in content and 'value="123"' in content  # what was typed is kept
    assert not Lead.objects.exists()


def test_the_lead_list_filters_and_pages_by_keyset(signed_in, agent, monkeypatch):
    monkeypatch.setattr(common, "PAGE_SIZE", 2)
    for name in ("Alpha", "Beta", "Gamma"):
        lead_create(last_name=name, owner=agent)
    lead = Lead.objects.get(last_name="Beta")
    lead.status = LeadStatus.CONTACTED
    lead.save()
    first = signed_in.get(url("lead-list") + "?sort=display_name")
    assert [r.last_name for r in first.context["page"].rows] == ["Alpha", "Beta"]
    second = signed_in.get(url("lead-list") + first.context["page"].next_url)
    assert [r.last_name for r in second.context["page"].rows] == ["Gamma"] and second.context["page"].next_url is None
    contacted = signed_in.get(url("lead-list") + "?status=contacted&owner=me")
    assert [r.last_name for r in contacted.context["page"].rows] == ["Beta"]


def test_a_bad_filter_or_cursor_never_breaks_the_lead_list(signed_in, agent):
    lead_create(last_name="Alpha", owner=agent)
    response = signed_in.get(url("lead-list") + "?status=bogus&cursor=%%%")
    assert response.status_code == 400 and 'id="id_status_error"' in response.content.decode()
    assert [r.last_name for r in response.context["page"].rows] == ["Alpha"]
    assert signed_in.get(url("lead-list") + "?cursor=eyJvIjoxfQ").status_code == 200


def test_it_qualifies_and_disqualifies_a_lead_with_a_reason(signed_in, agent):
    lead = lead_create(last_name="Tan", owner=agent)
    response = signed_in.post(url("lead-disqualify", lead.pk), {"reason": ""})
    assert response.status_code == 400 and 'id="id_reason_error"' in response.content.decode()
    assert signed_in.post(url("lead-disqualify", lead.pk), {"reason": "No budget"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISQUALIFIED and lead.disqualify_reason == "No budget"
    assert signed_in.post(url("lead-qualify", lead.pk)).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def test_it_converts_a_lead_into_a_new_customer_and_an_opportunity(signed_in, agent, pipeline):
    lead = lead_create(first_name="Siti", last_name="Rahman", email="siti@example.com", owner=agent)
    response = signed_in.post(url("lead-convert", lead.pk), {
        "target": "new", "opportunity_name": "Coffee machines", "amount": "2500.50", "currency": "myr",
        "pipeline": pipeline.pk, "expected_close": "2030-05-01",
    })
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == url("opportunity-detail", opportunity.pk)
    assert opportunity.customer.display_name == "Siti Rahman" and opportunity.amount == Decimal("2500.50")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.converted_opportunity == opportunity


def test_converting_into_a_customer_the_agent_may_not_see_is_refused(signed_in, agent, stranger, pipeline):
    theirs = make_customer(owner=stranger, first_name="Theirs")
    lead = lead_create(last_name="Tan", owner=agent)
    before = Customer.objects.count()
    response = signed_in.post(url("lead-convert", lead.pk), {
        "target": "existing", "customer": theirs.pk, "amount": "0", "currency": "MYR", "pipeline": pipeline.pk,
    })
    assert response.status_code == 400 and "No such customer" in response.content.decode()
    assert Customer.objects.count() == before and not Opportunity.objects.exists()


def test_converting_into_an_existing_customer_links_it(signed_in, agent, mine, pipeline):
    lead = lead_create(last_name="Tan", owner=agent)
    response = signed_in.post(url("lead-convert", lead.pk), {
        "target": "existing", "customer": mine.pk, "amount": "10", "currency": "EUR", "pipeline": pipeline.pk,
    })
    assert response.status_code == 302
    assert Opportunity.objects.get().customer == mine


# --- opportunities ----------------------------------------------------------------------------------------


def test_the_customer_picker_searches_visible_customers(signed_in, mine):
    response = signed_in.get(url("sales-customer-picker") + "?customer_q=Mine")
    assert f'value="{mine.pk}"' in response.content.decode() and 'type="radio"' in response.content.decode()


def test_it_creates_an_opportunity_for_a_picked_customer(signed_in, agent, mine, stages):
    response = signed_in.post(url("opportunity-create"), {
        "customer": mine.pk, "name": "Fleet", "amount": "99.90", "currency": "MYR", "stage": stages["Proposal"].pk,
        "expected_close": "2030-01-31",
    })
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == url("opportunity-detail", opportunity.pk)
    assert (opportunity.stage, opportunity.probability, opportunity.owner) == (stages["Proposal"], 50, agent)


@pytest.mark.parametrize(("payload", "error"), [
    ({"customer": ""}, "customer_error"), ({"currency": "XYZ"}, "id_currency_error"),
    ({"amount": "abc"}, "id_amount_error"), ({"amount": "-5"}, "id_amount_error"),
    ({"name": ""}, "id_name_error"), ({"probability": "150"}, "id_probability_error"),
    ({"stage": "999999"}, "id_stage_error"), ({"expected_close": "31/31/2030"}, "id_expected_close_error"),
])
def test_a_bad_opportunity_form_names_the_field(signed_in, mine, pipeline, payload, error):
    valid = {"customer": mine.pk, "name": "Fleet", "amount": "10", "currency": "MYR"}
    response = signed_in.post(url("opportunity-create"), {**valid, **payload})
    assert response.status_code == 400 and f'id="{error}"' in response.content.decode()
    assert not Opportunity.objects.exists()


def test_an_opportunity_for_a_hidden_customer_is_refused(signed_in, stranger, pipeline):
    theirs = make_customer(owner=stranger, first_name="Theirs")
    response = signed_in.post(url("opportunity-create"), {"customer": theirs.pk, "name": "X", "amount": "1",
                                                          "currency": "MYR"})
    assert response.status_code == 400 and "No such customer" in response.content.decode()
    assert not Opportunity.objects.exists()


def test_the_opportunity_list_filters_and_sorts(signed_in, mine, stages, monkeypatch):
    monkeypatch.setattr(common, "PAGE_SIZE", 2)
    for name, amount in (("A", "30"), ("B", "10"), ("C", "20")):
        opportunity_create(customer=mine, name=name, amount=amount, currency="MYR")
    opportunity_move(opportunity=Opportunity.objects.get(name="C"), stage=stages["Proposal"])
    first = signed_in.get(url("opportunity-list") + "?sort=-amount")
    assert [o.name for o in first.context["page"].rows] == ["A", "C"]
    second = signed_in.get(url("opportunity-list") + first.context["page"].next_url)
    assert [o.name for o in second.context["page"].rows] == ["B"]
    staged = signed_in.get(url("opportunity-list") + f"?stage={stages['Proposal'].pk}&status=open&owner=me")
    assert [o.name for o in staged.context["page"].rows] == ["C"]
    assert signed_in.get(url("opportunity-list") + "?stage=abc&sort=password").status_code == 400


def test_the_inline_edit_swaps_in_a_form_and_saves_with_the_version(signed_in, deal):
    form = signed_in.get(url("opportunity-edit", deal.pk), **HTMX)
    assert form.status_code == 200 and 'name="version" value="1"' in form.content.decode()
    response = signed_in.post(url("opportunity-edit", deal.pk), {
        "name": "Fleet renewal 2030", "amount": "1500", "currency": "MYR", "probability": "40", "version": "1",
    }, **HTMX)
    assert response.status_code == 200 and "Fleet renewal 2030" in response.content.decode()
    assert json.loads(response["HX-Trigger"])["toast"]["level"] == "success"
    deal.refresh_from_db()
    assert (deal.amount, deal.probability, deal.version) == (Decimal("1500.00"), 40, 2)


def test_it_refuses_a_stale_edit_with_409_and_keeps_what_was_typed(signed_in, deal):
    opportunity_move(opportunity=deal, stage=deal.pipeline.stages.get(name="Proposal"))  # someone else: v2
    response = signed_in.post(url("opportunity-edit", deal.pk), {
        "name": "My careful rename", "amount": "1000", "currency": "MYR", "probability": "10", "version": "1",
    }, **HTMX)
    content = response.content.decode()
    assert response.status_code == 409 and 'value="My careful rename"' in content
    assert "Someone else changed this opportunity" in content and response["X-Rapport-Message"]
    deal.refresh_from_db()
    assert deal.name == "Fleet renewal" and deal.version == 2


def test_a_bad_inline_edit_is_400_with_the_error(signed_in, deal):
    response = signed_in.post(url("opportunity-edit", deal.pk), {
        "name": "", "amount": "1000", "currency": "ABC", "probability": "10", "version": "1"}, **HTMX)
    content = response.content.decode()
    assert response.status_code == 400 and 'id="id_name_error"' in content and 'id="id_currency_error"' in content


def test_closing_needs_a_reason_and_then_records_it(signed_in, deal):
    response = signed_in.post(url("opportunity-close", deal.pk), {"outcome": "lost", "reason": "", "version": 1})
    assert response.status_code == 400 and 'id="id_reason_error"' in response.content.decode()
    response = signed_in.post(url("opportunity-close", deal.pk), {"outcome": "lost", "reason": "Price", "version": 1})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == OpportunityStatus.LOST and deal.close_reason == "Price"
    detail = signed_in.get(url("opportunity-detail", deal.pk)).content.decode()
    assert "Price" in detail and "Lost" in detail


def test_a_stale_close_is_refused_with_409(signed_in, deal):
    response = signed_in.post(url("opportunity-close", deal.pk), {"outcome": "won", "reason": "Yes", "version": 7})
    assert response.status_code == 409 and "Someone else changed" in response.content.decode()


# --- the board and its moves ------------------------------------------------------------------------------


def test_the_board_shows_cards_in_their_stage_with_counts_and_totals(signed_in, deal, stages):
    content = signed_in.get(url("pipeline-board")).content.decode()
    column = content.split(f'data-stage-id="{stages["Qualification"].pk}" data-stage-kind')[1].split("</section>")[0]
    assert "Fleet renewal" in column and "MYR1,000.00" in column and 'data-count title' in column
    assert f'id="card-{deal.pk}"' in column and 'data-version="1"' in column
    assert f'for="move-{deal.pk}"' in column  # the keyboard way: a labelled "Move to" menu


def test_it_moves_a_card_and_answers_the_new_version_and_column_totals(signed_in, deal, stages):
    response = signed_in.post(url("opportunity-move", deal.pk), {"stage": stages["Proposal"].pk, "version": 1},
                              **JSON)
    body = response.json()
    assert response.status_code == 200 and body["version"] == 2 and body["stage"] == stages["Proposal"].pk
    assert body["columns"][str(stages["Proposal"].pk)] == {"count": "1", "totals": "MYR1,000.00"}
    assert body["columns"][str(stages["Qualification"].pk)] == {"count": "0", "totals": "—"}


def test_it_refuses_a_stale_move(signed_in, deal, stages):
    opportunity_move(opportunity=deal, stage=stages["Negotiation"])
    response = signed_in.post(url("opportunity-move", deal.pk), {"stage": stages["Proposal"].pk, "version": 1},
                              **JSON)
    assert response.status_code == 409 and response.json()["field"] == "version"
    assert "Someone else" in response.json()["message"] and response["X-Rapport-Message"]
    deal.refresh_from_db()
    assert deal.stage == stages["Negotiation"]


def test_a_move_to_lost_needs_a_reason(signed_in, deal, stages):
    response = signed_in.post(url("opportunity-move", deal.pk), {"stage": stages["Lost"].pk, "version": 1}, **JSON)
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = signed_in.post(url("opportunity-move", deal.pk),
                              {"stage": stages["Lost"].pk, "version": 1, "reason": "Too dear"}, **JSON)
    assert response.status_code == 200 and response.json()["status"] == "lost"


@pytest.mark.parametrize("payload", [{"stage": "x", "version": 1}, {"stage": 999999, "version": 1},
                                     {"version": 1}, {"stage": "STAGE", "version": "x"}, {"stage": "STAGE"}])
def test_a_malformed_move_is_a_400_not_a_500(signed_in, deal, stages, payload):
    payload = {k: (stages["Proposal"].pk if v == "STAGE" else v) for k, v in payload.items()}
    response = signed_in.post(url("opportunity-move", deal.pk), payload, **JSON)
    assert response.status_code == 400 and response.json()["message"]


def test_a_reader_may_see_the_board_but_not_move(client, team, deal, stages):
    reader = make_user(role="read_only", team=team)
    client.force_login(reader)
    content = client.get(url("pipeline-board")).content.decode()
    assert "Fleet renewal" in content and 'class="card-move' not in content and "board.js" not in content
    response = client.post(url("opportunity-move", deal.pk), {"stage": stages["Proposal"].pk, "version": 1}, **JSON)
    assert response.status_code == 403
    assert client.get(url("opportunity-create")).status_code == 403


def test_the_move_menu_works_without_javascript(signed_in, deal, stages):
    response = signed_in.post(url("opportunity-move", deal.pk), {"stage": stages["Proposal"].pk, "version": 1})
    assert response.status_code == 302 and response["Location"].startswith(url("pipeline-board"))
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]


def test_the_board_and_list_cost_the_same_queries_for_one_card_or_many(signed_in, agent, deal,
                                                                     django_assert_max_num_queries):
    pages = [url("pipeline-board"), url("opportunity-list"), url("lead-list"), url("sales-home-panel")]
    lead_create(last_name="One", owner=agent)
    baseline = {}
    for page in pages:
        with django_assert_max_num_queries(10) as one:
            assert signed_in.get(page).status_code == 200
        baseline[page] = len(one.captured_queries)
    for i in range(25):
        opportunity_create(customer=make_customer(owner=agent), name=f"Deal {i}", amount="10", currency="MYR")
        lead_create(last_name=f"Lead {i}", owner=agent)
    for page in pages:
        with django_assert_max_num_queries(baseline[page]):
            signed_in.get(page)


def test_the_pipeline_picker_shows_another_pipeline_and_404s_an_unknown_one(signed_in, mine, pipeline):
    other = pipeline_create(name="Renewals")
    opportunity_create(customer=mine, name="Renewal 2030", currency="MYR", pipeline=other)
    content = signed_in.get(url("pipeline-board") + f"?pipeline={other.pk}").content.decode()
    assert "Renewal 2030" in content and 'id="pipeline-picker"' in content
    assert signed_in.get(url("pipeline-board") + "?pipeline=999999").status_code == 404


# --- forecast and home panel ------------------------------------------------------------------------------


def test_the_forecast_page_shows_weighted_and_won_amounts(signed_in, mine, stages):
    from django.utils import timezone

    opportunity_create(customer=mine, name="Soon", amount="1000", currency="MYR", expected_close=timezone.localdate())
    response = signed_in.get(url("forecast") + "?months=3")
    content = response.content.decode()
    assert response.status_code == 200 and "MYR100.00" in content and 'id="chart-MYR"' in content
    assert "chart.umd.min.js" in content and 'id="forecast-data"' in content
    assert signed_in.get(url("forecast") + "?months=1000&pipeline=x").status_code == 400


def test_the_home_panel_lists_my_open_opportunities_by_stage(signed_in, deal):
    response = signed_in.get(url("sales-home-panel"), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert "Qualification" in content and "MYR1,000.00" in content


def test_the_create_form_can_start_with_a_visible_customer_picked(signed_in, mine, stranger, pipeline):
    content = signed_in.get(url("opportunity-create") + f"?customer={mine.pk}").content.decode()
    assert f'value="{mine.pk}"' in content and "checked" in content and "Mine Lovelace" in content
    theirs = make_customer(owner=stranger, first_name="Theirs")
    content = signed_in.get(url("opportunity-create") + f"?customer={theirs.pk}").content.decode()
    assert "Theirs" not in content
