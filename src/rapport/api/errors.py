"""Exceptions to HTTP answers: every mistake a caller can make gets a 4xx that names the field at fault.

DRF already turns its own exceptions, ``Http404`` and Django's ``PermissionDenied`` into answers. This
handler adds the errors the domain layer raises, so that services can stay free of HTTP:

- ``django.core.exceptions.ValidationError`` (``full_clean`` and the services): 400, ``{field: [messages]}``;
- ``StaleEditError``: 409 naming ``version``; other ``RapportError``: 400 naming its field
  (``NotFoundError``: 404, ``PermissionDeniedError``: 403);
- ``ObjectDoesNotExist``: 404, like ``Http404``;
- ``IntegrityError`` (a unique value taken between validation and insert): 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from rapport.core.errors import NotFoundError, PermissionDeniedError, RapportError
from rapport.customers.services import StaleEditError

NON_FIELD = "__all__"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the record.")
    default_code = "conflict"


def validation_detail(exc: DjangoValidationError) -> dict[str, Any]:
    """``{field: [messages]}`` with Django's ``__all__`` renamed to DRF's non-field key."""
    detail = as_serializer_error(exc)
    if NON_FIELD in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD)
    return detail


def _field_detail(exc: RapportError) -> dict[str, list[str]]:
    return {exc.field or api_settings.NON_FIELD_ERRORS_KEY: [exc.message]}


def translate(exc: BaseException) -> BaseException:
    """The DRF exception that stands for a domain or Django exception (or ``exc`` itself)."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(validation_detail(exc))
    if isinstance(exc, StaleEditError):
        return Conflict(_field_detail(exc))
    if isinstance(exc, NotFoundError):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, PermissionDeniedError):
        return exceptions.PermissionDenied(exc.message)
    if isinstance(exc, RapportError):
        return exceptions.ValidationError(_field_detail(exc))
    if isinstance(exc, ObjectDoesNotExist):
        return exceptions.NotFound()
    if isinstance(exc, IntegrityError):
        return Conflict(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("A record with these values already exists.")]}
        )
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    translated = translate(exc)
    return drf_exception_handler(translated, context)  # type: ignore[arg-type]
