"""A customer's scores (``GET /customers/{id}/scores/``) and the customer list's score filters.

Scores are read through the access-scoping selectors: a customer the caller may not see answers 404, as every
other customer route does. The list filters narrow ``/customers/`` to the current run's bands and segments with
the same semi-join the workspace's list uses (``analytics.filters``, registered with ``customers.listing``).
"""

from __future__ import annotations

import math
from typing import Any

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rapport.analytics.choices import Band, RfmSegment, ValueSegment
from rapport.analytics.dashboard import run_currency
from rapport.analytics.explain import reasons_of
from rapport.analytics.models import CustomerScore
from rapport.analytics.selectors import customer_score, customer_score_history
from rapport.analytics.wording import reason_sentence
from rapport.api.fields import MAX_ID
from rapport.customers import listing
from rapport.customers.selectors import customer_get

SCORE_HISTORY = 12
# The bands' values are Band's; the labels say which band, so that the schema documents two enums (RiskBandEnum,
# ValueBandEnum) rather than one choice set under two names.
RISK_BANDS = [(Band.LOW, _("Low risk")), (Band.MEDIUM, _("Medium risk")), (Band.HIGH, _("High risk"))]
VALUE_BANDS = [(Band.LOW, _("Low value")), (Band.MEDIUM, _("Medium value")), (Band.HIGH, _("High value"))]


class FiniteFloatField(serializers.FloatField):
    """A float that is null rather than NaN or infinity (strict JSON has neither)."""

    def to_representation(self, value: Any) -> Any:
        number = float(value)
        return number if math.isfinite(number) else None


class ScoreReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The cause of defection, e.g. drifting_away."))
    weight = serializers.FloatField(help_text=_("How much the cause pushes the risk up (log-odds)."))
    template = serializers.CharField(help_text=_("The sentence template id, e.g. drifting_away.overdue."))
    params = serializers.DictField(child=serializers.CharField())
    sentence = serializers.CharField(help_text=_("The reason in the caller's language (Accept-Language)."))


def _reason(reason: Any) -> dict[str, Any]:
    """A stored reason in the documented shape, whatever an older run stored."""
    raw = reason if isinstance(reason, dict) else {}
    try:
        weight = float(raw.get("weight") or 0.0)
    except (TypeError, ValueError, OverflowError):
        weight = 0.0
    params: dict[Any, Any] = raw["params"] if isinstance(raw.get("params"), dict) else {}
    return {
        "code": str(raw.get("code") or ""), "weight": weight if math.isfinite(weight) else 0.0,
        "template": str(raw.get("template") or ""), "params": {str(k): str(v) for k, v in params.items()},
        "sentence": reason_sentence(reason),
    }


class CustomerScoreSerializer(serializers.ModelSerializer):
    run = serializers.IntegerField(source="run_id", read_only=True)
    risk_band = serializers.ChoiceField(choices=RISK_BANDS, read_only=True)
    value_band = serializers.ChoiceField(choices=VALUE_BANDS, read_only=True)
    reasons = serializers.SerializerMethodField()
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping, models.FloatField: FiniteFloatField,
    }

    class Meta:
        model = CustomerScore
        fields = [
            "run", "as_of", "frequency", "recency", "age", "monetary", "days_since_purchase", "rfm_r", "rfm_f",
            "rfm_m", "rfm_segment", "p_alive", "expected_purchases", "p_no_purchase", "expected_spend", "clv",
            "actual_value", "churn_risk", "risk_band", "value_band", "value_segment", "programme", "loyalty",
            "reasons",
        ]
        read_only_fields = fields

    @extend_schema_field(ScoreReasonSerializer(many=True))
    def get_reasons(self, score: CustomerScore) -> list[dict[str, Any]]:
        return [_reason(r) for r in reasons_of(score)]


class CustomerScoresSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    model_version = serializers.CharField(allow_null=True, help_text=_("The model version of the current score."))
    currency = serializers.CharField(
        allow_null=True, help_text=_("The currency of clv, actual_value and expected_spend (the reporting currency).")
    )
    current = CustomerScoreSerializer(allow_null=True, help_text=_("The latest score; null when never scored."))
    history = CustomerScoreSerializer(many=True, help_text=_("Earlier scores, newest first."))


class CustomerScoresApi(APIView):
    """The customer's latest score with its reasons, and its earlier scores."""

    @extend_schema(tags=["customers"], operation_id="customers_scores_retrieve", responses=CustomerScoresSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """Value, churn risk with its reasons, RFM and segments of the latest scoring, and the earlier ones.

        404 for a customer the caller may not see. ``current`` is null for a customer who was never scored.
        """
        if not 0 < int(pk) <= MAX_ID:
            raise Http404("No such customer")
        customer = customer_get(user=request.user, pk=pk)
        current = customer_score(user=request.user, customer_id=customer.pk)
        earlier: list[CustomerScore] = []
        if current is not None:
            rows = customer_score_history(user=request.user, customer_id=customer.pk, limit=SCORE_HISTORY + 1)
            earlier = [row for row in rows if row.pk != current.pk][:SCORE_HISTORY]
        data = {
            "customer": customer.pk,
            "model_version": current.run.model_version if current is not None else None,
            "currency": run_currency(current.run) if current is not None else None,
            "current": current,
            "history": earlier,
        }
        return Response(CustomerScoresSerializer(data, context={"request": request}).data)


class CustomerScoreFilter(filters.FilterSet):
    """The current run's bands and segments as filters of ``/customers/`` (mixed into ``CustomerFilter``).

    A value outside the vocabulary answers 400 naming the parameter. A customer without a current score
    matches none of them.
    """

    value = filters.ChoiceFilter(
        choices=Band.choices, method="filter_score", help_text="Value band of the current scores."
    )
    risk = filters.ChoiceFilter(
        choices=Band.choices, method="filter_score", help_text="Churn risk band of the current scores."
    )
    rfm = filters.ChoiceFilter(
        choices=RfmSegment.choices, method="filter_score", help_text="RFM segment of the current scores."
    )
    segment = filters.ChoiceFilter(
        choices=ValueSegment.choices, method="filter_score", help_text="Value segment of the current scores."
    )

    def filter_score(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        # The semi-join the workspace list uses, registered by the analytics app: one definition for both.
        chosen = next((f for f in listing.extra_filters() if f.name == name), None)
        if chosen is None:  # never widen: a filter the analytics app did not register matches nothing
            return queryset.none()
        return chosen.apply(queryset, value)
