"""Customers, their contact persons and their timeline."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from rapport.accounts.models import Team, User
from rapport.accounts.selectors import team_list, user_list_active
from rapport.api.fields import IdFilter, JSONObjectField, QuerysetPrimaryKeyField, VisiblePrimaryKeyField
from rapport.api.v1.analytics import CustomerScoreFilter
from rapport.api.viewsets import ServiceViewSet
from rapport.customers.choices import ContactPointKind, CustomerKind, LifecycleStage, RelationshipLevel
from rapport.customers.models import Contact, ContactPoint, Customer, ExternalIdentifier, Tag
from rapport.customers.models.customer import country_code_validator
from rapport.customers.normalize import normalize_email, normalize_phone
from rapport.customers.selectors import contact_list, customer_list, customer_single_view
from rapport.customers.services import (
    Identifier,
    contact_create,
    contact_delete,
    contact_point_add,
    contact_point_remove,
    contact_update,
    customer_create,
    customer_delete,
    customer_set_tags,
    customer_update,
)
from rapport.customers.timeline import registered_sources
from rapport.dedupe.check import likely_duplicates

MAX_LIST_ITEMS = 50

# --- Customers --------------------------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    emails = serializers.SerializerMethodField()
    phones = serializers.SerializerMethodField()
    tags: serializers.SlugRelatedField[Tag] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    attributes = JSONObjectField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id", "kind", "first_name", "last_name", "organisation_name", "display_name", "primary_email",
            "primary_phone", "emails", "phones", "language", "country", "city", "birth_date", "attributes",
            "tags", "lifecycle_stage", "relationship_level", "owner", "team", "version", "created_at",
            "updated_at", "source",
        ]
        read_only_fields = fields

    @staticmethod
    def _points(customer: Customer, kind: str) -> list[str]:
        # Reads the prefetched contact points (primary first): no query per row.
        return [p.value for p in customer.contact_points.all() if p.kind == kind]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_emails(self, customer: Customer) -> list[str]:
        return self._points(customer, ContactPointKind.EMAIL)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_phones(self, customer: Customer) -> list[str]:
        return self._points(customer, ContactPointKind.PHONE)


class IdentifierSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=64)  # type: ignore[assignment]  # the stubs' Field.source
    external_id = serializers.CharField(max_length=128)


class CustomerWriteSerializer(serializers.ModelSerializer):
    """What a caller may set on a customer; ``display_name`` and the primary e-mail/phone follow from it."""

    emails = serializers.ListField(
        child=serializers.EmailField(max_length=254), max_length=MAX_LIST_ITEMS, required=False,
        help_text=_("E-mail addresses, the first one primary. On update the list replaces the current one."),
    )
    phones = serializers.ListField(
        child=serializers.CharField(max_length=32), max_length=MAX_LIST_ITEMS, required=False,
        help_text=_("Phone numbers, the first one primary. On update the list replaces the current one."),
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=MAX_LIST_ITEMS, required=False,
        help_text=_("Tag names; unknown tags are created. On update the list replaces the current one."),
    )
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    attributes = JSONObjectField(required=False)
    owner = QuerysetPrimaryKeyField(
        queryset_factory=user_list_active, model=User, required=False, allow_null=True,
        help_text=_("The account manager's user id; defaults to the caller on create."),
    )
    team = QuerysetPrimaryKeyField(
        queryset_factory=team_list, model=Team, required=False, allow_null=True,
        help_text=_("Defaults to the account manager's team on create."),
    )

    class Meta:
        model = Customer
        fields = [
            "kind", "first_name", "last_name", "organisation_name", "emails", "phones", "language", "country",
            "city", "birth_date", "attributes", "tags", "lifecycle_stage", "relationship_level", "owner", "team",
            "source",
        ]

    def validate_country(self, value: str) -> str:
        value = value.upper()
        if value:
            country_code_validator(value)
        return value


class CustomerCreateSerializer(CustomerWriteSerializer):
    identifiers: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=IdentifierSerializer(), required=False, max_length=MAX_LIST_ITEMS
    )
    allow_duplicate = serializers.BooleanField(
        required=False, default=False, write_only=True,
        help_text=_("Create the customer even when it is likely a duplicate of one you can see (else 409)."),
    )

    class Meta(CustomerWriteSerializer.Meta):
        fields = [*CustomerWriteSerializer.Meta.fields, "identifiers", "allow_duplicate"]


class DuplicateEvidenceSerializer(serializers.Serializer):
    comparison = serializers.CharField()
    level = serializers.CharField()
    text = serializers.CharField()
    weight = serializers.FloatField(help_text=_("Match weight in bits: positive for, negative against."))


class DuplicateCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    probability = serializers.FloatField()
    evidence = DuplicateEvidenceSerializer(many=True)


class LikelyDuplicateSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="likely_duplicate")
    detail = serializers.CharField()
    candidates = DuplicateCandidateSerializer(many=True)


def _likely_duplicate_answer(user: Any, data: dict[str, Any]) -> Response | None:
    """409 naming the customers the new one likely duplicates, or None when there are none."""
    candidates = likely_duplicates(
        user=user, first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
        organisation_name=data.get("organisation_name", ""), email=next(iter(data.get("emails") or []), ""),
        phone=next(iter(data.get("phones") or []), ""), birth_date=data.get("birth_date"),
        country=data.get("country", ""),
    )
    if not candidates:
        return None
    body = {
        "code": "likely_duplicate",
        "detail": _("This customer is likely a duplicate of one that exists. Send allow_duplicate: true to "
                    "create it anyway."),
        "candidates": [
            {"id": c.customer.pk, "display_name": c.customer.display_name, "probability": round(c.probability, 4),
             "evidence": c.evidence}
            for c in candidates
        ],
    }
    return Response(LikelyDuplicateSerializer(body).data, status=status.HTTP_409_CONFLICT)


class CustomerUpdateSerializer(CustomerWriteSerializer):
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False,
        help_text=_("The version the edit started from; a stale version is refused with 409."),
    )

    class Meta(CustomerWriteSerializer.Meta):
        fields = [*CustomerWriteSerializer.Meta.fields, "version"]


class CustomerFilter(CustomerScoreFilter):
    """The customer list's filters; ``value``, ``risk``, ``rfm`` and ``segment`` come from the analytics."""

    kind = filters.ChoiceFilter(choices=CustomerKind.choices)
    lifecycle_stage = filters.ChoiceFilter(choices=LifecycleStage.choices)
    relationship_level = filters.ChoiceFilter(choices=RelationshipLevel.choices)
    owner = IdFilter(field_name="owner")
    team = IdFilter(field_name="team")
    country = filters.CharFilter(method="filter_country", max_length=2)
    city = filters.CharFilter(max_length=100)
    language = filters.CharFilter(max_length=8)
    tag = filters.CharFilter(field_name="tags__name", max_length=64, help_text="A tag name.")
    email = filters.CharFilter(method="filter_email", max_length=254, help_text="Any of the customer's e-mails.")
    external_id = filters.CharFilter(
        method="filter_external_id", max_length=128, help_text="An id in any source system."
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_country(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        return queryset.filter(country=value.upper())

    def filter_email(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        # Every e-mail, primary or not, is a contact point with an indexed normalised form.
        points = ContactPoint.objects.filter(kind=ContactPointKind.EMAIL, normalized=normalize_email(value))
        return queryset.filter(pk__in=points.values("customer_id"))

    def filter_external_id(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        idents = ExternalIdentifier.objects.filter(external_id=value.strip())
        return queryset.filter(pk__in=idents.values("customer_id"))


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    body = serializers.CharField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    state = serializers.CharField(allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField(allow_null=True)
    actor = serializers.CharField(allow_null=True, help_text=_("The staff member's username."))


class TimelinePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    next_cursor = serializers.CharField(allow_null=True)
    results = TimelineEntrySerializer(many=True)


class TimelineQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=500)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)
    kind = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=20)

    def validate_kind(self, value: list[str]) -> set[str] | None:
        known = {s.kind for s in registered_sources()}
        kinds = {part.strip() for item in value for part in item.split(",") if part.strip()}
        unknown = sorted(kinds - known)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown kind %(kinds)s; use %(known)s.") % {
                    "kinds": ", ".join(unknown), "known": ", ".join(sorted(known))
                }
            )
        return kinds or None  # an empty ?kind= means every kind


