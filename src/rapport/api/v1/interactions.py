"""Interactions (touchpoints), notes and tasks: always about a customer the caller may see."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers

from rapport.accounts.models import User
from rapport.accounts.selectors import user_list_active
from rapport.api.fields import DateTimeRangeFilter, IdFilter, QuerysetPrimaryKeyField, VisiblePrimaryKeyField
from rapport.api.viewsets import ServiceViewSet
from rapport.customers.models import Customer
from rapport.customers.selectors import customer_list
from rapport.interactions.choices import Channel, Direction
from rapport.interactions.models import Interaction, Note, Task
from rapport.interactions.selectors import interaction_list, note_list, task_list
from rapport.interactions.services import (
    interaction_delete,
    interaction_log,
    interaction_update,
    note_add,
    note_delete,
    note_update,
    task_create,
    task_delete,
    task_update,
)


def _customer_field() -> VisiblePrimaryKeyField:
    return VisiblePrimaryKeyField(selector=customer_list, model=Customer, help_text=_("The customer's id."))


# --- Interactions -----------------------------------------------------------------------------------------


class InteractionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = [
            "id", "customer", "channel", "direction", "subject", "body", "occurred_at", "user", "source",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class InteractionUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = ["channel", "direction", "subject", "body", "occurred_at", "source"]


class InteractionCreateSerializer(InteractionUpdateSerializer):
    customer = _customer_field()

    class Meta(InteractionUpdateSerializer.Meta):
        fields = ["customer", *InteractionUpdateSerializer.Meta.fields]


class InteractionFilter(filters.FilterSet):
    customer = IdFilter(field_name="customer")
    channel = filters.ChoiceFilter(choices=Channel.choices)
    direction = filters.ChoiceFilter(choices=Direction.choices)
    occurred_at = DateTimeRangeFilter()

    class Meta:
        model = Interaction
        fields: list[str] = []


class InteractionViewSet(ServiceViewSet):
    """Touchpoints on every channel; the caller is recorded as the staff member who logged one."""

    serializer_class = InteractionSerializer
    create_serializer_class = InteractionCreateSerializer
    update_serializer_class = InteractionUpdateSerializer
    filterset_class = InteractionFilter
    ordering_fields = ["occurred_at"]
    ordering = "-occurred_at"

    def get_queryset(self) -> models.QuerySet[Interaction]:
        return interaction_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Interaction:
        return interaction_log(user=self.request.user, **data)

    def update_object(self, instance: Interaction, data: dict[str, Any]) -> Interaction:
        return interaction_update(interaction=instance, data=data)

    def delete_object(self, instance: Interaction) -> None:
        interaction_delete(interaction=instance)


# --- Notes ------------------------------------------------------------------------------------------------


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "customer", "author", "body", "created_at", "updated_at"]
        read_only_fields = fields


class NoteUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["body"]


class NoteCreateSerializer(NoteUpdateSerializer):
    customer = _customer_field()

    class Meta(NoteUpdateSerializer.Meta):
        fields = ["customer", "body"]


class NoteFilter(filters.FilterSet):
    customer = IdFilter(field_name="customer")

    class Meta:
        model = Note
        fields: list[str] = []


class NoteViewSet(ServiceViewSet):
    """Free-text notes; the caller is recorded as the author."""

    serializer_class = NoteSerializer
    create_serializer_class = NoteCreateSerializer
    update_serializer_class = NoteUpdateSerializer
    filterset_class = NoteFilter
    ordering_fields = ["created_at"]
    ordering = "-created_at"

    def get_queryset(self) -> models.QuerySet[Note]:
        return note_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Note:
        return note_add(author=self.request.user, **data)

    def update_object(self, instance: Note, data: dict[str, Any]) -> Note:
        if "body" not in data:  # a PATCH without a body changes nothing
            return instance
        return note_update(note=instance, body=data["body"])

    def delete_object(self, instance: Note) -> None:
        note_delete(note=instance)


# --- Tasks ------------------------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    done = serializers.BooleanField(source="is_done", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id", "customer", "title", "description", "due_at", "assignee", "created_by", "done", "done_at",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class TaskUpdateSerializer(serializers.ModelSerializer):
    assignee = QuerysetPrimaryKeyField(
        queryset_factory=user_list_active, model=User, required=False, allow_null=True,
        help_text=_("The user id; defaults to the caller on create."),
    )
    done = serializers.BooleanField(required=False, help_text=_("Mark the task done (true) or open again."))

    class Meta:
        model = Task
        fields = ["title", "description", "due_at", "assignee", "done"]


class TaskCreateSerializer(TaskUpdateSerializer):
    customer = _customer_field()
    done = None  # type: ignore[assignment]  # a new task is open: the field is removed

    class Meta(TaskUpdateSerializer.Meta):
        fields = ["customer", "title", "description", "due_at", "assignee"]


class TaskFilter(filters.FilterSet):
    customer = IdFilter(field_name="customer")
    assignee = IdFilter(field_name="assignee")
    done = filters.BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True)
    due_at = DateTimeRangeFilter()

    class Meta:
        model = Task
        fields: list[str] = []


class TaskViewSet(ServiceViewSet):
    """Follow-ups about a customer; the caller is recorded as the creator."""

    serializer_class = TaskSerializer
    create_serializer_class = TaskCreateSerializer
    update_serializer_class = TaskUpdateSerializer
    filterset_class = TaskFilter
    ordering_fields = ["due_at", "created_at"]
    ordering = "-created_at"

    def get_queryset(self) -> models.QuerySet[Task]:
        return task_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Task:
        data.setdefault("assignee", self.request.user)
        return task_create(created_by=self.request.user, **data)

    def update_object(self, instance: Task, data: dict[str, Any]) -> Task:
        return task_update(task=instance, data=data)

    def delete_object(self, instance: Task) -> None:
        task_delete(task=instance)
