"""/api/v1/customers/: the customer record, its filters and its timeline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.commerce.services import order_create
from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier, Tag
from rapport.customers.services import customer_update, identifier_add
from rapport.interactions.services import interaction_log, note_add
from tests.factories import make_customer, make_team, make_user

pytestmark = pytest.mark.django_db


def test_it_shows_a_customer_with_contact_points_and_tags(api, agent):
    customer = make_customer(
        owner=agent, first_name="Siti", last_name="Rahman", emails=["siti@example.com", "s.r@example.com"],
        phones=["+60 12-345 6789"], tags=["vip", "b2c"], country="my", attributes={"pet": "cat"},
    )
    body = api.as_user(agent).get(f"/api/v1/customers/{customer.pk}/").json()
    assert body["display_name"] == "Siti Rahman"
    assert body["primary_email"] == "siti@example.com"
    assert body["emails"] == ["siti@example.com", "s.r@example.com"]
    assert body["phones"] == ["+60 12-345 6789"] and body["primary_phone"] == "+60 12-345 6789"
    assert body["tags"] == ["b2c", "vip"]
    assert body["country"] == "MY" and body["attributes"] == {"pet": "cat"}
    assert body["owner"] == agent.pk and body["team"] == agent.team_id and body["version"] == 1


def test_it_creates_a_customer_with_emails_phones_tags_and_identifiers(api, agent):
    payload = {
        "first_name": "Nur", "last_name": "Aziz", "emails": ["Nur@Example.com"], "phones": ["012-345 6789"],
        "tags": ["vip"], "identifiers": [{"source": "shop", "external_id": "C-9"}], "country": "my",
        "lifecycle_stage": "active", "relationship_level": 3, "birth_date": "1990-05-01", "source": "api",
    }
    response = api.as_user(agent).post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["display_name"] == "Nur Aziz" and body["emails"] == ["Nur@Example.com"]
    assert body["tags"] == ["vip"] and body["country"] == "MY" and body["relationship_level"] == 3
    customer = Customer.objects.get(pk=body["id"])
    assert customer.identifiers.get().external_id == "C-9"
    # The caller becomes the account manager, in the caller's team, unless the payload names another.
    assert customer.owner == agent and customer.team == agent.team


def test_it_creates_an_organisation(api, agent):
    response = api.as_user(agent).post(
        "/api/v1/customers/", {"kind": "organisation", "organisation_name": "Acme Sdn Bhd"}, format="json"
    )
    assert response.status_code == 201 and response.json()["display_name"] == "Acme Sdn Bhd"


def test_a_failed_create_writes_nothing(api, agent):
    payload = {"first_name": "Nur", "emails": ["good@example.com", "not-an-email"], "tags": ["vip"]}
    response = api.as_user(agent).post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 400 and "emails" in response.json()
    assert not Customer.objects.exists() and not Tag.objects.exists() and not ContactPoint.objects.exists()


def test_a_create_that_fails_inside_the_service_writes_nothing(api, agent, other_team):
    taken = make_customer(owner=make_user(team=other_team))
    identifier_add(customer=taken, source="shop", external_id="C-1")
    payload = {
        "first_name": "Nur", "emails": ["nur@example.com"], "tags": ["new-tag"], "phones": ["0123456789"],
        "identifiers": [{"source": "shop", "external_id": "C-1"}],
    }
    response = api.as_user(agent).post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 400 and "identifiers" in response.json()
    assert Customer.objects.count() == 1 and ExternalIdentifier.objects.count() == 1
    assert not Tag.objects.exists() and not ContactPoint.objects.exists()


def test_it_names_the_field_when_a_person_has_no_name(api, agent):
    response = api.as_user(agent).post("/api/v1/customers/", {"emails": ["a@example.com"]}, format="json")
    assert response.status_code == 400 and "last_name" in response.json()
    response = api.as_user(agent).post("/api/v1/customers/", {"kind": "organisation"}, format="json")
    assert response.status_code == 400 and "organisation_name" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"owner": 987654}, "owner"),
        ({"team": 987654}, "team"),
        ({"owner": "abc"}, "owner"),
        ({"country": "Malaysia"}, "country"),
        ({"country": "1A"}, "country"),
        ({"kind": "robot"}, "kind"),
        ({"relationship_level": 9}, "relationship_level"),
        ({"birth_date": "yesterday"}, "birth_date"),
        ({"attributes": [1, 2]}, "attributes"),
        ({"attributes": "text"}, "attributes"),
        ({"tags": "vip"}, "tags"),
        ({"phones": ["12"]}, "phones"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"identifiers": [{"source": "shop"}]}, "identifiers"),
    ],
)
def test_it_answers_400_naming_the_field_at_fault(api, agent, payload, field):
    response = api.as_user(agent).post("/api/v1/customers/", {"first_name": "Nur", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Customer.objects.exists()


def test_an_inactive_user_cannot_be_made_account_manager(api, agent):
    retired = make_user(team=agent.team)
    retired.is_active = False
    retired.save()
    response = api.as_user(agent).post("/api/v1/customers/", {"first_name": "N", "owner": retired.pk}, format="json")
    assert response.status_code == 400 and "owner" in response.json()


def test_it_updates_a_customer_and_moves_the_version_on(api, agent, mine):
    response = api.as_user(agent).patch(
        f"/api/v1/customers/{mine.pk}/", {"city": "Ipoh", "version": 1, "tags": ["gold"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["city"] == "Ipoh" and body["version"] == 2 and body["tags"] == ["gold"]


def test_an_update_without_a_version_is_applied(api, agent, mine):
    response = api.as_user(agent).patch(f"/api/v1/customers/{mine.pk}/", {"last_name": "Tan"}, format="json")
    assert response.status_code == 200 and response.json()["display_name"] == "Mine Tan"


def test_a_stale_version_answers_409_and_changes_nothing(api, agent, mine):
    customer_update(customer=mine, data={"city": "Penang"})  # someone else saved first: version 2
    response = api.as_user(agent).patch(
        f"/api/v1/customers/{mine.pk}/", {"city": "Ipoh", "tags": ["gold"], "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert "version" in response.json() and "Reload" in response.json()["version"][0]
    mine.refresh_from_db()
    assert mine.city == "Penang" and mine.version == 2 and not mine.tags.exists()


def test_an_update_replaces_the_emails_and_keeps_the_primary_in_step(api, agent, mine):
    response = api.as_user(agent).patch(
        f"/api/v1/customers/{mine.pk}/", {"emails": ["new@example.com", "MINE@example.com"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["emails"] == ["new@example.com", "mine@example.com"]
    assert response.json()["primary_email"] == "new@example.com"
    response = api.as_user(agent).patch(
        f"/api/v1/customers/{mine.pk}/", {"emails": ["mine@example.com", "new@example.com"]}, format="json"
    )
    assert response.json()["emails"] == ["mine@example.com", "new@example.com"]
    assert response.json()["primary_email"] == "mine@example.com"
    response = api.as_user(agent).patch(f"/api/v1/customers/{mine.pk}/", {"emails": []}, format="json")
    assert response.json()["emails"] == [] and response.json()["primary_email"] == ""


def test_a_failed_update_changes_nothing(api, agent, mine):
    response = api.as_user(agent).patch(
        f"/api/v1/customers/{mine.pk}/", {"city": "Ipoh", "tags": ["gold"], "phones": ["12"]}, format="json"
    )
    assert response.status_code == 400 and "phones" in response.json()
    mine.refresh_from_db()
    assert mine.city == "" and mine.version == 1 and not mine.tags.exists()


def test_a_put_replaces_the_editable_fields(api, agent, mine):
    response = api.as_user(agent).put(
        f"/api/v1/customers/{mine.pk}/", {"first_name": "Aminah", "last_name": "Yusof", "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["display_name"] == "Aminah Yusof"


def test_the_computed_fields_cannot_be_written(api, agent, mine):
    response = api.as_user(agent).patch(
        f"/api/v1/customers/{mine.pk}/", {"display_name": "Hacked", "primary_email": "x@evil.test"}, format="json"
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.display_name == "Mine Lovelace" and mine.primary_email == "mine@example.com"


def test_it_deletes_a_customer(api, agent, mine):
    assert api.as_user(agent).delete(f"/api/v1/customers/{mine.pk}/").status_code == 204
    assert not Customer.objects.filter(pk=mine.pk).exists()


# --- filters and ordering ------------------------------------------------------------------------------


@pytest.fixture
def crowd(admin_user, agent, manager):
    south = make_team("Far South")
    people = {
        "ali": make_customer(owner=agent, first_name="Ali", last_name="", country="MY", city="Ipoh",
                             language="ms", tags=["vip"], emails=["Ali@Example.com"], lifecycle_stage="active"),
        "bea": make_customer(owner=manager, first_name="Bea", last_name="", country="PL", city="Gdansk",
                             language="pl", relationship_level=4, emails=["bea@example.com", "b2@example.com"]),
        "cyd": make_customer(owner=None, team=south, first_name="Cyd", last_name="", kind="person"),
        "dox": make_customer(owner=agent, kind="organisation", organisation_name="Dox", first_name="",
                             last_name=""),
    }
    identifier_add(customer=people["cyd"], source="shop", external_id="EXT-7")
    people["south"] = south
    return people


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["display_name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=organisation", ["Dox"]),
        ("lifecycle_stage=active", ["Ali"]),
        ("relationship_level=4", ["Bea"]),
        ("country=my", ["Ali"]),
        ("city=Gdansk", ["Bea"]),
        ("language=pl", ["Bea"]),
        ("tag=vip", ["Ali"]),
        ("email=ali@example.com", ["Ali"]),
        ("email=B2@EXAMPLE.COM", ["Bea"]),
        ("external_id=EXT-7", ["Cyd"]),
        ("email=nobody@example.com", []),
        ("country=MY&tag=vip", ["Ali"]),
    ],
)
def test_it_filters_customers(api, admin_user, crowd, query, expected):
    assert _names(api.as_user(admin_user).get(f"/api/v1/customers/?{query}")) == expected


def test_it_filters_customers_by_owner_and_team(api, admin_user, crowd, agent):
    client = api.as_user(admin_user)
    assert _names(client.get(f"/api/v1/customers/?owner={agent.pk}")) == ["Ali", "Dox"]
    assert _names(client.get(f"/api/v1/customers/?team={crowd['south'].pk}")) == ["Cyd"]


def test_filters_never_widen_what_the_caller_may_see(api, agent, crowd, manager):
    assert _names(api.as_user(agent).get(f"/api/v1/customers/?owner={manager.pk}")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("kind=robot", "kind"), ("owner=abc", "owner"), ("team=-3", "team"),
     ("relationship_level=9", "relationship_level"), ("ordering=city", "ordering"),
     ("ordering=display_name,created_at", "ordering"), ("page_size=0", "page_size")],
)
def test_a_bad_filter_value_answers_400_naming_it(api, admin_user, crowd, query, field):
    response = api.as_user(admin_user).get(f"/api/v1/customers/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_it_orders_customers_by_name_or_creation(api, admin_user, crowd):
    client = api.as_user(admin_user)
    assert _names(client.get("/api/v1/customers/")) == ["Ali", "Bea", "Cyd", "Dox"]
    assert _names(client.get("/api/v1/customers/?ordering=-display_name")) == ["Dox", "Cyd", "Bea", "Ali"]
    assert _names(client.get("/api/v1/customers/?ordering=-created_at")) == ["Dox", "Cyd", "Bea", "Ali"]
    assert _names(client.get("/api/v1/customers/?ordering=created_at")) == ["Ali", "Bea", "Cyd", "Dox"]


# --- query counts ----------------------------------------------------------------------------------------


def _list_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_needs_as_many_queries_for_50_rows_as_for_5(api, agent):
    client = api.as_user(agent)
    for i in range(5):
        make_customer(owner=agent, emails=[f"a{i}@example.com"], phones=[f"01234567{i}"], tags=["vip", f"t{i}"])
    few = _list_queries(client, "/api/v1/customers/")
    for i in range(45):
        make_customer(owner=agent, emails=[f"b{i}@example.com"], tags=[f"u{i}"])
    assert len(client.get("/api/v1/customers/").json()["results"]) == 50
    assert _list_queries(client, "/api/v1/customers/") == few


# --- the timeline ---------------------------------------------------------------------------------------


@pytest.fixture
def history(agent, mine):
    start = timezone.now() - timedelta(days=30)
    for day in range(6):
        interaction_log(customer=mine, channel="phone", direction="inbound", subject=f"call {day}",
                        occurred_at=start + timedelta(days=day), user=agent)
        order_create(customer=mine, currency="MYR", total=Decimal("12.30"),
                     placed_at=start + timedelta(days=day, hours=1))
    note_add(customer=mine, body="Prefers mornings", author=agent)
    return mine


def test_the_timeline_merges_every_kind_newest_first(api, agent, history):
    body = api.as_user(agent).get(f"/api/v1/customers/{history.pk}/timeline/").json()
    kinds = {entry["kind"] for entry in body["results"]}
    assert kinds == {"interaction", "order", "note"}
    stamps = [entry["at"] for entry in body["results"]]
    assert stamps == sorted(stamps, reverse=True)
    order = next(e for e in body["results"] if e["kind"] == "order")
    assert order["amount"] == "12.30" and order["currency"] == "MYR"
    assert body["next"] is None and body["next_cursor"] is None


def test_the_timeline_pages_by_cursor_without_gaps_or_repeats(api, agent, history):
    client = api.as_user(agent)
    seen, url = [], f"/api/v1/customers/{history.pk}/timeline/?limit=4"
    while url:
        body = client.get(url).json()
        seen.extend((e["kind"], e["id"]) for e in body["results"])
        url = body["next"]
    assert len(seen) == 13 and len(set(seen)) == 13


def test_the_timeline_keeps_only_the_kinds_asked_for(api, agent, history):
    client = api.as_user(agent)
    for query in ("kind=order&kind=note", "kind=order,note"):
        body = client.get(f"/api/v1/customers/{history.pk}/timeline/?{query}").json()
        assert {e["kind"] for e in body["results"]} == {"order", "note"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("cursor=garbage", "cursor"), ("limit=0", "limit"), ("limit=500", "limit"), ("limit=x", "limit"),
     ("kind=weather", "kind")],
)
def test_bad_timeline_parameters_answer_400_naming_them(api, agent, history, query, field):
    response = api.as_user(agent).get(f"/api/v1/customers/{history.pk}/timeline/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_another_teams_timeline_is_not_found(api, agent, theirs):
    assert api.as_user(agent).get(f"/api/v1/customers/{theirs.pk}/timeline/").status_code == 404
