"""POST /api/v1/customers/{id}/merge/ and /api/v1/merges/: merge, undo, and who may do either."""

from __future__ import annotations

import pytest
import yaml

from rapport.customers.models import Customer, CustomerMerge
from rapport.interactions.services import note_add
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate(agent):
    customer = make_customer(owner=agent, first_name="Mine", city="Ipoh", emails=["mine@example.com", "2@example.com"])
    note_add(customer=customer, body="Prefers e-mail")
    return customer


def _merge(client, survivor, discard, **extra):
    return client.post(f"/api/v1/customers/{survivor.pk}/merge/", {"discard": discard.pk, **extra}, format="json")


def test_merging_answers_200_with_the_merge_record(api, agent, mine, duplicate):
    response = _merge(api.as_user(agent), mine, duplicate, reason="Same e-mail")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["survivor"] == mine.pk and body["discarded_id"] == duplicate.pk
    assert body["discarded_name"] == "Mine Lovelace" and body["reason"] == "Same e-mail"
    assert body["merged_by"] == agent.pk and body["is_undone"] is False
    assert body["moved"]["interactions.Note"] == 1 and body["deleted"] == {"customers.ContactPoint": 1}
    assert body["filled"] == ["city"]
    assert api.get(f"/api/v1/customers/{duplicate.pk}/").status_code == 404
    survivor = api.get(f"/api/v1/customers/{mine.pk}/").json()
    assert survivor["city"] == "Ipoh" and survivor["emails"] == ["mine@example.com", "2@example.com"]


def test_undo_answers_200_and_the_customer_is_back_with_its_id(api, agent, mine, duplicate):
    client = api.as_user(agent)
    merge = _merge(client, mine, duplicate).json()

    response = client.post(f"/api/v1/merges/{merge['id']}/undo/")

    assert response.status_code == 200, response.content
    assert response.json()["is_undone"] is True and response.json()["undone_by"] == agent.pk
    restored = client.get(f"/api/v1/customers/{duplicate.pk}/").json()
    assert restored["city"] == "Ipoh" and restored["emails"] == ["mine@example.com", "2@example.com"]
    assert client.get(f"/api/v1/customers/{mine.pk}/").json()["city"] == ""


def test_a_second_undo_answers_409(api, agent, mine, duplicate):
    client = api.as_user(agent)
    merge = _merge(client, mine, duplicate).json()
    assert client.post(f"/api/v1/merges/{merge['id']}/undo/").status_code == 200
    response = client.post(f"/api/v1/merges/{merge['id']}/undo/")
    assert response.status_code == 409
    assert "already been undone" in response.json()["non_field_errors"][0]


def test_an_already_merged_customer_answers_409(api, agent, mine, duplicate):
    client = api.as_user(agent)
    other = make_customer(owner=agent)
    assert _merge(client, mine, duplicate).status_code == 200

    again = _merge(client, other, duplicate)
    assert again.status_code == 409 and "already merged" in again.json()["discard"][0]
    into_merged = _merge(client, duplicate, other)
    assert into_merged.status_code == 409
    assert Customer.objects.filter(pk=other.pk).exists()


def test_a_customer_the_caller_may_not_see_answers_404(api, agent, mine, theirs):
    client = api.as_user(agent)
    assert _merge(client, theirs, mine).status_code == 404
    assert _merge(client, mine, theirs).status_code == 404
    assert Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
    assert not CustomerMerge.objects.exists()


def test_a_merge_the_caller_may_not_see_answers_404(api, agent, stranger, mine, duplicate):
    merge = _merge(api.as_user(agent), mine, duplicate).json()
    client = api.as_user(stranger)
    assert client.get(f"/api/v1/merges/{merge['id']}/").status_code == 404
    assert client.post(f"/api/v1/merges/{merge['id']}/undo/").status_code == 404
    assert client.get("/api/v1/merges/").json()["results"] == []


def test_a_read_only_user_gets_403(api, agent, reader, mine, duplicate):
    assert _merge(api.as_user(reader), mine, duplicate).status_code == 403
    merge = _merge(api.as_user(agent), mine, duplicate).json()
    client = api.as_user(reader)
    assert client.get(f"/api/v1/merges/{merge['id']}/").status_code == 200  # reading is fine
    assert client.post(f"/api/v1/merges/{merge['id']}/undo/").status_code == 403


def test_merging_a_customer_with_itself_answers_400_naming_discard(api, agent, mine):
    response = _merge(api.as_user(agent), mine, mine)
    assert response.status_code == 400 and "discard" in response.json()


def test_a_person_and_an_organisation_answer_400(api, agent, mine):
    organisation = make_customer(owner=agent, kind="organisation", organisation_name="Acme")
    response = _merge(api.as_user(agent), organisation, mine)
    assert response.status_code == 400 and "discard" in response.json()


@pytest.mark.parametrize("body", [{}, {"discard": "abc"}, {"discard": 0}, {"discard": True}, {"discard": 1.5},
                                  {"discard": 2**70}, {"discard": 5, "reason": "x" * 301}])
def test_a_bad_body_answers_400_naming_the_field(api, agent, mine, body):
    response = api.as_user(agent).post(f"/api/v1/customers/{mine.pk}/merge/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"discard", "reason"}


def test_the_merges_of_a_customer_are_listed(api, agent, mine, duplicate):
    client = api.as_user(agent)
    merge = _merge(client, mine, duplicate).json()
    listed = client.get(f"/api/v1/merges/?customer={mine.pk}").json()["results"]
    assert [m["id"] for m in listed] == [merge["id"]]
    assert client.get(f"/api/v1/merges/?customer={mine.pk + 1000}").json()["results"] == []


def test_a_caller_who_is_not_signed_in_cannot_merge(api, mine, duplicate):
    response = _merge(api, mine, duplicate)
    assert response.status_code in (401, 403)
    assert Customer.objects.filter(pk=duplicate.pk).exists()


def test_the_schema_documents_the_merge_endpoints(api, agent):
    schema = yaml.safe_load(api.as_user(agent).get("/api/schema/").content)
    merge = schema["paths"]["/api/v1/customers/{id}/merge/"]["post"]
    assert merge["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CustomerMergeCreateRequest")
    assert merge["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CustomerMerge")
    assert "/api/v1/merges/{id}/undo/" in schema["paths"] and "/api/v1/merges/" in schema["paths"]
