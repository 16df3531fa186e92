"""/api/v1/customers/{id}/scores/ and the customer list's score filters (value, risk, rfm, segment)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.analytics.factories import make_run, make_score
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _scores(client, customer_id):
    return client.get(f"/api/v1/customers/{customer_id}/scores/")


def test_it_answers_the_current_score_with_worded_reasons_and_the_history(api, agent, mine):
    make_score(make_run(as_of=date(2025, 5, 31)), mine, risk_band="medium", churn_risk=0.4, reasons=[])
    make_score(make_run(as_of=date(2025, 6, 30)), mine, rfm_segment="champions")
    response = _scores(api.as_user(agent), mine.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["customer"] == mine.pk and body["currency"] == "MYR"
    assert body["model_version"] == "btyd1-bgnbd+lightgbm-abc12345"
    current = body["current"]
    assert current["as_of"] == "2025-06-30" and current["risk_band"] == "high" and current["churn_risk"] == 0.72
    assert current["clv"] == "250.00" and current["rfm_segment"] == "champions"
    assert current["reasons"][0] == {
        "code": "drifting_away", "weight": 0.9, "template": "drifting_away.overdue",
        "params": {"days": "120", "times": "4", "gap": "30"},
        "sentence": "No purchase for 120 days, about 4 times the usual gap of 30 days.",
    }
    assert [h["as_of"] for h in body["history"]] == ["2025-05-31"]
    assert body["history"][0]["risk_band"] == "medium"


def test_a_customer_never_scored_has_no_current_score(api, agent, mine):
    body = _scores(api.as_user(agent), mine.pk).json()
    assert body == {"customer": mine.pk, "model_version": None, "currency": None, "current": None, "history": []}


@pytest.mark.parametrize("pk", ["theirs", 0, 999999, 10**25])
def test_a_customer_the_caller_may_not_see_is_not_found(api, agent, theirs, pk):
    make_score(make_run(), theirs)
    customer_id = theirs.pk if pk == "theirs" else pk
    assert _scores(api.as_user(agent), customer_id).status_code == 404


def test_an_analyst_sees_any_customers_scores_and_anonymous_callers_none(api, analyst, theirs):
    make_score(make_run(), theirs)
    assert _scores(api, theirs.pk).status_code == 401
    assert _scores(api.as_user(analyst), theirs.pk).json()["current"]["value_band"] == "high"


def test_odd_stored_values_never_answer_500(api, agent, mine):
    make_score(make_run(), mine, reasons=["junk", {"code": 5, "weight": "x", "params": [1]}, {"template": None}])
    body = _scores(api.as_user(agent), mine.pk).json()
    assert [r["sentence"] for r in body["current"]["reasons"]] == ["Another reason"] * 3


@pytest.fixture
def scored(agent, stranger):
    run = make_run()
    urgent = make_customer(owner=agent, first_name="Urgent")
    calm = make_customer(owner=agent, first_name="Calm")
    make_customer(owner=agent, first_name="Unscored")
    make_score(run, urgent, risk_band="high", value_band="high", rfm_segment="cant_lose_them")
    make_score(run, calm, risk_band="low", value_band="low", rfm_segment="champions",
               value_segment="low_value_potential")
    make_score(run, make_customer(owner=stranger, first_name="Theirs"), risk_band="high", value_band="high")
    return run


def _names(client, **params) -> list[str]:
    response = client.get("/api/v1/customers/", params)
    assert response.status_code == 200, response.json()
    return sorted(c["first_name"] for c in response.json()["results"])


def test_the_list_filters_on_the_current_scores(api, agent, scored):
    client = api.as_user(agent)
    assert _names(client, risk="high", value="high") == ["Urgent"]
    assert _names(client, risk="low") == ["Calm"]
    assert _names(client, rfm="champions") == ["Calm"]
    assert _names(client, segment="low_value_potential") == ["Calm"]
    assert _names(client, value="medium") == []
    assert _names(client) == ["Calm", "Unscored", "Urgent"]


def test_only_the_current_runs_scores_count(api, agent, scored):
    urgent = next(s.customer for s in scored.scores.all() if s.customer.first_name == "Urgent")
    make_score(make_run(as_of=date(2025, 7, 31)), urgent, risk_band="low", value_band="high")
    assert _names(api.as_user(agent), risk="high") == []


@pytest.mark.parametrize("param", ["value", "risk", "rfm", "segment"])
@pytest.mark.parametrize("junk", ["extreme", "HIGH", "x" * 5000, "%00", "high,low"])
def test_a_bad_filter_value_answers_400_naming_the_parameter(api, agent, scored, param, junk):
    response = api.as_user(agent).get("/api/v1/customers/", {param: junk})
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_the_schema_documents_the_scores_route_and_filters(api, agent):
    import yaml

    schema = yaml.safe_load(api.as_user(agent).get("/api/schema/").content)
    assert "/api/v1/customers/{id}/scores/" in schema["paths"]
    names = {p["name"] for p in schema["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert {"value", "risk", "rfm", "segment"} <= names
