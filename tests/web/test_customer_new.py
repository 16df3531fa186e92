"""Adding a customer by hand: errors by the field, and a warning before a likely duplicate is created."""

import pytest
from django.urls import reverse

from rapport.customers.models import Customer
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

URL = reverse("web:customer-new")
SITI = {"kind": "person", "first_name": "Siti", "last_name": "Nurhaliza", "email": "siti@example.my",
        "phone": "+60 12-345 6789", "country": "MY"}


def test_an_agent_adds_a_customer_they_then_own(client, agent):
    client.force_login(agent)
    response = client.post(URL, SITI)
    customer = Customer.objects.get(last_name="Nurhaliza")
    assert response.status_code == 302 and response["Location"] == reverse("web:customer-detail", args=[customer.pk])
    assert customer.owner == agent and customer.team == agent.team and customer.primary_email == "siti@example.my"


def test_a_missing_name_and_a_bad_email_are_shown_by_their_fields(client, agent):
    client.force_login(agent)
    response = client.post(URL, {"kind": "person", "email": "siti@", "city": "Ipoh"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"last_name", "email"}
    assert 'value="Ipoh"' in response.content.decode()
    assert not Customer.objects.exists()


def test_it_warns_before_creating_a_likely_duplicate_and_creates_when_told(client, agent):
    existing = make_customer(owner=agent, first_name="Siti", last_name="Nurhaliza", emails=["Siti@Example.my"])
    client.force_login(agent)
    warned = client.post(URL, SITI)
    assert warned.status_code == 409
    page = warned.content.decode()
    assert reverse("web:customer-detail", args=[existing.pk]) in page and "likely the same" in page
    assert Customer.objects.count() == 1
    created = client.post(URL, {**SITI, "allow_duplicate": "on"})
    assert created.status_code == 302 and Customer.objects.count() == 2


def test_the_warning_never_names_a_customer_the_user_may_not_see(client, agent, other_team):
    make_customer(owner=make_user(role="agent", team=other_team), first_name="Siti", last_name="Nurhaliza",
                  emails=["siti@example.my"])
    client.force_login(agent)
    assert client.post(URL, SITI).status_code == 302


def test_a_reader_may_not_add_customers(client, team):
    client.force_login(make_user(role="read_only", team=team))
    assert client.get(URL).status_code == 403
    assert client.post(URL, SITI).status_code == 403
