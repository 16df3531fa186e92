"""The duplicates queue: pairs side by side, merged or set aside; never a customer the user may not see."""

import json

import pytest
from django.urls import reverse

from rapport.customers.models import Customer, CustomerMerge
from rapport.dedupe.models import DedupeRun, DuplicatePair, PairStatus
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("web:duplicate-queue")
EVIDENCE = [{"comparison": "email", "level": "email_exact", "weight": 9.0},
            {"comparison": "dob", "level": "dob_different", "weight": -3.0}]


def _pair(a, b, p=0.97):
    a, b = sorted((a, b), key=lambda c: c.pk)
    return DuplicatePair.objects.create(customer_a=a, customer_b=b, match_probability=p, evidence=EVIDENCE)


@pytest.fixture
def pair(agent):
    return _pair(make_customer(owner=agent, first_name="Dewi", last_name="Lestari", emails=["dewi@example.id"]),
                 make_customer(owner=agent, first_name="Dewi", last_name="Lestary", emails=["dewi@example.id"]))


def test_the_queue_shows_each_pair_with_its_evidence(client, agent, pair):
    client.force_login(agent)
    page = client.get(QUEUE).content.decode()
    assert "Dewi Lestari" in page and "Dewi Lestary" in page and "97% likely the same" in page
    assert "Same e-mail address" in page and "Different birth dates" in page


def test_a_pair_with_a_customer_of_another_team_is_not_shown_nor_decidable(client, agent, other_team):
    theirs = make_customer(owner=make_user(role="agent", team=other_team), first_name="Dewi", last_name="Lestari")
    hidden = _pair(make_customer(owner=agent, first_name="Dewi", last_name="Lestari"), theirs)
    client.force_login(agent)
    assert f"pair-{hidden.pk}" not in client.get(QUEUE).content.decode()
    response = client.post(reverse("web:duplicate-merge", args=[hidden.pk]), {"survivor": theirs.pk})
    assert response.status_code == 404 and Customer.objects.filter(pk=theirs.pk).exists()


def test_keeping_one_merges_the_other_into_it(client, agent, pair):
    client.force_login(agent)
    keep = pair.customer_b
    response = client.post(reverse("web:duplicate-merge", args=[pair.pk]), {"survivor": keep.pk, "reason": "typo"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert "toast" in json.loads(response["HX-Trigger"])
    assert not Customer.objects.filter(pk=pair.customer_a_id).exists()
    assert CustomerMerge.objects.get().survivor_id == keep.pk


def test_a_survivor_outside_the_pair_is_refused(client, agent, pair):
    client.force_login(agent)
    stranger = make_customer(owner=agent)
    response = client.post(reverse("web:duplicate-merge", args=[pair.pk]), {"survivor": stranger.pk})
    assert response.status_code == 400 and response["X-Rapport-Message"]
    assert Customer.objects.filter(pk__in=[pair.customer_a_id, pair.customer_b_id]).count() == 2


def test_not_a_duplicate_is_remembered_and_leaves_the_queue(client, agent, pair):
    client.force_login(agent)
    assert client.post(reverse("web:duplicate-dismiss", args=[pair.pk]), HTTP_HX_REQUEST="true").status_code == 200
    pair.refresh_from_db()
    assert pair.status == PairStatus.NOT_DUPLICATE and pair.decided_by == agent
    assert f"pair-{pair.pk}" not in client.get(QUEUE).content.decode()


def test_readers_look_but_do_not_decide(client, team, pair):
    reader = make_user(role="read_only", team=team)
    client.force_login(reader)
    assert client.post(reverse("web:duplicate-dismiss", args=[pair.pk])).status_code in (403, 404)


def test_only_an_administrator_starts_a_search(client, agent, admin_user, pair):
    client.force_login(agent)
    assert client.post(reverse("web:duplicate-run")).status_code == 403
    client.force_login(admin_user)
    assert "Search for duplicates now" in client.get(QUEUE).content.decode()
    assert client.post(reverse("web:duplicate-run"), HTTP_HX_REQUEST="true").status_code == 200
    assert DedupeRun.objects.count() == 1  # jobs run inline in the tests
