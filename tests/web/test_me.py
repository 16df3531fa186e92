import pytest
from django.urls import reverse

from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def test_a_user_picks_the_language_and_the_pages_follow(client, agent):
    client.force_login(agent)
    response = client.post(reverse("web:profile"), {"language": "pl", "time_zone": "Europe/Warsaw"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.language, agent.time_zone) == ("pl", "Europe/Warsaw")
    page = client.get(reverse("web:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert b'lang="pl"' in page.content


def test_a_hebrew_choice_turns_the_pages_right_to_left(client, agent):
    client.force_login(agent)
    client.post(reverse("web:profile"), {"language": "he", "time_zone": ""})
    assert b'dir="rtl"' in client.get(reverse("web:profile")).content


def test_an_unknown_zone_or_language_is_refused_next_to_the_field(client, agent):
    client.force_login(agent)
    response = client.post(reverse("web:profile"), {"language": "xx", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"language", "time_zone"}
    assert b'aria-invalid="true"' in response.content


def test_the_palette_finds_visible_customers_and_pages(client, agent, other_team):
    make_customer(owner=agent, first_name="Dewi", last_name="Lestari")
    make_customer(owner=make_user(role="agent", team=other_team), first_name="Dewi", last_name="Sartika")
    client.force_login(agent)
    body = client.get(reverse("web:palette"), {"q": "dewi"}).content.decode()
    assert "Dewi Lestari" in body and "Sartika" not in body
    pages = client.get(reverse("web:palette"), {"q": "task"}).content.decode()
    assert reverse("web:task-list") in pages


def test_the_palette_says_when_nothing_matches(client, agent):
    client.force_login(agent)
    body = client.get(reverse("web:palette"), {"q": "zzzqqq"}).content.decode()
    assert "Nothing matches" in body
