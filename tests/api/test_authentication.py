"""Session and token authentication; strangers get 401."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import RESOURCES
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("resource", RESOURCES)
def test_it_answers_401_to_a_caller_without_credentials(resource):
    response = APIClient().get(f"/api/v1/{resource}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_issues_a_token_for_a_username_and_password_and_accepts_it(agent):
    make_customer(owner=agent, first_name="Mine")
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "agent", "password": "pw-123456!"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get("/api/v1/customers/")
    assert listed.status_code == 200
    assert [c["first_name"] for c in listed.json()["results"]] == ["Mine"]


def test_it_issues_the_same_token_twice(agent):
    client = APIClient()
    first = client.post("/api/v1/auth/token/", {"username": "agent", "password": "pw-123456!"}).json()
    second = client.post("/api/v1/auth/token/", {"username": "agent", "password": "pw-123456!"}).json()
    assert first == second


def test_it_refuses_a_wrong_password_with_400(agent):
    response = APIClient().post("/api/v1/auth/token/", {"username": "agent", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json() and response.json()["non_field_errors"]


def test_it_names_the_missing_credential_fields(db):
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_it_answers_401_to_an_unknown_token(agent):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/v1/customers/").status_code == 401


def test_a_deactivated_users_token_stops_working(agent):
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "agent", "password": "pw-123456!"}).json()["token"]
    agent.is_active = False
    agent.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/customers/").status_code == 401


def test_it_accepts_a_signed_in_session(agent):
    client = APIClient()
    assert client.login(username="agent", password="pw-123456!")
    assert client.get("/api/v1/customers/").status_code == 200


def test_a_session_write_needs_the_csrf_token(agent):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="agent", password="pw-123456!")
    response = client.post("/api/v1/customers/", {"first_name": "Nur"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_a_token_write_needs_no_csrf_token(agent):
    client = APIClient(enforce_csrf_checks=True)
    token = client.post("/api/v1/auth/token/", {"username": "agent", "password": "pw-123456!"}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/customers/", {"first_name": "Nur"}, format="json").status_code == 201
