"""Who may see what: the one place where customer-data visibility is decided.

Every view, API endpoint, export and search filters through :func:`visible_to`. A model opts in by
declaring ``access_paths``: the ORM paths from it to the owning user and to the owning team. Core does
not import the accounts app; a user only has to offer ``visibility_scope`` and ``team_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models

SCOPE_ALL = "all"
SCOPE_TEAM = "team"
SCOPE_OWN = "own"

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class AccessPaths:
    owner: str  # path to the owning user's id, e.g. "owner" or "customer__owner"
    team: str  # path to the owning team's id, e.g. "team" or "customer__team"


def scope_of(user: Any) -> str | None:
    """The user's scope, or None when the user may see no customer data at all."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if getattr(user, "is_superuser", False):
        return SCOPE_ALL
    return str(user.visibility_scope)


def visible_to(user: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Narrow ``queryset`` to the rows ``user`` may see."""
    paths: AccessPaths | None = getattr(queryset.model, "access_paths", None)
    if paths is None:
        raise ImproperlyConfigured(f"{queryset.model.__name__} declares no access_paths")
    scope = scope_of(user)
    if scope is None:
        return queryset.none()
    if scope == SCOPE_ALL:
        return queryset
    own = models.Q(**{paths.owner: user.pk})
    if scope == SCOPE_TEAM and user.team_id is not None:
        return queryset.filter(own | models.Q(**{paths.team: user.team_id}))
    return queryset.filter(own)


def visible_branches(user: Any, queryset: models.QuerySet[M]) -> list[models.QuerySet[M]]:
    """``visible_to`` as querysets whose union is exactly what ``user`` may see, each narrowed by one column.

    A team scope is "mine OR my team's". One query with that OR cannot walk an (owner, ...) or (team, ...)
    index in order, so at a million rows an ordered page of it filters its way along the whole name index.
    Read apart, each branch is an index range; :meth:`rapport.core.keyset.Ordering.page_union` merges them.
    """
    paths: AccessPaths | None = getattr(queryset.model, "access_paths", None)
    if paths is not None and scope_of(user) == SCOPE_TEAM and user.team_id is not None:
        return [queryset.filter(**{paths.owner: user.pk}), queryset.filter(**{paths.team: user.team_id})]
    return [visible_to(user, queryset)]


def can_see(user: Any, obj: models.Model) -> bool:
    return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def can_write(user: Any) -> bool:
    return scope_of(user) is not None and (getattr(user, "is_superuser", False) or bool(user.can_write))
