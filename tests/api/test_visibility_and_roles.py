"""Who sees what (agent: own, manager and read-only: team, admin and analyst: all) and who may write.

An object outside the caller's scope is not found (404), never forbidden (403): the answer must not tell
that it exists. Only an object the caller can see answers 403 to a role that may not write.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import RESOURCES, create_payloads, detail_of
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

SCOPED = [r for r in RESOURCES if r != "products"]  # products are catalogue data, visible to every user


def _names(response) -> set[str]:
    return {row["display_name"] for row in response.json()["results"]}


@pytest.fixture
def customers(agent, colleague, stranger, manager):
    make_customer(owner=agent, first_name="Mine", last_name="")
    make_customer(owner=colleague, first_name="Colleagues", last_name="")
    make_customer(owner=stranger, first_name="Theirs", last_name="")
    make_customer(owner=None, team=agent.team, first_name="Teams", last_name="")


def test_an_agent_sees_only_their_own_customers(api, agent, customers):
    assert _names(api.as_user(agent).get("/api/v1/customers/")) == {"Mine"}


def test_a_manager_sees_the_teams_customers(api, manager, customers):
    assert _names(api.as_user(manager).get("/api/v1/customers/")) == {"Mine", "Colleagues", "Teams"}


def test_a_read_only_user_sees_the_teams_customers(api, reader, customers):
    assert _names(api.as_user(reader).get("/api/v1/customers/")) == {"Mine", "Colleagues", "Teams"}


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_admins_and_analysts_see_every_customer(api, customers, role):
    user = make_user(role=role)
    assert _names(api.as_user(user).get("/api/v1/customers/")) == {"Mine", "Colleagues", "Theirs", "Teams"}


@pytest.mark.parametrize("resource", SCOPED)
def test_lists_hold_only_records_of_visible_customers(api, agent, world, resource):
    rows = api.as_user(agent).get(f"/api/v1/{resource}/").json()["results"]
    ids = {row["id"] for row in rows}
    assert detail_of(world, resource).pk in ids
    assert detail_of(world, resource, hidden=True).pk not in ids


@pytest.mark.parametrize("resource", SCOPED)
@pytest.mark.parametrize("method", ["GET", "PATCH", "PUT", "DELETE"])
def test_it_answers_404_for_a_record_of_another_teams_customer(api, agent, world, resource, method):
    hidden = detail_of(world, resource, hidden=True)
    response = api.as_user(agent).generic(method, f"/api/v1/{resource}/{hidden.pk}/", "{}", "application/json")
    assert response.status_code == 404
    assert type(hidden).objects.filter(pk=hidden.pk).exists()


@pytest.mark.parametrize("resource", SCOPED)
def test_it_answers_404_for_a_record_that_does_not_exist(api, admin_user, world, resource):
    assert api.as_user(admin_user).get(f"/api/v1/{resource}/987654/").status_code == 404


def test_the_404_for_a_hidden_customer_reads_like_the_404_for_a_missing_one(api, agent, world):
    client = api.as_user(agent)
    hidden = client.get(f"/api/v1/customers/{world.hidden.pk}/")
    missing = client.get("/api/v1/customers/987654/")
    assert hidden.json() == missing.json()


@pytest.mark.parametrize(
    ("resource", "field"),
    [("interactions", "customer"), ("notes", "customer"), ("tasks", "customer"), ("orders", "customer"),
     ("contacts", "organisation")],
)
def test_it_refuses_a_foreign_key_to_a_customer_the_caller_may_not_see_with_400(api, agent, world, resource, field):
    payload = {**create_payloads(world)[resource], field: world.hidden.pk}
    model = type(detail_of(world, resource))
    before = model.objects.count()
    response = api.as_user(agent).post(f"/api/v1/{resource}/", payload, format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()[field][0]
    # The message is the one a missing id gets: it does not tell that the customer exists.
    missing = api.as_user(agent).post(f"/api/v1/{resource}/", {**payload, field: 987654}, format="json")
    assert missing.json()[field][0].replace("987654", "X") == response.json()[field][0].replace(
        str(world.hidden.pk), "X"
    )
    assert model.objects.count() == before


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", ["read_only", "analyst"])
def test_roles_without_write_access_get_403_on_writes_to_records_they_can_see(api, team, world, resource, role):
    user = make_user(role=role, team=team)
    client = api.as_user(user)
    record = detail_of(world, resource)
    url = f"/api/v1/{resource}/{record.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(f"/api/v1/{resource}/", create_payloads(world)[resource], format="json").status_code == 403
    assert client.patch(url, {}, format="json").status_code == 403
    assert client.put(url, {}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


def test_a_read_only_user_gets_404_not_403_for_another_teams_customer(api, reader, world):
    response = api.as_user(reader).patch(f"/api/v1/customers/{world.hidden.pk}/", {"city": "X"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_agent_may_create_every_kind_of_record(api, agent, world, resource):
    response = api.as_user(agent).post(f"/api/v1/{resource}/", create_payloads(world)[resource], format="json")
    assert response.status_code == 201, response.json()


def test_a_deactivated_user_is_refused_even_with_a_live_session(api, agent, world):
    agent.is_active = False
    agent.save()
    client = api.as_user(agent)
    assert client.get("/api/v1/customers/").status_code in (401, 403)
