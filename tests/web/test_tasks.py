"""The tasks page: buckets in the reader's zone, tabs, one-click complete and undo, the new-task form,
permissions and the query budget."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.services import user_update_preferences
from rapport.interactions.models import Task
from rapport.interactions.services import task_complete, task_create
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
# 17:30 on 10 March in UTC is already 01:30 on 11 March in Kuala Lumpur (UTC+8).
NOW = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    """Pin "now" for the whole request, sessions included, so the day buckets are known."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def group(content: bytes, bucket: str) -> str:
    """The HTML of one group on the page (a <section data-bucket=...>)."""
    match = re.search(rf'<section[^>]*data-bucket="{bucket}".*?</section>', content.decode(), re.S)
    assert match, f"no {bucket} group"
    return match.group(0)


def test_strangers_are_sent_to_sign_in(client):
    response = client.get(reverse("web:task-list"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_buckets_follow_the_readers_time_zone(client, agent, frozen):
    customer = make_customer(owner=agent)
    # 23:00 on 10 March in KL (yesterday there) and 18:00 on 11 March in KL (today there).
    task_create(customer=customer, title="Send the quote", due_at=datetime(2026, 3, 10, 15, tzinfo=UTC),
                assignee=agent)
    task_create(customer=customer, title="Call about renewal", due_at=datetime(2026, 3, 11, 10, tzinfo=UTC),
                assignee=agent)
    task_create(customer=customer, title="Someday", assignee=agent)
    client.force_login(agent)

    page = client.get(reverse("web:task-list")).content  # the server's zone is UTC
    assert "Send the quote" in group(page, "today") and "Call about renewal" in group(page, "upcoming")
    assert "Someday" in group(page, "none")

    user_update_preferences(user=agent, time_zone="Asia/Kuala_Lumpur")
    page = client.get(reverse("web:task-list")).content
    assert "Send the quote" in group(page, "overdue")
    assert "Call about renewal" in group(page, "today")
    assert "Call about renewal" not in group(page, "upcoming")
    # Shown in the reader's zone (English time format): 18:00 there, not 10:00 UTC.
    assert "6 p.m." in group(page, "today") and "10 a.m." not in group(page, "today")


def test_an_agent_sees_their_own_tasks_and_never_another_teams(client, agent, team, other_team):
    teammate = make_user(role="agent", team=team)
    stranger = make_user(role="agent", team=other_team)
    mine = make_customer(owner=agent, first_name="Mine")
    task_create(customer=mine, title="My call", assignee=agent)
    task_create(customer=mine, title="Delegated call", assignee=teammate)
    task_create(customer=make_customer(owner=stranger, first_name="Theirs"), title="Their call", assignee=stranger)
    client.force_login(agent)

    mine_tab = client.get(reverse("web:task-list")).content.decode()
    assert "My call" in mine_tab and "Delegated call" not in mine_tab and "Their call" not in mine_tab
    team_tab = client.get(reverse("web:task-list"), {"scope": "team"}).content.decode()
    assert "My call" in team_tab and "Delegated call" in team_tab
    assert "Their call" not in team_tab and "Theirs" not in team_tab
    assert f"For {teammate}" in team_tab


def test_a_manager_sees_the_teams_tasks_and_an_admin_all(client, manager, admin_user, team, other_team):
    teammate = make_user(role="agent", team=team)
    stranger = make_user(role="agent", team=other_team)
    task_create(customer=make_customer(owner=teammate), title="Teammate call", assignee=teammate)
    task_create(customer=make_customer(owner=stranger), title="Their call", assignee=stranger)
    client.force_login(manager)
    page = client.get(reverse("web:task-list"), {"scope": "team"}).content.decode()
    assert "Teammate call" in page and "Their call" not in page and "My team&#x27;s tasks" in page
    client.force_login(admin_user)
    page = client.get(reverse("web:task-list"), {"scope": "team"}).content.decode()
    assert "Teammate call" in page and "Their call" in page and "All tasks" in page


def test_switching_tabs_with_htmx_redraws_only_the_board(client, agent):
    task_create(customer=make_customer(owner=agent), title="Mine", assignee=agent)
    client.force_login(agent)
    response = client.get(reverse("web:task-list"), {"scope": "team"}, **HX)
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="task-board"')
    assert "<html" not in body and 'id="task-form"' not in body and "Mine" in body


def test_completing_is_one_click_and_undo_reopens(client, agent, frozen):
    task = task_create(customer=make_customer(owner=agent), title="Send brochure", assignee=agent,
                       due_at=NOW - timedelta(days=2))
    client.force_login(agent)

    response = client.post(reverse("web:task-complete", args=[task.pk]), **HX)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.done_at == NOW
    row = response.content.decode()
    assert row.startswith('<li class="list-group-item') and f'id="task-{task.pk}"' in row
    assert reverse("web:task-reopen", args=[task.pk]) in row and "Undo" in row and "autofocus" in row
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "“Send brochure” is done."

    page = client.get(reverse("web:task-list")).content
    assert "Send brochure" not in group(page, "overdue")
    done = client.get(reverse("web:task-list"), {"show": "done"}).content
    assert "Send brochure" in group(done, "done") and "Reopen" in group(done, "done")

    response = client.post(reverse("web:task-reopen", args=[task.pk]), **HX)
    assert response.status_code == 200 and reverse("web:task-complete", args=[task.pk]) in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None
    assert "Send brochure" in group(client.get(reverse("web:task-list")).content, "overdue")


def test_completing_without_javascript_goes_back_where_it_was(client, agent):
    task = task_create(customer=make_customer(owner=agent), title="Plain form", assignee=agent)
    client.force_login(agent)
    response = client.post(reverse("web:task-complete", args=[task.pk]), {"next": "/tasks/?scope=team"})
    assert response.status_code == 302 and response["Location"] == "/tasks/?scope=team"
    response = client.post(reverse("web:task-reopen", args=[task.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("web:task-list")


def test_completing_twice_keeps_the_first_time(client, agent, frozen):
    task = task_create(customer=make_customer(owner=agent), title="Once", assignee=agent)
    task_complete(task=task)
    first = Task.objects.get(pk=task.pk).done_at
    client.force_login(agent)
    assert client.post(reverse("web:task-complete", args=[task.pk]), **HX).status_code == 200
    assert Task.objects.get(pk=task.pk).done_at == first


@pytest.mark.parametrize("role", ["read_only", "analyst"])
def test_read_only_roles_see_tasks_but_cannot_change_them(client, team, agent, role):
    task = task_create(customer=make_customer(owner=agent), title="Look only", assignee=agent)
    viewer = make_user(role=role, team=team)
    client.force_login(viewer)
    page = client.get(reverse("web:task-list"), {"scope": "team"}).content.decode()
    assert "Look only" in page
    assert reverse("web:task-complete", args=[task.pk]) not in page and 'id="task-form"' not in page
    for url in (reverse("web:task-complete", args=[task.pk]), reverse("web:task-reopen", args=[task.pk])):
        response = client.post(url, **HX)
        assert response.status_code == 403 and response["X-Rapport-Message"]
    response = client.post(reverse("web:task-create"), {"title": "Sneaky", "customer": task.customer_id}, **HX)
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).done_at is None and not Task.objects.filter(title="Sneaky").exists()


def test_another_teams_task_is_not_found(client, agent, other_team):
    stranger = make_user(role="agent", team=other_team)
    task = task_create(customer=make_customer(owner=stranger), title="Theirs", assignee=stranger)
    client.force_login(agent)
    assert client.post(reverse("web:task-complete", args=[task.pk]), **HX).status_code == 404
    assert client.post(reverse("web:task-reopen", args=[task.pk]), **HX).status_code == 404
    assert client.get(reverse("web:task-complete", args=[task.pk])).status_code == 405
    assert Task.objects.get(pk=task.pk).done_at is None


def test_a_new_task_is_saved_in_the_users_zone_and_the_board_is_told(client, agent):
    user_update_preferences(user=agent, time_zone="Asia/Kuala_Lumpur")
    customer = make_customer(owner=agent)
    client.force_login(agent)
    response = client.post(reverse("web:task-create"), {
        "title": "Visit the branch", "due": "2026-03-11T09:30", "assignee": agent.pk, "customer": customer.pk,
    }, **HX)
    assert response.status_code == 200
    task = Task.objects.get(title="Visit the branch")
    assert task.due_at == datetime(2026, 3, 11, 1, 30, tzinfo=UTC)  # 09:30 in KL
    assert task.customer == customer and task.assignee == agent and task.created_by == agent
    triggers = json.loads(response["HX-Trigger"])
    assert "tasks-changed" in triggers and "Visit the branch" in triggers["toast"]["message"]
    # A fresh, empty form comes back for the next task.
    assert 'id="task-form"' in response.content.decode() and "Visit the branch" not in response.content.decode()


def test_a_new_task_without_javascript_redirects_to_the_list(client, agent):
    customer = make_customer(owner=agent)
    client.force_login(agent)
    response = client.post(reverse("web:task-create"), {"title": "No JS", "customer": customer.pk})
    assert response.status_code == 302 and response["Location"] == reverse("web:task-list")
    assert Task.objects.get(title="No JS").due_at is None


def test_a_bad_form_comes_back_with_errors_by_the_fields_and_the_input_kept(client, agent, other_team):
    stranger = make_user(role="agent", team=other_team)
    theirs = make_customer(owner=stranger)
    client.force_login(agent)
    response = client.post(reverse("web:task-create"), {
        "title": "", "due": "not a date", "customer": theirs.pk, "customer_q": "Ada",
    }, **HX)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_title_error"' in body and 'aria-describedby="id_title_error"' in body
    assert 'id="id_due_error"' in body and 'value="not a date"' in body
    # Another team's customer is not offered, not named and not accepted.
    assert 'id="id_customer_error"' in body and "Pick a customer from the list." in body
    assert theirs.display_name not in body and 'value="Ada"' in body
    assert not Task.objects.exists()

    response = client.post(reverse("web:task-create"), {"title": "Kept title"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" in body and 'value="Kept title"' in body and "Pick a customer." in body


def test_a_chosen_customer_stays_chosen_after_an_error(client, agent):
    customer = make_customer(owner=agent, first_name="Chosen")
    client.force_login(agent)
    response = client.post(reverse("web:task-create"), {"title": "", "customer": customer.pk}, **HX)
    assert response.status_code == 400
    assert re.search(rf'value="{customer.pk}"\s+checked', response.content.decode())


def test_a_task_cannot_go_to_someone_who_cannot_see_the_customer(client, manager, team):
    teammate = make_user(role="agent", team=team)
    not_theirs = make_customer(owner=manager)
    client.force_login(manager)
    response = client.post(reverse("web:task-create"), {
        "title": "Hand over", "customer": not_theirs.pk, "assignee": teammate.pk,
    }, **HX)
    assert response.status_code == 400 and 'id="id_assignee_error"' in response.content.decode()
    assert not Task.objects.exists()


def test_assignees_offered_are_my_team(client, agent, team, other_team):
    teammate = make_user(role="agent", team=team, username="teammate")
    make_user(role="agent", team=other_team, username="outsider")
    client.force_login(agent)
    body = client.get(reverse("web:task-list")).content.decode()
    assert f'value="{teammate.pk}"' in body and "outsider" not in body


def test_the_customer_picker_offers_eight_visible_matches(client, agent, other_team):
    stranger = make_user(role="agent", team=other_team)
    for i in range(10):
        make_customer(owner=agent, first_name=f"Zed{i}", last_name="Picker")
    make_customer(owner=stranger, first_name="Hidden", last_name="Picker")
    picked = make_customer(owner=agent, first_name="Already", last_name="Chosen")
    client.force_login(agent)
    body = client.get(reverse("web:task-customer-search"), {"customer_q": "picker", "customer": picked.pk}).content
    body = body.decode()
    assert body.count('type="radio"') == 9  # the chosen one plus eight matches
    assert "Hidden" not in body and re.search(rf'value="{picked.pk}"\s+checked', body)
    assert body.index("Already Chosen") < body.index("Zed0")
    empty = client.get(reverse("web:task-customer-search"), {"customer_q": "nobody-like-this"}).content.decode()
    assert "No customer matches" in empty
    # Another team's customer cannot be smuggled in as "already chosen".
    hidden = make_customer(owner=stranger, first_name="Smuggled")
    body = client.get(reverse("web:task-customer-search"), {"customer": hidden.pk}).content.decode()
    assert "Smuggled" not in body


def test_a_customer_page_can_preselect_the_customer(client, agent):
    customer = make_customer(owner=agent, first_name="Preset")
    client.force_login(agent)
    body = client.get(reverse("web:task-list"), {"customer": customer.pk}).content.decode()
    assert re.search(rf'value="{customer.pk}"\s+checked', body)


def test_each_group_pages_with_a_cursor_and_no_offset(client, agent, frozen, django_assert_max_num_queries):
    customer = make_customer(owner=agent)
    for i in range(25):
        task_create(customer=customer, title=f"Late {i:02d}", due_at=NOW - timedelta(days=30 - i), assignee=agent)
    client.force_login(agent)
    overdue = group(client.get(reverse("web:task-list")).content, "overdue")
    assert "Late 00" in overdue and "Late 19" in overdue and "Late 20" not in overdue
    assert ">25<" in overdue  # the group's count
    more = re.search(r'hx-get="([^"]+)"', overdue.split("More")[0].rsplit("<a", 1)[1]).group(1).replace("&amp;", "&")
    assert "after=" in more and "offset" not in more.lower()
    with django_assert_max_num_queries(3) as queries:  # session, user, one page
        response = client.get(more, **HX)
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
    rows = response.content.decode()
    assert "Late 20" in rows and "Late 24" in rows and "Late 19" not in rows and "More" not in rows


def test_huge_groups_show_a_capped_count(client, agent):
    customer = make_customer(owner=agent)
    Task.objects.bulk_create(
        Task(customer=customer, title=f"bulk {i}", assignee=agent) for i in range(10_001)
    )
    client.force_login(agent)
    assert ">10,000+<" in group(client.get(reverse("web:task-list")).content, "none")


def test_the_page_needs_the_same_queries_for_few_tasks_or_many(client, agent, django_assert_max_num_queries):
    customer = make_customer(owner=agent)
    now = timezone.now()

    def add(n):
        for i in range(n):
            for due in (now - timedelta(days=2), now + timedelta(days=3), None):
                task_create(customer=customer, title=f"t{i}", due_at=due, assignee=agent)

    add(1)
    client.force_login(agent)
    # Session, user, page and capped count for each of four groups, the assignee choices.
    with django_assert_max_num_queries(11) as few:
        client.get(reverse("web:task-list"))
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("web:task-list"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("web:task-list"), {"scope": "team", "show": "done"})
