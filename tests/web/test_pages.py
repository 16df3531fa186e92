import pytest
from django.urls import reverse

from rapport.interactions.services import task_create
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def test_the_login_page_is_served_to_anyone(client):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'for="id_password"' in response.content


def test_home_sends_strangers_to_the_login_page(client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_a_wrong_password_is_refused_with_a_message(client, agent):
    response = client.post(reverse("web:login"), {"username": "agent", "password": "wrong"})
    assert response.status_code == 200 and b'role="alert"' in response.content


def test_home_is_the_signed_in_persons_dashboard(client, agent, other_team):
    # The customer list moved to its own page (web:customer-list); home shows the person's own work.
    task_create(customer=make_customer(owner=agent, first_name="Mine"), title="Call Mine", assignee=agent)
    stranger = make_user(role="agent", team=other_team)
    task_create(customer=make_customer(owner=stranger, first_name="Theirs"), title="Call Theirs", assignee=stranger)
    client.force_login(agent)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert b"My open tasks" in response.content and b"Call Mine" in response.content
    assert b"Theirs" not in response.content


def test_the_page_turns_right_to_left_in_hebrew(client, agent):
    client.force_login(agent)
    response = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="he")
    assert b'dir="rtl"' in response.content and b'lang="he"' in response.content


def test_health_check_answers_ok(client):
    assert client.get(reverse("web:healthz")).json() == {"status": "ok"}


def test_home_needs_the_same_queries_for_one_customer_or_many(client, agent, django_assert_max_num_queries):
    client.force_login(agent)
    task_create(customer=make_customer(owner=agent), title="t", assignee=agent)
    with django_assert_max_num_queries(5) as one:
        client.get(reverse("web:home"))
    for _ in range(30):
        task_create(customer=make_customer(owner=agent), title="t", assignee=agent)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("web:home"))
