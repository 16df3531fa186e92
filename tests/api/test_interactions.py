"""/api/v1/interactions/, /notes/ and /tasks/: touchpoints and follow-ups about visible customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from rapport.interactions.models import Interaction, Note, Task
from rapport.interactions.services import interaction_log, task_create, task_update
from tests.factories import make_user

pytestmark = pytest.mark.django_db


# --- interactions ----------------------------------------------------------------------------------------


def test_it_logs_an_interaction_with_the_caller_as_staff_member(api, agent, mine):
    response = api.as_user(agent).post(
        "/api/v1/interactions/",
        {"customer": mine.pk, "channel": "email", "direction": "outbound", "subject": "Offer",
         "occurred_at": "2026-01-02T03:04:05+08:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"] == agent.pk and body["occurred_at"] == "2026-01-01T19:04:05Z"
    assert Interaction.objects.get(pk=body["id"]).customer == mine


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"channel": "pigeon"}, "channel"), ({"direction": "sideways"}, "direction"), ({"customer": None}, "customer"),
     ({"occurred_at": "soon"}, "occurred_at"), ({"subject": "x" * 201}, "subject"), ({"customer": "1.5"}, "customer"),
     ({"occurred_at": "9999-12-31T23:59:59-12:00"}, "occurred_at")],
)
def test_it_names_the_bad_interaction_field(api, agent, mine, payload, field):
    valid = {"customer": mine.pk, "channel": "email", "direction": "outbound"}
    response = api.as_user(agent).post("/api/v1/interactions/", {**valid, **payload}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Interaction.objects.exists()


def test_it_updates_and_deletes_an_interaction(api, agent, world):
    client = api.as_user(agent)
    url = f"/api/v1/interactions/{world.interaction.pk}/"
    response = client.patch(url, {"subject": "Renewal", "direction": "outbound"}, format="json")
    assert response.status_code == 200 and response.json()["subject"] == "Renewal"
    assert client.delete(url).status_code == 204
    assert not Interaction.objects.filter(pk=world.interaction.pk).exists()


def test_it_filters_interactions(api, agent, mine, colleague):
    day = datetime(2026, 3, 1, tzinfo=UTC)
    for i, channel in enumerate(["phone", "email", "phone"]):
        interaction_log(customer=mine, channel=channel, direction="inbound", subject=f"n{i}",
                        occurred_at=day + timedelta(days=i))
    client = api.as_user(agent)

    def subjects(query):
        response = client.get(f"/api/v1/interactions/?{query}")
        assert response.status_code == 200, response.json()
        return [r["subject"] for r in response.json()["results"]]

    assert subjects("") == ["n2", "n1", "n0"]
    assert subjects("ordering=occurred_at") == ["n0", "n1", "n2"]
    assert subjects("channel=phone") == ["n2", "n0"]
    assert subjects("direction=outbound") == []
    assert subjects(f"customer={mine.pk}&occurred_at_after=2026-03-02T00:00:00Z") == ["n2", "n1"]
    assert subjects("occurred_at_before=2026-03-02T00:00:00Z") == ["n1", "n0"]  # both ends included
    assert client.get("/api/v1/interactions/?occurred_at_after=someday").status_code == 400


# --- notes -------------------------------------------------------------------------------------------------


def test_it_adds_a_note_with_the_caller_as_author(api, agent, mine):
    response = api.as_user(agent).post("/api/v1/notes/", {"customer": mine.pk, "body": "Likes tea"}, format="json")
    assert response.status_code == 201 and response.json()["author"] == agent.pk


def test_a_note_needs_a_body(api, agent, mine):
    response = api.as_user(agent).post("/api/v1/notes/", {"customer": mine.pk, "body": ""}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    assert not Note.objects.exists()


def test_it_edits_lists_and_deletes_notes(api, agent, world):
    client = api.as_user(agent)
    url = f"/api/v1/notes/{world.note.pk}/"
    assert client.patch(url, {"body": "Likes green tea"}, format="json").json()["body"] == "Likes green tea"
    assert client.put(url, {}, format="json").status_code == 400  # a full update needs the body
    rows = client.get(f"/api/v1/notes/?customer={world.customer.pk}").json()["results"]
    assert [r["body"] for r in rows] == ["Likes green tea"]
    assert client.delete(url).status_code == 204
    assert not Note.objects.filter(pk=world.note.pk).exists()


# --- tasks -------------------------------------------------------------------------------------------------


def test_it_creates_a_task_assigned_to_the_caller_unless_told_otherwise(api, agent, colleague, mine):
    client = api.as_user(agent)
    mine_task = client.post("/api/v1/tasks/", {"customer": mine.pk, "title": "Call"}, format="json").json()
    assert mine_task["assignee"] == agent.pk and mine_task["created_by"] == agent.pk and mine_task["done"] is False
    theirs = client.post(
        "/api/v1/tasks/", {"customer": mine.pk, "title": "Visit", "assignee": colleague.pk}, format="json"
    ).json()
    assert theirs["assignee"] == colleague.pk


def test_it_refuses_an_unknown_assignee(api, agent, mine):
    response = api.as_user(agent).post(
        "/api/v1/tasks/", {"customer": mine.pk, "title": "Call", "assignee": 987654}, format="json"
    )
    assert response.status_code == 400 and "assignee" in response.json()


def test_it_marks_a_task_done_and_open_again(api, agent, world):
    client = api.as_user(agent)
    url = f"/api/v1/tasks/{world.task.pk}/"
    done = client.patch(url, {"done": True}, format="json").json()
    assert done["done"] is True and done["done_at"] is not None
    reopened = client.patch(url, {"done": False}, format="json").json()
    assert reopened["done"] is False and reopened["done_at"] is None


def test_it_deletes_a_task(api, agent, world):
    assert api.as_user(agent).delete(f"/api/v1/tasks/{world.task.pk}/").status_code == 204
    assert not Task.objects.filter(pk=world.task.pk).exists()


def test_it_filters_and_orders_tasks(api, agent, mine):
    other = make_user(team=agent.team)
    now = timezone.now()
    task_create(customer=mine, title="later", due_at=now + timedelta(days=5), assignee=agent)
    task_create(customer=mine, title="soon", due_at=now + timedelta(days=1), assignee=agent)
    task_create(customer=mine, title="someday", assignee=other)
    finished = task_create(customer=mine, title="finished", due_at=now - timedelta(days=1), assignee=agent)
    task_update(task=finished, data={"done": True})
    client = api.as_user(agent)

    def titles(query):
        response = client.get(f"/api/v1/tasks/?{query}")
        assert response.status_code == 200, response.json()
        return [r["title"] for r in response.json()["results"]]

    assert titles("ordering=due_at") == ["finished", "soon", "later", "someday"]  # no due date: last
    assert titles("ordering=-due_at") == ["someday", "later", "soon", "finished"]
    assert titles("ordering=-created_at") == ["finished", "someday", "soon", "later"]
    assert titles("done=true") == ["finished"]
    assert titles("done=false&ordering=created_at") == ["later", "soon", "someday"]
    assert titles(f"assignee={other.pk}") == ["someday"]
    assert titles(f"customer={mine.pk}&due_at_before={(now + timedelta(days=2)).isoformat().replace('+', '%2B')}"
                  "&ordering=due_at") == ["finished", "soon"]