def _timeline_kinds() -> list[str]:
    # Domains register their sources in AppConfig.ready, which has run before the URLconf imports this.
    return sorted(s.kind for s in registered_sources())


def _replace_points(customer: Customer, kind: str, values: list[str]) -> None:
    """Make the customer's e-mails (or phones) exactly ``values``, the first one primary."""
    normalize = normalize_email if kind == ContactPointKind.EMAIL else normalize_phone
    wanted = [normalize(v) for v in values]
    current = {p.normalized: p for p in customer.contact_points.filter(kind=kind)}
    for normalized, point in current.items():
        if normalized not in wanted:
            contact_point_remove(point=point)
    first = current.get(wanted[0]) if wanted else None
    if first is not None and not first.is_primary:
        # No service moves the primary flag; re-adding the point as primary keeps its label and source.
        contact_point_remove(point=first)
        contact_point_add(
            customer=customer, kind=kind, value=first.value, label=first.label, source=first.source, is_primary=True
        )
    for index, value in enumerate(values):
        contact_point_add(customer=customer, kind=kind, value=value, is_primary=index == 0)


class CustomerViewSet(ServiceViewSet):
    """Customers the caller may see: an agent their own, a manager the team's, admins and analysts all."""

    serializer_class = CustomerSerializer
    create_serializer_class = CustomerCreateSerializer
    update_serializer_class = CustomerUpdateSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["display_name", "created_at"]
    ordering = "display_name"

    def get_queryset(self) -> models.QuerySet[Customer]:
        return customer_list(user=self.request.user).prefetch_related(
            models.Prefetch("contact_points", queryset=ContactPoint.objects.order_by("-is_primary", "id")),
            "tags",
        )

    @extend_schema(responses={201: CustomerSerializer, 409: LikelyDuplicateSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a customer; 409 with the likely duplicates unless ``allow_duplicate`` is true."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not data.pop("allow_duplicate", False):
            conflict = _likely_duplicate_answer(request.user, data)
            if conflict is not None:
                return conflict
        with transaction.atomic():
            instance = self.create_object(data)
        return Response(self.render(instance), status=status.HTTP_201_CREATED)

    def create_object(self, data: dict[str, Any]) -> Customer:
        data.pop("allow_duplicate", None)
        identifiers = [Identifier(**ident) for ident in data.pop("identifiers", [])]
        if "owner" not in data:
            data["owner"] = self.request.user
        if "team" not in data:
            data["team"] = getattr(data["owner"], "team", None)
        return customer_create(identifiers=identifiers, **data)

    def update_object(self, instance: Customer, data: dict[str, Any]) -> Customer:
        version = data.pop("version", None)
        tags, emails, phones = data.pop("tags", None), data.pop("emails", None), data.pop("phones", None)
        # Every successful edit moves the version on, also one that only changes tags or contact points.
        customer = customer_update(customer=instance, data=data, expected_version=version)
        if tags is not None:
            customer_set_tags(customer=customer, names=tags)
        if emails is not None:
            _replace_points(customer, ContactPointKind.EMAIL, emails)
        if phones is not None:
            _replace_points(customer, ContactPointKind.PHONE, phones)
        return customer

    def delete_object(self, instance: Customer) -> None:
        customer_delete(customer=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="The `next_cursor` of the previous page."),
            OpenApiParameter("limit", int, description="Entries per page, 1 to 200 (default 50)."),
            OpenApiParameter(
                "kind", str, many=True, enum=_timeline_kinds(), explode=True,
                description="Only these kinds of entries (repeat the parameter or separate with commas).",
            ),
        ],
        responses=TimelinePageSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """One page of the customer's timeline (interactions, orders, tasks, notes), newest first."""
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        view = customer_single_view(
            user=request.user, pk=pk, cursor=params.get("cursor"), limit=params["limit"],
            kinds=params.get("kind"),
        )
        page = view.timeline
        next_link = None
        if page.next_cursor:
            next_link = replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
        data = {"next": next_link, "next_cursor": page.next_cursor, "results": page.entries}
        return Response(TimelinePageSerializer(data).data)


# --- Contact persons --------------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id", "organisation", "first_name", "last_name", "job_title", "email", "phone", "is_primary",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class ContactUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "job_title", "email", "phone", "is_primary"]


class ContactCreateSerializer(ContactUpdateSerializer):
    organisation = VisiblePrimaryKeyField(
        selector=customer_list, model=Customer, help_text=_("The organisation customer's id.")
    )

    class Meta(ContactUpdateSerializer.Meta):
        fields = ["organisation", *ContactUpdateSerializer.Meta.fields]


class ContactFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation")

    class Meta:
        model = Contact
        fields: list[str] = []


class ContactViewSet(ServiceViewSet):
    """Contact persons at the organisation customers the caller may see."""

    serializer_class = ContactSerializer
    create_serializer_class = ContactCreateSerializer
    update_serializer_class = ContactUpdateSerializer
    filterset_class = ContactFilter
    ordering_fields = ["id"]
    ordering = "id"

    def get_queryset(self) -> models.QuerySet[Contact]:
        return contact_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Contact:
        return contact_create(**data)

    def update_object(self, instance: Contact, data: dict[str, Any]) -> Contact:
        return contact_update(contact=instance, data=data)

    def delete_object(self, instance: Contact) -> None:
        contact_delete(contact=instance)
