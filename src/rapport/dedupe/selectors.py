"""Reads of the duplicate review queue. A pair is visible only to someone who may see both customers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rapport.core.access import SCOPE_ALL, scope_of, visible_to
from rapport.core.keyset import Ordering
from rapport.customers.models import Customer
from rapport.dedupe.models import DedupeRun, DuplicatePair, PairStatus

QUEUE_ORDER = "-match_probability"


def _pairs(user: Any) -> QuerySet[DuplicatePair]:
    pairs = DuplicatePair.objects.select_related("customer_a", "customer_b", "decided_by")
    if scope_of(user) == SCOPE_ALL:
        return pairs  # both subqueries below would read every customer for nothing
    visible = visible_to(user, Customer.objects.all()).values("pk")
    return pairs.filter(customer_a__in=visible, customer_b__in=visible)


def pending_pairs(user: Any, cursor: str | None = None, size: int = 50) -> tuple[list[DuplicatePair], str | None]:
    """One page of the pending pairs ``user`` may see, most likely first, and the next page's cursor.

    Raises ``rapport.core.keyset.BadCursor`` for a cursor this server did not issue.
    """
    size = max(1, min(int(size), 200))
    queryset = _pairs(user).filter(status=PairStatus.PENDING)
    return Ordering.of(DuplicatePair, QUEUE_ORDER).page(queryset, cursor, size)


def pair_get(user: Any, pk: Any) -> DuplicatePair:
    """The pair, or ``DuplicatePair.DoesNotExist`` when it does not exist *or* ``user`` may not see both."""
    try:
        return _pairs(user).get(pk=int(pk))
    except (ValueError, TypeError):
        raise DuplicatePair.DoesNotExist("No such pair") from None


def latest_run() -> DedupeRun | None:
    return DedupeRun.objects.order_by("-started_at", "-id").first()


def run_list(limit: int = 20) -> list[DedupeRun]:
    return list(DedupeRun.objects.select_related("by").order_by("-started_at", "-id")[:limit])
