"""Leads, opportunities (with a ``move`` between stages) and pipelines with their stages (read only)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.accounts.models import Team, User
from rapport.accounts.selectors import team_list, user_list_active
from rapport.api.fields import CurrencyField, IdFilter, QuerysetPrimaryKeyField, VisiblePrimaryKeyField
from rapport.api.pagination import KeysetOrderingFilter
from rapport.api.viewsets import ServiceAutoSchema, ServiceViewSet
from rapport.core.money import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS
from rapport.customers.models import Customer
from rapport.customers.selectors import customer_list
from rapport.sales.choices import LeadStatus, OpportunityStatus, StageKind
from rapport.sales.models import Lead, Opportunity, Pipeline, Stage
from rapport.sales.selectors import lead_list, opportunity_list, pipeline_list
from rapport.sales.services import (
    lead_create,
    lead_delete,
    lead_update,
    opportunity_create,
    opportunity_delete,
    opportunity_move,
    opportunity_update,
)


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, coerce_to_string=True, **kwargs
    )


def _choice_field(name: str, choices: list[tuple[str, Any]], description: str) -> Any:
    """A choice field with its own schema component: other resources have ``status`` and ``kind`` enums too,
    and a stage's kind and an opportunity's status share their values."""

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in choices], "description": description},
        component_name=name,
    )
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, **kwargs)

    Field.__name__ = name.removesuffix("Enum") + "Field"
    return Field


StageKindField = _choice_field("StageKindEnum", StageKind.choices, "open, won (closes as won) or lost.")
LeadStatusField = _choice_field("LeadStatusEnum", LeadStatus.choices, "Where the lead stands.")
LeadStatusInputField = _choice_field(
    "LeadStatusInputEnum",
    [c for c in LeadStatus.choices if c[0] not in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)],
    "Disqualifying (with a reason) and converting have their own pages.",
)
OpportunityStatusField = _choice_field(
    "OpportunityStatusEnum", OpportunityStatus.choices, "Follows the stage: open, won or lost."
)


def _owner_field(help_text: Any) -> QuerysetPrimaryKeyField:
    return QuerysetPrimaryKeyField(
        queryset_factory=user_list_active, model=User, required=False, allow_null=True, help_text=help_text
    )


def _team_field(help_text: Any) -> QuerysetPrimaryKeyField:
    return QuerysetPrimaryKeyField(
        queryset_factory=team_list, model=Team, required=False, allow_null=True, help_text=help_text
    )


# --- Pipelines --------------------------------------------------------------------------------------------


class StageSerializer(serializers.ModelSerializer):
    kind = StageKindField(read_only=True)

    class Meta:
        model = Stage
        fields = ["id", "name", "position", "probability", "kind"]
        read_only_fields = fields


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "is_default", "stages"]
        read_only_fields = fields


class PipelineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sales pipelines with their stages in order (configuration: read only here, edited in the admin)."""

    schema = ServiceAutoSchema()
    serializer_class = PipelineSerializer
    filter_backends = [KeysetOrderingFilter]
    ordering_fields = ["name"]
    ordering = "name"

    def get_queryset(self) -> models.QuerySet[Pipeline]:
        return pipeline_list(user=self.request.user)


# --- Leads ------------------------------------------------------------------------------------------------


class LeadSerializer(serializers.ModelSerializer):
    status = LeadStatusField(read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id", "first_name", "last_name", "organisation_name", "display_name", "email", "phone", "source",
            "status", "disqualify_reason", "notes", "owner", "team", "converted_customer", "converted_opportunity",
            "converted_at", "created_at", "updated_at",
        ]
        read_only_fields = fields


class LeadUpdateSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The owner's user id."))
    team = _team_field(_("The team's id."))
    status = LeadStatusInputField(required=False)

    class Meta:
        model = Lead
        fields = ["first_name", "last_name", "organisation_name", "email", "phone", "source", "status", "notes",
                  "owner", "team"]


class LeadCreateSerializer(LeadUpdateSerializer):
    owner = _owner_field(_("The owner's user id; defaults to the caller."))
    team = _team_field(_("Defaults to the owner's team."))


class LeadFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=LeadStatus.choices)
    owner = IdFilter(field_name="owner")
    team = IdFilter(field_name="team")

    class Meta:
        model = Lead
        fields: list[str] = []


class LeadViewSet(ServiceViewSet):
    """Leads the caller may see: an agent their own, a manager the team's, admins and analysts all."""

    serializer_class = LeadSerializer
    create_serializer_class = LeadCreateSerializer
    update_serializer_class = LeadUpdateSerializer
    filterset_class = LeadFilter
    ordering_fields = ["created_at", "display_name"]
    ordering = "-created_at"

    def get_queryset(self) -> models.QuerySet[Lead]:
        return lead_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Lead:
        status = data.pop("status", None)
        data.setdefault("owner", self.request.user)
        lead = lead_create(**data)
        return lead_update(lead=lead, data={"status": status}) if status else lead

    def update_object(self, instance: Lead, data: dict[str, Any]) -> Lead:
        return lead_update(lead=instance, data=data)

    def delete_object(self, instance: Lead) -> None:
        lead_delete(lead=instance)


