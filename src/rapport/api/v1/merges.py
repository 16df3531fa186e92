"""Merging duplicate customers and undoing a merge: ``POST /customers/{id}/merge/``, ``/merges/``.

The survivor (in the path) and the discarded customer (``discard`` in the body) must both be visible to the
caller, else 404; a read-only caller gets 403 for a customer it can see; a customer already merged away, or a
merge already undone, answers 409.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from rapport.api.errors import Conflict
from rapport.api.fields import MAX_ID, IdFilter
from rapport.api.viewsets import ServiceAutoSchema
from rapport.customers.merging import (
    MergeConflictError,
    customer_merge_absorbing,
    customer_merge_list,
    customer_merge_undo,
    customers_merge,
)
from rapport.customers.models import Customer, CustomerMerge
from rapport.customers.selectors import customer_get


class CustomerMergeSerializer(serializers.ModelSerializer):
    moved = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    filled = serializers.SerializerMethodField()
    is_undone = serializers.BooleanField(read_only=True)

    class Meta:
        model = CustomerMerge
        fields = [
            "id", "survivor", "discarded_id", "discarded_name", "reason", "merged_by", "merged_at", "undone_by",
            "undone_at", "is_undone", "moved", "deleted", "filled",
        ]
        read_only_fields = fields

    # Counts, not the ids: a customer with 10,000 orders would otherwise answer with 10,000 numbers.
    @extend_schema_field({
        "type": "object", "additionalProperties": {"type": "integer"},
        "description": "Rows moved to the survivor, per relation (e.g. commerce.Order).",
    })
    def get_moved(self, merge: CustomerMerge) -> dict[str, int]:
        return {key: len(ids) for key, ids in merge.moved.items()}

    @extend_schema_field({
        "type": "object", "additionalProperties": {"type": "integer"},
        "description": "Rows deleted as duplicates of the survivor's (kept in the record for the undo).",
    })
    def get_deleted(self, merge: CustomerMerge) -> dict[str, int]:
        return {key: len(rows) for key, rows in merge.discarded_snapshot.get("deleted", {}).items()}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_filled(self, merge: CustomerMerge) -> list[str]:
        return sorted(merge.survivor_before)


class CustomerMergeCreateSerializer(serializers.Serializer):
    discard = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=gettext_lazy("The id of the customer merged into this one.")
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _conflict(exc: MergeConflictError) -> Conflict:
    return Conflict({exc.field or api_settings.NON_FIELD_ERRORS_KEY: [exc.message]})


def _customer(user: Any, pk: Any, field: str) -> Customer:
    """The customer ``user`` may see; one merged away answers 409 (when its survivor is visible), else 404."""
    try:
        return customer_get(user=user, pk=pk)
    except Http404:
        merge = customer_merge_absorbing(user=user, customer_id=int(pk))
        if merge is None:
            raise
        message = _("Customer %(id)s was already merged into customer %(survivor)s.") % {
            "id": pk, "survivor": merge.survivor_id,
        }
        raise Conflict({field: [message]}) from None


class CustomerMergeApi(APIView):
    """Merge the customer given as ``discard`` into this one."""

    # Tells RolePermission this is a detail URL: the write check waits for the visible lookup, so a customer
    # the caller may not see answers 404 and only a visible one answers 403 to a read-only role.
    lookup_url_kwarg = "pk"

    @extend_schema(
        tags=["merges"], operation_id="customers_merge", request=CustomerMergeCreateSerializer,
        responses=CustomerMergeSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        """Move every record of ``discard`` to this customer and remove it; answers the merge record.

        This customer's fields win and its empty ones are filled from the discarded one. The discarded
        customer's id, e-mails, phones and external ids keep finding this customer. Undo with
        ``POST /merges/{id}/undo/``.
        """
        survivor = _customer(request.user, pk, api_settings.NON_FIELD_ERRORS_KEY)
        self.check_object_permissions(request, survivor)
        body = CustomerMergeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        discarded = _customer(request.user, body.validated_data["discard"], "discard")
        try:
            merge = customers_merge(
                survivor=survivor, discarded=discarded, by=request.user, reason=body.validated_data["reason"]
            )
        except MergeConflictError as exc:
            raise _conflict(exc) from None
        return Response(CustomerMergeSerializer(merge, context={"request": request}).data)


class CustomerMergeFilter(filters.FilterSet):
    customer = IdFilter(method="filter_customer", help_text="Merges into or (undone) out of this customer id.")

    class Meta:
        model = CustomerMerge
        fields: list[str] = []

    def filter_customer(self, queryset: models.QuerySet, name: str, value: int) -> models.QuerySet:
        return queryset.filter(models.Q(survivor_id=value) | models.Q(discarded_id=value))


class CustomerMergeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merges whose surviving customer the caller may see, newest first."""

    schema = ServiceAutoSchema()
    serializer_class = CustomerMergeSerializer
    filterset_class = CustomerMergeFilter
    ordering_fields = ["id"]
    ordering = "-id"

    def get_queryset(self) -> models.QuerySet[CustomerMerge]:
        return customer_merge_list(user=self.request.user)

    @extend_schema(request=None, responses=CustomerMergeSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def undo(self, request: Request, pk: str | None = None) -> Response:
        """Bring the discarded customer back with its id and records; a second undo answers 409."""
        merge = self.get_object()
        try:
            customer_merge_undo(merge=merge, by=request.user)
        except MergeConflictError as exc:
            raise _conflict(exc) from None
        merge.refresh_from_db()
        return Response(self.get_serializer(merge).data)
