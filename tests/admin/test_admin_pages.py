"""Every model has a usable admin: its list, search and add pages answer for an administrator."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from rapport.commerce.services import order_create
from rapport.customers.services import consent_record, contact_create, customer_create, identifier_add
from rapport.interactions.services import interaction_log, note_add, task_create

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "customers", "interactions", "commerce"}


@pytest.fixture
def data(admin_user):
    org = customer_create(kind="organisation", organisation_name="Hotel Mawar", emails=["info@mawar.example"])
    contact_create(organisation=org, last_name="Ismail")
    identifier_add(customer=org, source="pms", external_id="H1")
    consent_record(customer=org, channel="email", status="granted")
    order = order_create(customer=org, currency="MYR", lines=[{"description": "Room", "unit_price": "300"}])
    interaction_log(customer=org, channel="email", direction="inbound", subject="Booking", related=order)
    note_add(customer=org, body="Corporate rate")
    task_create(customer=org, title="Send contract")
    return org


def _our_models():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def test_every_domain_model_is_registered():
    names = {m.__name__ for m in _our_models()}
    assert {"Customer", "Contact", "ContactPoint", "Interaction", "Note", "Task", "Product", "Order", "User",
            "Team"} <= names


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_every_admin_list_search_and_add_page_answers(client, admin_user, data):
    client.force_login(admin_user)
    for model in _our_models():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "Ma"}).status_code == 200, changelist
        add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
        # Records written only by the product's services (merges, import batches) are read-only in the admin.
        assert add == (200 if admin.site._registry[model].has_add_permission(_request(admin_user)) else 403)


def test_the_customer_page_shows_its_related_records(client, admin_user, data):
    client.force_login(admin_user)
    response = client.get(reverse("admin:customers_customer_change", args=[data.pk]))
    assert response.status_code == 200
    assert b"info@mawar.example" in response.content and b"Ismail" in response.content
