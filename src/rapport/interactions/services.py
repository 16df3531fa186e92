"""Writes for touchpoints, notes and tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from rapport.customers.models import Customer
from rapport.interactions.models import Interaction, Note, Task


@transaction.atomic
def interaction_log(
    *,
    customer: Customer,
    channel: str,
    direction: str,
    subject: str = "",
    body: str = "",
    occurred_at: datetime | None = None,
    user: Any = None,
    related: models.Model | None = None,
    source: str = "",
) -> Interaction:
    interaction = Interaction(
        customer=customer, channel=channel, direction=direction, subject=subject, body=body,
        occurred_at=occurred_at or timezone.now(), user=user, source=source,
    )
    if related is not None:
        interaction.related_type = ContentType.objects.get_for_model(related)
        interaction.related_id = related.pk
    interaction.full_clean()
    interaction.save()
    return interaction


@transaction.atomic
def interaction_update(*, interaction: Interaction, data: dict[str, Any]) -> Interaction:
    for name, value in data.items():
        setattr(interaction, name, value)
    interaction.full_clean()
    interaction.save()
    return interaction


@transaction.atomic
def note_add(*, customer: Customer, body: str, author: Any = None) -> Note:
    note = Note(customer=customer, body=body, author=author)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def note_update(*, note: Note, body: str) -> Note:
    note.body = body
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def task_create(
    *,
    customer: Customer,
    title: str,
    description: str = "",
    due_at: datetime | None = None,
    assignee: Any = None,
    created_by: Any = None,
) -> Task:
    task = Task(
        customer=customer, title=title, description=description, due_at=due_at, assignee=assignee,
        created_by=created_by,
    )
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_update(*, task: Task, data: dict[str, Any]) -> Task:
    done = data.pop("done", None)
    for name, value in data.items():
        setattr(task, name, value)
    if done is not None:
        task.done_at = (task.done_at or timezone.now()) if done else None
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_complete(*, task: Task) -> Task:
    return task_update(task=task, data={"done": True})


@transaction.atomic
def task_reopen(*, task: Task) -> Task:
    """Undo a completion: the task is open again, with its due date and assignee as they were."""
    return task_update(task=task, data={"done": False})


@transaction.atomic
def interaction_delete(*, interaction: Interaction) -> None:
    interaction.delete()


@transaction.atomic
def note_delete(*, note: Note) -> None:
    note.delete()


@transaction.atomic
def task_delete(*, task: Task) -> None:
    task.delete()
