"""Reads of customer data. Every one starts from ``visible_to``: the caller sees only what it may."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils.dateparse import parse_datetime

from rapport.core.access import visible_branches, visible_to
from rapport.customers.choices import CustomerKind
from rapport.customers.models import (
    Address,
    Consent,
    Contact,
    ContactPoint,
    Customer,
    ExternalIdentifier,
    LifecycleChange,
    SavedView,
    Tag,
)
from rapport.customers.timeline import TimelinePage, timeline_page


def customer_list(*, user: Any) -> QuerySet[Customer]:
    return visible_to(user, Customer.objects.select_related("owner", "team"))


def customer_list_branches(*, user: Any) -> list[QuerySet[Customer]]:
    """``customer_list`` as index-friendly branches for ordered pages (``core.access.visible_branches``)."""
    return visible_branches(user, Customer.objects.select_related("owner", "team"))


def customer_get(*, user: Any, pk: Any) -> Customer:
    """The customer, or Http404 when it does not exist *or* the user may not see it."""
    try:
        return customer_list(user=user).get(pk=int(pk))
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer") from None


def contact_list(*, user: Any) -> QuerySet[Contact]:
    return visible_to(user, Contact.objects.select_related("organisation"))


@dataclass
class CustomerFacts:
    contact_points: list[ContactPoint] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    identifiers: list[ExternalIdentifier] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)


@dataclass
class SingleView:
    customer: Customer
    facts: CustomerFacts
    contacts: list[Contact]
    timeline: TimelinePage


def _facts(customer: Customer) -> CustomerFacts:
    """Contact points, addresses, identifiers, consents and tags in one round trip (UNION ALL).

    Five small tables would otherwise cost five queries and break the single view's budget of five.
    Every column is cast to text so that PostgreSQL and SQLite agree on the union's types.
    """
    qn = connection.ops.quote_name

    def t(model: Any) -> str:
        return qn(model._meta.db_table)

    def txt(expr: str) -> str:
        return f"CAST({expr} AS VARCHAR(254))"

    branches = [
        f"SELECT 0, id, {txt('kind')}, {txt('value')}, {txt('label')}, {txt('source')}, {txt('normalized')}, "
        f"{txt('NULL')}, is_primary FROM {t(ContactPoint)} WHERE customer_id = %s",
        f"SELECT 1, id, {txt('kind')}, {txt('line1')}, {txt('line2')}, {txt('city')}, {txt('postal_code')}, "
        f"{txt('country')}, is_primary FROM {t(Address)} WHERE customer_id = %s",
        f"SELECT 2, id, {txt('source')}, {txt('external_id')}, {txt('NULL')}, {txt('NULL')}, {txt('NULL')}, "
        f"{txt('NULL')}, FALSE FROM {t(ExternalIdentifier)} WHERE customer_id = %s",
        f"SELECT 3, id, {txt('channel')}, {txt('status')}, {txt('source')}, {txt('reason')}, "
        f"{txt('recorded_at')}, {txt('NULL')}, FALSE FROM {t(Consent)} WHERE customer_id = %s",
        f"SELECT 4, tg.id, {txt('tg.name')}, {txt('NULL')}, {txt('NULL')}, {txt('NULL')}, {txt('NULL')}, "
        f"{txt('NULL')}, FALSE FROM {t(Customer.tags.through)} ct JOIN {t(Tag)} tg ON tg.id = ct.tag_id "
        f"WHERE ct.customer_id = %s",
    ]
    sql = " UNION ALL ".join(branches) + " ORDER BY 1, 9 DESC, 2"
    with connection.cursor() as db:
        db.execute(sql, [customer.pk] * len(branches))
        rows = db.fetchall()
    facts = CustomerFacts()
    for marker, pk, a, b, c, d, e, f, primary in rows:
        if marker == 0:
            facts.contact_points.append(ContactPoint(
                id=pk, customer=customer, kind=a, value=b, label=c or "", source=d or "", normalized=e,
                is_primary=bool(primary),
            ))
        elif marker == 1:
            facts.addresses.append(Address(
                id=pk, customer=customer, kind=a, line1=b, line2=c or "", city=d or "", postal_code=e or "",
                country=f or "", is_primary=bool(primary),
            ))
        elif marker == 2:
            facts.identifiers.append(ExternalIdentifier(id=pk, customer=customer, source=a, external_id=b))
        elif marker == 3:
            recorded: datetime = (parse_datetime(e) if isinstance(e, str) else e) or datetime.min
            if recorded.tzinfo is None:
                recorded = recorded.replace(tzinfo=UTC)
            facts.consents.append(Consent(
                id=pk, customer=customer, channel=a, status=b, source=c or "", reason=d or "",
                recorded_at=recorded,
            ))
        else:
            facts.tags.append(Tag(id=pk, name=a))
    return facts


def customer_single_view(
    *, user: Any, pk: Any, cursor: str | None = None, limit: int = 50, kinds: set[str] | None = None,
    channels: set[str] | None = None, with_contacts: bool = True,
) -> SingleView:
    """Profile plus one page of the timeline, in at most four queries whatever the history length.

    ``kinds`` and ``channels`` filter the timeline (see :func:`timeline_page`). A page that loads the
    contact persons on its own later passes ``with_contacts=False`` and saves their query.
    """
    customer = customer_get(user=user, pk=pk)  # 1 query (owner and team joined)
    facts = _facts(customer)  # 1 query
    contacts: list[Contact] = []
    if with_contacts and customer.kind == CustomerKind.ORGANISATION:
        contacts = list(Contact.objects.filter(organisation=customer).order_by("-is_primary", "last_name"))
    page = timeline_page(  # 1 query
        customer_id=customer.pk, user_table=get_user_model()._meta.db_table, cursor=cursor, limit=limit,
        kinds=kinds, channels=channels,
    )
    return SingleView(customer=customer, facts=facts, contacts=contacts, timeline=page)


def lifecycle_changes_of_my_customers(*, user: Any, since: datetime, limit: int = 20) -> list[LifecycleChange]:
    """The latest stage changes, since ``since``, of the customers ``user`` is the account manager of."""
    return list(
        LifecycleChange.objects.filter(customer__owner=user, changed_at__gte=since)
        .select_related("customer", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


def saved_view_list(*, user: Any) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user).order_by("name"))


def saved_view_get(*, user: Any, pk: Any) -> SavedView:
    """One of the user's own saved views; anyone else's is a 404."""
    try:
        return SavedView.objects.get(user=user, pk=int(pk))
    except (SavedView.DoesNotExist, ValueError, TypeError):
        raise Http404("No such view") from None

