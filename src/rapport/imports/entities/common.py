"""Lookups every entity shares: customers by external id (with --create-missing), users, what the user may see."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from rapport.accounts.models import User
from rapport.core.access import SCOPE_ALL, scope_of, visible_to
from rapport.customers.models import ExternalIdentifier
from rapport.imports.fields import shown
from rapport.imports.writes import ChunkContext

M = Any


def scoped(ctx: ChunkContext, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """``queryset`` as the importing user may see it; the command line without --user acts as the system."""
    return queryset if ctx.user is None else visible_to(ctx.user, queryset)


def customers_by_external_id(ctx: ChunkContext, external_ids: Collection[str]) -> tuple[dict[str, int], set[str]]:
    """({external id: customer id} in the batch's source that the user may see, ids held by hidden customers)."""
    if not external_ids:
        return {}, set()
    identifiers = ExternalIdentifier.objects.filter(source=ctx.source, external_id__in=list(external_ids))
    found = dict(identifiers.values_list("external_id", "customer_id"))
    if ctx.user is None or not found:
        return found, set()
    visible = set(scoped(ctx, identifiers).values_list("external_id", flat=True))
    return {k: v for k, v in found.items() if k in visible}, set(found) - visible


def hidden_message(value: str) -> str:
    return _("%(value)s belongs to a record you may not change") % {"value": shown(value)}


def unknown_customer_message(value: str) -> str:
    return _("no customer has the external id %(value)s in this source (import the customers first, "
             "or use --create-missing)") % {"value": shown(value)}


def default_owner(ctx: ChunkContext) -> tuple[int | None, int | None]:
    """(owner id, team id) for new customers: the importing user, so that they see what they imported.

    Users who see every customer (administrators, analysts) leave new customers unassigned.
    """
    user = ctx.user
    if user is None or scope_of(user) in (None, SCOPE_ALL):
        return None, None
    return int(user.pk), getattr(user, "team_id", None)


def users_by_name(names: Iterable[str]) -> dict[str, tuple[int, int | None]]:
    """{username or e-mail as given: (user id, team id)} for active staff users."""
    wanted = {n for n in names if n}
    if not wanted:
        return {}
    found: dict[str, tuple[int, int | None]] = {}
    lowered = {n.lower(): n for n in wanted}
    for pk, username, email, team in User.objects.filter(is_active=True).filter(
        models.Q(username__in=wanted) | models.Q(email__in=wanted)
    ).values_list("pk", "username", "email", "team_id"):
        for key in (username, email):
            if key in wanted:
                found[key] = (pk, team)
            elif key and key.lower() in lowered:
                found[lowered[key.lower()]] = (pk, team)
    return found


def unknown_user_message(value: str) -> str:
    return _("there is no active user %(value)s") % {"value": shown(value)}
