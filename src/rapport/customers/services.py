"""Writes to customer records. Every function is keyword-only, typed and runs in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.errors import RapportError
from rapport.customers.choices import ConsentChannel, ConsentStatus, ContactPointKind, CustomerKind
from rapport.customers.models import (
    Consent,
    Contact,
    ContactPoint,
    Customer,
    ExternalIdentifier,
    LifecycleChange,
    SavedView,
    Tag,
)
from rapport.customers.normalize import normalize_email, normalize_phone
from rapport.customers.search import search_document_refresh

# Fields a caller may change through customer_update; the rest are kept by the services themselves.
EDITABLE_FIELDS = (
    "kind", "first_name", "last_name", "organisation_name", "language", "country", "city", "birth_date",
    "attributes", "lifecycle_stage", "relationship_level", "owner", "team", "source",
)


class StaleEditError(RapportError):
    """Someone else saved the record after this edit started; nothing was written."""


@dataclass(frozen=True)
class Identifier:
    source: str
    external_id: str


def _check_name(customer: Customer) -> None:
    if customer.kind == CustomerKind.ORGANISATION and not customer.organisation_name.strip():
        raise ValidationError({"organisation_name": _("An organisation needs a name.")})
    if customer.kind == CustomerKind.PERSON and not (customer.first_name.strip() or customer.last_name.strip()):
        raise ValidationError({"last_name": _("A person needs a first or a last name.")})


def _refresh_display_name(customer: Customer) -> None:
    customer.display_name = Customer.compose_display_name(
        customer.kind, customer.first_name, customer.last_name, customer.organisation_name
    )[:200]


def _normalized(kind: str, value: str) -> str:
    if kind == ContactPointKind.EMAIL:
        try:
            validate_email(value.strip())
        except ValidationError:
            message = _("%(value)s is not a valid e-mail address.") % {"value": value}
            raise ValidationError({"emails": message}) from None
        return normalize_email(value)
    normalized = normalize_phone(value)
    if len(normalized.lstrip("+")) < 5 or len(normalized) > 20:
        raise ValidationError({"phones": _("%(value)s is not a valid phone number.") % {"value": value}})
    return normalized


@transaction.atomic
def customer_create(
    *,
    kind: str = CustomerKind.PERSON,
    first_name: str = "",
    last_name: str = "",
    organisation_name: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    language: str = "",
    country: str = "",
    city: str = "",
    birth_date: date | None = None,
    attributes: Mapping[str, Any] | None = None,
    tags: Iterable[str] = (),
    identifiers: Iterable[Identifier] = (),
    source: str = "",
    **extra: Any,
) -> Customer:
    unknown = set(extra) - {"lifecycle_stage", "relationship_level", "owner", "team"}
    if unknown:
        raise TypeError(f"customer_create() got unexpected arguments: {sorted(unknown)}")
    customer = Customer(
        kind=kind, first_name=first_name, last_name=last_name, organisation_name=organisation_name,
        language=language, country=country.upper(), city=city, birth_date=birth_date,
        attributes=dict(attributes or {}), source=source, **extra,
    )
    _check_name(customer)
    _refresh_display_name(customer)
    customer.full_clean()
    customer.save()
    for value in emails:
        _insert_contact_point(customer=customer, kind=ContactPointKind.EMAIL, value=value, source=source)
    for value in phones:
        _insert_contact_point(customer=customer, kind=ContactPointKind.PHONE, value=value, source=source)
    for ident in identifiers:
        _insert_identifier(customer=customer, source=ident.source, external_id=ident.external_id)
    if tags:
        customer_add_tags(customer=customer, names=tags)
    search_document_refresh(customer)
    if customer.lifecycle_stage:
        LifecycleChange.objects.create(customer=customer, to_stage=customer.lifecycle_stage, reason=_("Created"))
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, data: Mapping[str, Any], expected_version: int | None = None, by: Any = None,
    reason: str = "",
) -> Customer:
    """Change the given fields. With ``expected_version`` a concurrent edit is refused, not overwritten.

    A change of lifecycle stage is recorded with ``by`` (a user, or None for the system) and ``reason``.
    """
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    old_stage, old_name = customer.lifecycle_stage, customer.display_name
    for name, value in data.items():
        setattr(customer, name, value.upper() if name == "country" and isinstance(value, str) else value)
    _check_name(customer)
    _refresh_display_name(customer)
    customer.full_clean()
    current = expected_version if expected_version is not None else customer.version
    fields = {name: getattr(customer, name) for name in (*data.keys(), "display_name")}
    updated = Customer.objects.filter(pk=customer.pk, version=current).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleEditError(
            _("Someone else changed this customer after you opened it. Reload to see their changes."),
            field="version",
        )
    customer.refresh_from_db()
    if customer.lifecycle_stage != old_stage:
        LifecycleChange.objects.create(
            customer=customer, from_stage=old_stage, to_stage=customer.lifecycle_stage,
            changed_by=by if getattr(by, "pk", None) else None, reason=reason[:200],
        )
    if customer.display_name != old_name:
        search_document_refresh(customer)
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    customer.delete()


def _sync_primary(customer: Customer, kind: str) -> None:
    primary = (
        ContactPoint.objects.filter(customer=customer, kind=kind).order_by("-is_primary", "id").first()
    )
    value = primary.value if primary else ""
    field = "primary_email" if kind == ContactPointKind.EMAIL else "primary_phone"
    if primary and not primary.is_primary:
        ContactPoint.objects.filter(pk=primary.pk).update(is_primary=True)
    Customer.objects.filter(pk=customer.pk).update(**{field: value})
    setattr(customer, field, value)


@transaction.atomic
def contact_point_add(
    *, customer: Customer, kind: str, value: str, label: str = "", is_primary: bool = False, source: str = ""
) -> ContactPoint:
    point = _insert_contact_point(
        customer=customer, kind=kind, value=value, label=label, is_primary=is_primary, source=source
    )
    search_document_refresh(customer)
    return point


def _insert_contact_point(
    *, customer: Customer, kind: str, value: str, label: str = "", is_primary: bool = False, source: str = ""
) -> ContactPoint:
    # Without the search refresh: customer_create adds several points and refreshes once at the end.
    normalized = _normalized(kind, value)
    existing = ContactPoint.objects.filter(customer=customer, kind=kind, normalized=normalized).first()
    if existing:
        return existing
    if is_primary:
        ContactPoint.objects.filter(customer=customer, kind=kind).update(is_primary=False)
    point = ContactPoint.objects.create(
        customer=customer, kind=kind, value=value.strip(), normalized=normalized, label=label,
        is_primary=is_primary, source=source,
    )
    _sync_primary(customer, kind)
    return point


@transaction.atomic
def contact_point_remove(*, point: ContactPoint) -> None:
    customer, kind = point.customer, point.kind
    point.delete()
    _sync_primary(customer, kind)
    search_document_refresh(customer)


@transaction.atomic
def identifier_add(*, customer: Customer, source: str, external_id: str) -> ExternalIdentifier:
    identifier = _insert_identifier(customer=customer, source=source, external_id=external_id)
    search_document_refresh(customer)
    return identifier


def _insert_identifier(*, customer: Customer, source: str, external_id: str) -> ExternalIdentifier:
    if not source.strip() or not external_id.strip():
        raise ValidationError({"identifiers": _("An identifier needs both a source and an external id.")})
    try:
        with transaction.atomic():
            return ExternalIdentifier.objects.create(
                customer=customer, source=source.strip(), external_id=external_id.strip()
            )
    except IntegrityError:
        raise ValidationError(
            {"identifiers": _("%(source)s:%(id)s already belongs to another customer.")
             % {"source": source, "id": external_id}}
        ) from None


@transaction.atomic
def customer_add_tags(*, customer: Customer, names: Iterable[str]) -> list[Tag]:
    cleaned = sorted({name.strip()[:64] for name in names if name and name.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=n) for n in cleaned if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    tags = list(Tag.objects.filter(name__in=cleaned))
    customer.tags.add(*tags)
    return tags


@transaction.atomic
def customer_set_tags(*, customer: Customer, names: Iterable[str]) -> list[Tag]:
    customer.tags.clear()
    return customer_add_tags(customer=customer, names=names)


@transaction.atomic
def consent_record(
    *, customer: Customer, channel: str, status: str, source: str = "", reason: str = ""
) -> Consent:
    if channel not in ConsentChannel.values:
        raise ValidationError({"channel": _("Unknown consent channel %(value)s.") % {"value": channel}})
    if status not in ConsentStatus.values:
        raise ValidationError({"status": _("Unknown consent status %(value)s.") % {"value": status}})
    consent, _created = Consent.objects.update_or_create(
        customer=customer, channel=channel,
        defaults={"status": status, "source": source, "reason": reason, "recorded_at": timezone.now()},
    )
    return consent


@transaction.atomic
def contact_create(*, organisation: Customer, **fields: Any) -> Contact:
    if organisation.kind != CustomerKind.ORGANISATION:
        raise ValidationError({"organisation": _("Contact persons belong to organisations, not to persons.")})
    contact = Contact(organisation=organisation, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: Mapping[str, Any]) -> Contact:
    for name, value in data.items():
        setattr(contact, name, value)
    if contact.organisation.kind != CustomerKind.ORGANISATION:
        raise ValidationError({"organisation": _("Contact persons belong to organisations, not to persons.")})
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


@transaction.atomic
def customers_assign_owner(*, customers: QuerySet[Customer], owner: Any) -> int:
    """Give every customer of ``customers`` (already scoped to what the caller may see) to ``owner``.

    The owner's team comes along when the owner has one, so the customer stays visible to the new owner's
    manager. Each record's version moves on, so an edit opened before the bulk change is refused.
    """
    changes: dict[str, Any] = {"owner": owner, "version": F("version") + 1, "updated_at": timezone.now()}
    if getattr(owner, "team_id", None):
        changes["team_id"] = owner.team_id
    return Customer.objects.filter(pk__in=customers.values("pk")).update(**changes)


@transaction.atomic
def customers_add_tag(*, customers: QuerySet[Customer], name: str) -> int:
    """Tag every customer of ``customers``; those already tagged are left alone. Returns how many were tagged."""
    name = name.strip()[:64]
    if not name:
        raise ValidationError({"tag": _("Give the tag a name.")})
    tag, _created = Tag.objects.get_or_create(name=name)
    through = Customer.tags.through
    ids = customers.exclude(tags=tag).values_list("pk", flat=True)
    total = 0
    batch: list[Any] = []
    for pk in ids.iterator(chunk_size=2000):
        batch.append(through(customer_id=pk, tag_id=tag.pk))
        if len(batch) >= 2000:
            through.objects.bulk_create(batch, ignore_conflicts=True)
            total, batch = total + len(batch), []
    through.objects.bulk_create(batch, ignore_conflicts=True)
    return total + len(batch)


@transaction.atomic
def saved_view_save(*, user: Any, name: str, query: str) -> SavedView:
    """Keep the list's current filters under ``name`` for ``user``; the same name again replaces them."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name under 80 characters.")})
    if len(query) > 1000:
        raise ValidationError({"query": _("These filters are too long to save.")})
    view, _created = SavedView.objects.update_or_create(user=user, name=name, defaults={"query": query})
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView) -> None:
    view.delete()

