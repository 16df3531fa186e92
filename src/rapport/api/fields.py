"""Serializer and filter fields shared by the API modules."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rapport.core.money import validate_currency

MAX_ID = 2**63 - 1
JSON_MAX_DEPTH = 10


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key given by id and resolved through a selector for the requesting user.

    A row the caller may not see is reported exactly like one that does not exist ("does not exist", a
    400 on this field), so the answer never tells whether it exists. Only whole numbers are accepted:
    ``1.9`` or ``true`` are not quietly turned into id 1.
    """

    def __init__(self, *, selector: Callable[..., models.QuerySet], model: type[models.Model], **kwargs: Any):
        self.selector = selector
        # The schema generator reads the model from ``queryset``; lookups go through get_queryset below.
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> models.QuerySet:
        request = self.context.get("request")
        return self.selector(user=getattr(request, "user", None))

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 19:
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class QuerysetPrimaryKeyField(VisiblePrimaryKeyField):
    """The same strict id parsing for rows that are not customer data (users, teams)."""

    def __init__(self, *, queryset_factory: Callable[[], models.QuerySet], model: type[models.Model], **kw: Any):
        super().__init__(selector=lambda user: queryset_factory(), model=model, **kw)


class CurrencyField(serializers.CharField):
    """An ISO 4217 code; lower case is accepted and stored upper case."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data).upper()
        validate_currency(value)
        return value


def _json_problem(value: Any, depth: int = 0) -> str | None:
    if depth > JSON_MAX_DEPTH:
        return str(_("Nest attributes at most %(depth)d levels deep.") % {"depth": JSON_MAX_DEPTH})
    if isinstance(value, float) and not math.isfinite(value):
        return str(_("Numbers must be finite."))
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            return str(_("Text may not contain NUL or unpaired surrogate characters."))
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _json_problem(key, depth + 1) or _json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
    return None


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.JSONField):
    """A JSON object (not a list or a scalar) that every database can store as it is."""

    default_error_messages = {"not_object": _("Give a JSON object, e.g. {{\"key\": \"value\"}}.")}

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_object")
        problem = _json_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time that still exists once converted to UTC (the database stores UTC)."""

    def to_python(self, value: Any) -> Any:
        result = super().to_python(value)
        if result is not None:
            try:
                result.astimezone(UTC)
            except OverflowError:
                message = _("Enter a date and time within the years 1 to 9999 in UTC.")
                raise ValidationError(message, code="invalid") from None
        return result


class BoundedIsoDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__((BoundedIsoDateTimeField(), BoundedIsoDateTimeField()), *args, **kwargs)


class DateTimeRangeFilter(filters.IsoDateTimeFromToRangeFilter):
    """``<name>_after`` / ``<name>_before`` in ISO 8601; a date that cannot be stored is a 400, not a 500."""

    field_class = BoundedIsoDateTimeRangeField


class IdField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.Filter):
    """Filter on a foreign key's id; a non-number or an id out of range is a 400 naming the parameter."""

    field_class = IdField
