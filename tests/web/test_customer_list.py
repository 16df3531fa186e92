import csv
import io

import pytest
from django.urls import reverse

from rapport.customers.models import Customer, SavedView
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

URL = reverse("web:customer-list")


def _names(response) -> list[str]:
    return [c.display_name for c in response.context["rows"]]


def test_it_lists_only_the_customers_the_agent_may_see(client, agent, other_team):
    make_customer(owner=agent, first_name="Mine")
    make_customer(owner=make_user(role="agent", team=other_team), first_name="Theirs")
    client.force_login(agent)
    response = client.get(URL)
    assert response.status_code == 200
    assert _names(response) == ["Mine Lovelace"]
    assert b"Theirs" not in response.content


def test_search_never_finds_another_teams_customer(client, agent, other_team):
    make_customer(owner=agent, first_name="Kowalska")
    make_customer(owner=make_user(role="agent", team=other_team), first_name="Kowalski")
    client.force_login(agent)
    response = client.get(URL, {"q": "kowal"})
    assert _names(response) == ["Kowalska Lovelace"]


def test_it_finds_a_customer_by_part_of_the_name_email_phone_or_external_id(client, admin_user):
    from rapport.customers.services import Identifier

    make_customer(first_name="Siti", last_name="Nurhaliza", emails=["siti@example.my"], phones=["+60 12-345 6789"],
                  identifiers=[Identifier("legacy", "CRM-778899")])
    make_customer(first_name="Other", last_name="Person")
    client.force_login(admin_user)
    for text in ("urhal", "siti@exa", "012 345", "12-345 6789", "crm-7788", "SITI nur"):
        assert _names(client.get(URL, {"q": text})) == ["Siti Nurhaliza"], text


def test_a_one_letter_search_matches_the_start_of_the_name(client, admin_user):
    make_customer(first_name="Zofia", last_name="Nowak")
    make_customer(first_name="Adam", last_name="Zieliński")
    client.force_login(admin_user)
    assert _names(client.get(URL, {"q": "z"})) == ["Zofia Nowak"]


def test_filters_narrow_the_list(client, admin_user):
    make_customer(first_name="Active", lifecycle_stage="active", country="PL")
    make_customer(first_name="Risky", lifecycle_stage="at_risk", country="MY")
    client.force_login(admin_user)
    assert _names(client.get(URL, {"stage": "at_risk"})) == ["Risky Lovelace"]
    assert _names(client.get(URL, {"country": "pl"})) == ["Active Lovelace"]


def test_a_bad_filter_is_reported_by_name_not_a_500(client, admin_user):
    make_customer(first_name="Still")
    client.force_login(admin_user)
    response = client.get(URL, {"level": "9", "sort": "; drop table", "owner": "x" * 40, "cursor": "garbage"})
    assert response.status_code == 200
    assert set(response.context["filters"].errors) >= {"level", "sort", "owner", "cursor"}
    assert _names(response) == ["Still Lovelace"]


def test_pages_follow_the_keyset_without_repeats(client, admin_user):
    for i in range(55):
        make_customer(first_name=f"P{i:03d}")
    client.force_login(admin_user)
    first = client.get(URL)
    assert len(first.context["rows"]) == 50 and first.context["next_url"]
    second = client.get(URL + first.context["next_url"], HTTP_HX_REQUEST="true")
    assert second.templates[0].name == "web/customers/_list_rows.html"
    names = _names(first) + _names(second)
    assert len(names) == 55 == len(set(names)) and names == sorted(names)


def test_the_count_stops_at_the_cap(client, admin_user, monkeypatch):
    from rapport.customers import listing

    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    for _ in range(5):
        make_customer()
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.context["count"] == 3 and b"3+ customers" in response.content


def test_the_list_needs_the_same_queries_for_few_or_many(client, agent, django_assert_max_num_queries):
    make_customer(owner=agent)
    client.force_login(agent)
    with django_assert_max_num_queries(8) as few:
        client.get(URL)
    for _ in range(30):
        make_customer(owner=agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_export_writes_the_current_view_with_formulas_neutralised(client, agent, other_team):
    make_customer(owner=agent, first_name="=cmd|' /C calc'!A0", last_name="X")
    make_customer(owner=agent, first_name="Plain", lifecycle_stage="active")
    make_customer(owner=make_user(role="agent", team=other_team), first_name="Hidden")
    client.force_login(agent)
    response = client.get(reverse("web:customer-export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    names = [r[1] for r in rows[1:]]
    assert "Plain Lovelace" in names and not any("Hidden" in n for n in names)
    assert "'=cmd|' /C calc'!A0 X" in names
    filtered = b"".join(client.get(reverse("web:customer-export"), {"stage": "active"}).streaming_content)
    assert b"Plain" in filtered and b"calc" not in filtered


def test_bulk_assign_touches_only_visible_customers(client, manager, team, other_team):
    mate = make_user(role="agent", team=team)
    mine = make_customer(team=team, first_name="Ours")
    theirs = make_customer(team=other_team, first_name="Theirs")
    client.force_login(manager)
    response = client.post(reverse("web:customer-bulk"),
                           {"action": "assign_owner", "owner": mate.pk, "ids": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.owner == mate and mine.version == 2
    assert theirs.owner is None


def test_bulk_tag_and_its_refusals(client, agent):
    a, b = make_customer(owner=agent), make_customer(owner=agent)
    client.force_login(agent)
    client.post(reverse("web:customer-bulk"), {"action": "add_tag", "tag": "vip", "ids": [a.pk, b.pk]})
    assert set(Customer.objects.filter(tags__name="vip").values_list("pk", flat=True)) == {a.pk, b.pk}
    refused = client.post(reverse("web:customer-bulk"), {"action": "add_tag", "tag": " ", "ids": [a.pk]},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "X-Rapport-Message" in refused
    nothing = client.post(reverse("web:customer-bulk"), {"action": "add_tag", "tag": "x"}, HTTP_HX_REQUEST="true")
    assert nothing.status_code == 400


def test_read_only_users_cannot_bulk_edit(client, team):
    reader = make_user(role="read_only", team=team)
    c = make_customer(team=team)
    client.force_login(reader)
    response = client.post(reverse("web:customer-bulk"), {"action": "add_tag", "tag": "x", "ids": [c.pk]})
    assert response.status_code == 403


def test_saved_views_belong_to_their_user(client, agent, team):
    client.force_login(agent)
    client.post(reverse("web:saved-view-create"), {"name": "At risk", "query": "stage=at_risk&junk=1&level=99"})
    view = SavedView.objects.get(user=agent)
    assert view.query == "stage=at_risk"
    assert b"At risk" in client.get(URL).content
    other = make_user(role="agent", team=team)
    client.force_login(other)
    assert client.post(reverse("web:saved-view-delete", args=[view.pk])).status_code == 404
    client.force_login(agent)
    client.post(reverse("web:saved-view-delete", args=[view.pk]))
    assert not SavedView.objects.exists()
