"""Who may call the API. *What* a caller sees is decided by the selectors (``visible_to``), not here.

Any signed-in, active user with a visibility scope may read. Writes need ``can_write`` (read-only and
analyst roles may not write). On a detail URL the write check waits until the object has been looked up
through the caller's visible queryset, so an object the caller may not see answers 404 to everyone
and only an object the caller *can* see answers 403 to a non-writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from rapport.core.access import can_write, scope_of

if TYPE_CHECKING:  # rest_framework.views imports this module through the settings: no runtime import
    from rest_framework.request import Request
    from rest_framework.views import APIView


class RolePermission(BasePermission):
    message = _("Your role may read these records but not change them.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if scope_of(request.user) is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        if self._is_detail(view):
            return True  # decided in has_object_permission, after the visible lookup
        return can_write(request.user)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return request.method in SAFE_METHODS or can_write(request.user)

    @staticmethod
    def _is_detail(view: APIView) -> bool:
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        return bool(lookup) and lookup in getattr(view, "kwargs", {})
