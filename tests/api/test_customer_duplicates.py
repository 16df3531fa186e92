"""Creating a customer through the API warns (409) when it is likely a duplicate of one the caller sees."""

from __future__ import annotations

import pytest

from rapport.customers.models import Customer
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


@pytest.fixture
def siti(agent):
    return make_customer(owner=agent, first_name="Siti", last_name="binti Rahman", emails=["siti.rahman@gmail.com"],
                         phones=["+60 12-345 6789"], country="MY")


def test_the_api_warns_before_creating_a_likely_duplicate(api, agent, siti):
    payload = {"first_name": "Siti", "last_name": "Rahman", "emails": ["SitiRahman@gmail.com"],
               "phones": ["012-345 6789"], "country": "MY"}
    response = api.as_user(agent).post(URL, payload, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "likely_duplicate"
    assert [c["id"] for c in body["candidates"]] == [siti.pk]
    candidate = body["candidates"][0]
    assert candidate["display_name"] == "Siti binti Rahman" and candidate["probability"] >= 0.9
    texts = {e["text"] for e in candidate["evidence"]}
    assert "Same phone number" in texts
    assert Customer.objects.count() == 1


def test_allow_duplicate_creates_it_anyway(api, agent, siti):
    payload = {"first_name": "Siti", "last_name": "Rahman", "emails": ["siti.rahman@gmail.com"],
               "allow_duplicate": True}
    response = api.as_user(agent).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert "allow_duplicate" not in response.json()
    assert Customer.objects.count() == 2


def test_a_different_person_is_created_without_a_warning(api, agent, siti):
    payload = {"first_name": "Siti", "last_name": "Aminah", "emails": ["siti.aminah@yahoo.com"],
               "phones": ["019-876 5432"], "country": "MY"}
    assert api.as_user(agent).post(URL, payload, format="json").status_code == 201


def test_the_warning_never_names_a_customer_the_caller_may_not_see(api, stranger, siti):
    payload = {"first_name": "Siti", "last_name": "Rahman", "emails": ["siti.rahman@gmail.com"]}
    response = api.as_user(stranger).post(URL, payload, format="json")
    assert response.status_code == 201


def test_the_schema_documents_the_conflict(api, agent):
    schema = api.as_user(agent).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    responses = schema["paths"]["/api/v1/customers/"]["post"]["responses"]
    assert "409" in responses
