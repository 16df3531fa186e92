from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from rapport.core.access import visible_to
from rapport.interactions.models import Interaction, Note, Task


def interaction_list(*, user: Any) -> QuerySet[Interaction]:
    return visible_to(user, Interaction.objects.select_related("customer", "user"))


def note_list(*, user: Any) -> QuerySet[Note]:
    return visible_to(user, Note.objects.select_related("customer", "author"))


def task_list(*, user: Any) -> QuerySet[Task]:
    return visible_to(user, Task.objects.select_related("customer", "assignee"))


def task_list_open_for(*, user: Any) -> QuerySet[Task]:
    """The user's own open tasks, overdue first (nulls last), then by due date."""
    return task_list(user=user).filter(assignee=user, done_at__isnull=True).order_by(
        F("due_at").asc(nulls_last=True), "id"
    )
