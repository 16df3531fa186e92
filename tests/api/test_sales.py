"""/api/v1/leads/, /api/v1/opportunities/ (with move) and /api/v1/pipelines/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.sales.models import Lead, Opportunity
from rapport.sales.services import lead_create, opportunity_create, pipeline_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db):
    return pipeline_create(name="Sales")


@pytest.fixture
def stages(pipeline):
    return {s.name: s for s in pipeline.stages.all()}


@pytest.fixture
def deal(pipeline, mine):
    return opportunity_create(customer=mine, name="Fleet", amount="1000", currency="MYR")


def test_every_signed_in_user_reads_the_pipelines_with_their_stages(api, reader, agent, pipeline):
    rows = api.as_user(reader).get("/api/v1/pipelines/").json()["results"]
    assert [r["name"] for r in rows] == ["Sales"]
    assert [(s["name"], s["probability"], s["kind"]) for s in rows[0]["stages"]][-2:] == [
        ("Won", 100, "won"), ("Lost", 0, "lost")
    ]
    assert api.as_user(agent).post("/api/v1/pipelines/", {"name": "X"}, format="json").status_code == 405


def test_it_creates_an_opportunity_in_the_default_pipeline(api, agent, pipeline, stages, mine):
    response = api.as_user(agent).post(
        "/api/v1/opportunities/",
        {"customer": mine.pk, "name": "Fleet", "amount": "1200.50", "currency": "myr", "expected_close": "2030-01-31"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["stage"], body["probability"], body["amount"], body["currency"], body["status"], body["version"]) == (
        stages["Qualification"].pk, 10, "1200.50", "MYR", "open", 1
    )
    assert body["owner"] == agent.pk and body["team"] == agent.team_id


@pytest.mark.parametrize(("payload", "field"), [
    ({"customer": 999_999}, "customer"), ({"currency": "XYZ"}, "currency"), ({"amount": "-1"}, "amount"),
    ({"probability": 101}, "probability"), ({"name": ""}, "name"), ({"amount": "1.005"}, "amount"),
])
def test_it_names_the_bad_opportunity_field(api, agent, pipeline, mine, payload, field):
    valid = {"customer": mine.pk, "name": "Deal", "amount": "10", "currency": "MYR"}
    response = api.as_user(agent).post("/api/v1/opportunities/", {**valid, **payload}, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Opportunity.objects.exists()


def test_a_customer_the_caller_may_not_see_is_refused_like_a_missing_one(api, agent, pipeline, theirs):
    response = api.as_user(agent).post(
        "/api/v1/opportunities/", {"customer": theirs.pk, "name": "X", "currency": "MYR"}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()


def test_it_moves_an_opportunity_and_bumps_its_version(api, agent, deal, stages):
    response = api.as_user(agent).post(
        f"/api/v1/opportunities/{deal.pk}/move/", {"stage": stages["Proposal"].pk, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["stage"], response.json()["probability"], response.json()["version"]) == (
        stages["Proposal"].pk, 50, 2
    )


def test_it_refuses_a_stale_move_with_409(api, agent, deal, stages):
    client = api.as_user(agent)
    client.post(f"/api/v1/opportunities/{deal.pk}/move/", {"stage": stages["Proposal"].pk, "version": 1})
    response = client.post(
        f"/api/v1/opportunities/{deal.pk}/move/", {"stage": stages["Negotiation"].pk, "version": 1}, format="json"
    )
    assert response.status_code == 409 and "version" in response.json()
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]


def test_a_move_to_lost_without_a_reason_names_the_reason(api, agent, deal, stages):
    client = api.as_user(agent)
    response = client.post(f"/api/v1/opportunities/{deal.pk}/move/", {"stage": stages["Lost"].pk}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(
        f"/api/v1/opportunities/{deal.pk}/move/", {"stage": stages["Lost"].pk, "reason": "Price"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "lost"
    assert response.json()["close_reason"] == "Price"


def test_a_stale_edit_is_refused_and_a_fresh_one_saved(api, agent, deal):
    client = api.as_user(agent)
    url = f"/api/v1/opportunities/{deal.pk}/"
    assert client.patch(url, {"amount": "1500", "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"name": "Lost edit", "version": 1}, format="json")
    assert response.status_code == 409
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.version) == ("Fleet", Decimal("1500.00"), 2)


def test_others_opportunities_and_leads_are_404(api, agent, stranger, pipeline, theirs):
    hidden = opportunity_create(customer=theirs, name="Hidden", currency="MYR")
    hidden_lead = lead_create(last_name="Hidden", owner=stranger)
    client = api.as_user(agent)
    assert client.get(f"/api/v1/opportunities/{hidden.pk}/").status_code == 404
    assert client.post(f"/api/v1/opportunities/{hidden.pk}/move/", {"stage": hidden.stage_id}).status_code == 404
    assert client.get(f"/api/v1/leads/{hidden_lead.pk}/").status_code == 404
    assert client.get("/api/v1/opportunities/").json()["results"] == []
    assert client.get("/api/v1/leads/").json()["results"] == []


def test_a_reader_may_read_but_not_move(api, reader, agent, deal, stages):
    client = api.as_user(reader)  # same team as the agent: sees the deal
    assert client.get(f"/api/v1/opportunities/{deal.pk}/").status_code == 200
    response = client.post(f"/api/v1/opportunities/{deal.pk}/move/", {"stage": stages["Proposal"].pk})
    assert response.status_code == 403


def test_the_opportunity_list_filters_sorts_and_pages_by_keyset(api, agent, pipeline, stages, mine):
    for i, amount in enumerate(["30", "10", "20"]):
        opportunity_create(customer=mine, name=f"D{i}", amount=amount, currency="MYR")
    client = api.as_user(agent)
    first = client.get("/api/v1/opportunities/?ordering=amount&page_size=2").json()
    assert [r["amount"] for r in first["results"]] == ["10.00", "20.00"] and first["next"]
    second = client.get(first["next"]).json()
    assert [r["amount"] for r in second["results"]] == ["30.00"] and second["next"] is None
    assert client.get(f"/api/v1/opportunities/?stage={stages['Won'].pk}").json()["results"] == []
    assert client.get("/api/v1/opportunities/?ordering=probability").status_code == 400


def test_it_creates_updates_and_lists_leads(api, agent):
    client = api.as_user(agent)
    response = client.post("/api/v1/leads/", {"first_name": "Siti", "last_name": "Rahman", "email": "s@example.com",
                                              "source": "referral"}, format="json")
    assert response.status_code == 201, response.json()
    lead = response.json()
    assert lead["display_name"] == "Siti Rahman" and lead["owner"] == agent.pk and lead["status"] == "new"
    response = client.patch(f"/api/v1/leads/{lead['id']}/", {"status": "contacted"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "contacted"
    response = client.patch(f"/api/v1/leads/{lead['id']}/", {"status": "converted"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert client.post("/api/v1/leads/", {"email": "nobody@example.com"}, format="json").status_code == 400
    assert [r["id"] for r in client.get("/api/v1/leads/?status=contacted").json()["results"]] == [lead["id"]]
    assert Lead.objects.get().status == "contacted"