# --- Opportunities ----------------------------------------------------------------------------------------


class OpportunitySerializer(serializers.ModelSerializer):
    amount = _amount(read_only=True)
    status = OpportunityStatusField(read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id", "customer", "name", "pipeline", "stage", "status", "amount", "currency", "probability",
            "expected_close", "owner", "team", "closed_at", "close_reason", "source", "version", "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OpportunityUpdateSerializer(serializers.ModelSerializer):
    amount = _amount(required=False, min_value=0)
    currency = CurrencyField(required=False, help_text=_("ISO 4217 code, e.g. MYR."))
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    owner = _owner_field(_("The owner's user id."))
    team = _team_field(_("The team's id."))
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False,
        help_text=_("The version the edit started from; a stale version is refused with 409."),
    )

    class Meta:
        model = Opportunity
        fields = ["name", "amount", "currency", "probability", "expected_close", "owner", "team", "source",
                  "close_reason", "version"]


class OpportunityCreateSerializer(serializers.ModelSerializer):
    customer = VisiblePrimaryKeyField(selector=customer_list, model=Customer, help_text=_("The customer's id."))
    pipeline = QuerysetPrimaryKeyField(
        queryset_factory=lambda: Pipeline.objects.all(), model=Pipeline, required=False, allow_null=True,
        help_text=_("Defaults to the default pipeline."),
    )
    stage = QuerysetPrimaryKeyField(
        queryset_factory=lambda: Stage.objects.all(), model=Stage, required=False, allow_null=True,
        help_text=_("Defaults to the pipeline's first open stage."),
    )
    amount = _amount(min_value=0, required=False)
    currency = CurrencyField(help_text=_("ISO 4217 code, e.g. MYR."))
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, help_text=_("Defaults to the stage's.")
    )
    owner = _owner_field(_("Defaults to the customer's account manager."))
    team = _team_field(_("Defaults to the customer's team."))
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=_("Needed when created in a won or lost stage.")
    )

    class Meta:
        model = Opportunity
        fields = ["customer", "name", "pipeline", "stage", "amount", "currency", "probability", "expected_close",
                  "owner", "team", "source", "reason"]


class OpportunityMoveSerializer(serializers.Serializer):
    stage = QuerysetPrimaryKeyField(queryset_factory=lambda: Stage.objects.all(), model=Stage,
                                    help_text=_("The stage to move to."))
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False,
        help_text=_("The version the move started from; a stale version is refused with 409."),
    )
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=_("Needed to move to a won or lost stage.")
    )


class OpportunityFilter(filters.FilterSet):
    customer = IdFilter(field_name="customer")
    pipeline = IdFilter(field_name="pipeline")
    stage = IdFilter(field_name="stage")
    owner = IdFilter(field_name="owner")
    team = IdFilter(field_name="team")
    status = filters.ChoiceFilter(choices=OpportunityStatus.choices)

    class Meta:
        model = Opportunity
        fields: list[str] = []


class OpportunityViewSet(ServiceViewSet):
    """Opportunities the caller may see. A stage change goes through ``move``, which honours the version."""

    serializer_class = OpportunitySerializer
    create_serializer_class = OpportunityCreateSerializer
    update_serializer_class = OpportunityUpdateSerializer
    filterset_class = OpportunityFilter
    ordering_fields = ["created_at", "expected_close", "amount", "name"]
    ordering = "-created_at"

    def get_queryset(self) -> models.QuerySet[Opportunity]:
        return opportunity_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Opportunity:
        return opportunity_create(by=self.request.user, **data)

    def update_object(self, instance: Opportunity, data: dict[str, Any]) -> Opportunity:
        version = data.pop("version", None)
        return opportunity_update(opportunity=instance, data=data, expected_version=version, by=self.request.user)

    def delete_object(self, instance: Opportunity) -> None:
        opportunity_delete(opportunity=instance)

    def get_serializer_class(self) -> Any:
        if self.action == "move":
            return OpportunityMoveSerializer
        return super().get_serializer_class()

    @extend_schema(request=OpportunityMoveSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move to another stage; won and lost need a ``reason``; a stale ``version`` answers 409."""
        instance = self.get_object()
        serializer = OpportunityMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            moved = opportunity_move(
                opportunity=instance, stage=data["stage"], expected_version=data.get("version"), by=request.user,
                reason=data.get("reason", ""),
            )
        return Response(self.render(moved))
