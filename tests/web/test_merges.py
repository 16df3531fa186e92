"""Merges in the workspace: the survivor's timeline shows them with an undo, and old links follow the merge."""

import pytest
from django.urls import reverse

from rapport.customers.merging import customers_merge
from rapport.customers.models import Customer
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(agent):
    survivor = make_customer(owner=agent, first_name="Siti", last_name="Aminah")
    discarded = make_customer(owner=agent, first_name="Siti", last_name="Aminnah")
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent, reason="same phone")
    return survivor, discarded, merge


def test_the_survivors_timeline_shows_the_merge_with_an_undo(client, agent, merged):
    survivor, _discarded, merge = merged
    client.force_login(agent)
    page = client.get(reverse("web:customer-detail", args=[survivor.pk])).content.decode()
    assert "Merged with" in page and "Siti Aminnah" in page
    assert reverse("web:merge-undo", args=[merge.pk]) in page


def test_an_old_link_to_a_merged_customer_leads_to_the_survivor(client, agent, merged):
    survivor, discarded, _merge = merged
    client.force_login(agent)
    response = client.get(reverse("web:customer-detail", args=[discarded.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("web:customer-detail", args=[survivor.pk])


def test_an_old_link_stays_a_404_for_who_may_not_see_the_survivor(client, other_team, merged):
    _survivor, discarded, _merge = merged
    client.force_login(make_user(role="agent", team=other_team))
    assert client.get(reverse("web:customer-detail", args=[discarded.pk])).status_code == 404


def test_undo_brings_the_customer_back_and_opens_it(client, agent, merged):
    _survivor, discarded, merge = merged
    client.force_login(agent)
    response = client.post(reverse("web:merge-undo", args=[merge.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("web:customer-detail", args=[discarded.pk])
    assert Customer.objects.filter(pk=discarded.pk).exists()
    again = client.post(reverse("web:merge-undo", args=[merge.pk]), HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and again["X-Rapport-Message"]


def test_undo_is_refused_to_a_reader_and_hidden_from_another_team(client, team, other_team, merged):
    _survivor, _discarded, merge = merged
    url = reverse("web:merge-undo", args=[merge.pk])
    client.force_login(make_user(role="read_only", team=team))
    assert client.post(url).status_code in (403, 404)
    client.force_login(make_user(role="agent", team=other_team))
    assert client.post(url).status_code == 404
