"""/api/v1/contacts/: contact persons at organisation customers."""

from __future__ import annotations

import pytest

from rapport.customers.models import Contact

pytestmark = pytest.mark.django_db


def test_it_lists_and_shows_contact_persons(api, agent, world):
    client = api.as_user(agent)
    rows = client.get("/api/v1/contacts/").json()["results"]
    assert [(r["last_name"], r["organisation"]) for r in rows] == [("Tan", world.customer.pk)]
    assert client.get(f"/api/v1/contacts/{world.contact.pk}/").json()["last_name"] == "Tan"


def test_it_filters_contact_persons_by_organisation(api, admin_user, world):
    rows = api.as_user(admin_user).get(f"/api/v1/contacts/?organisation={world.hidden.pk}").json()["results"]
    assert [r["last_name"] for r in rows] == ["Lim"]


def test_it_adds_a_contact_person_to_an_organisation(api, agent, world):
    response = api.as_user(agent).post(
        "/api/v1/contacts/",
        {"organisation": world.customer.pk, "first_name": "Ali", "last_name": "Hassan", "job_title": "Buyer"},
        format="json",
    )
    assert response.status_code == 201
    assert Contact.objects.get(pk=response.json()["id"]).organisation == world.customer


def test_it_refuses_a_contact_person_for_a_person_customer(api, agent, mine):
    response = api.as_user(agent).post(
        "/api/v1/contacts/", {"organisation": mine.pk, "last_name": "Hassan"}, format="json"
    )
    assert response.status_code == 400 and "organisation" in response.json()
    assert not Contact.objects.exists()


def test_it_names_a_bad_email_and_a_missing_last_name(api, agent, world):
    response = api.as_user(agent).post(
        "/api/v1/contacts/", {"organisation": world.customer.pk, "email": "nope"}, format="json"
    )
    assert response.status_code == 400 and {"email", "last_name"} <= set(response.json())


def test_it_updates_a_contact_person(api, agent, world):
    response = api.as_user(agent).patch(f"/api/v1/contacts/{world.contact.pk}/", {"job_title": "CEO"}, format="json")
    assert response.status_code == 200 and response.json()["job_title"] == "CEO"


def test_the_organisation_of_a_contact_person_is_not_changed_by_an_update(api, agent, world, mine):
    response = api.as_user(agent).patch(
        f"/api/v1/contacts/{world.contact.pk}/", {"organisation": mine.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["organisation"] == world.customer.pk


def test_it_deletes_a_contact_person(api, agent, world):
    assert api.as_user(agent).delete(f"/api/v1/contacts/{world.contact.pk}/").status_code == 204
    assert not Contact.objects.filter(pk=world.contact.pk).exists()
