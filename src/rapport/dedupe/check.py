"""Before a customer is created: existing customers the new one is likely to duplicate.

Fast at any size because it never scans: candidates come from index lookups only (the normalised e-mail and
phone of any contact point, and name prefixes through the ``(display_name, id)`` index, as a range so that
SQLite uses the index too), at most ``PER_KEY`` per lookup, among the customers the user may see. They are
scored in Python with the parameters of the latest trained run (``scoring``), the same model the nightly
run used, so the warning and the review queue agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from rapport.core.access import visible_to
from rapport.customers.choices import ContactPointKind, CustomerKind
from rapport.customers.models import Address, ContactPoint, Customer
from rapport.customers.normalize import normalize_email, normalize_phone
from rapport.dedupe.evidence import describe
from rapport.dedupe.features import features, phone_variants
from rapport.dedupe.scoring import score
from rapport.dedupe.services import default_region, latest_parameters

WARN_THRESHOLD = 0.9
PER_KEY = 10
# Past the last character of any name: "Anna" <= name < "Anna" + this is every name starting with "Anna".
_AFTER = "\U0010ffff"


@dataclass(frozen=True)
class Candidate:
    customer: Customer
    probability: float
    evidence: list[dict[str, Any]]  # see ``evidence.describe``


def _name_prefixes(first: str, last: str, organisation: str) -> set[str]:
    first, last, organisation = first.strip(), last.strip(), organisation.strip()
    prefixes = set()
    if organisation and not (first or last):
        prefixes.add(Customer.compose_display_name(CustomerKind.ORGANISATION, "", "", organisation))
    for one, other in ((first, last), (last, first)):
        if one and other:
            prefixes.add(f"{one} {other}")
            prefixes.add(f"{one} {other[:3]}")  # a typo late in the surname
    if not prefixes and (first or last):
        prefixes.add(first or last)
    # Typed in lower case, stored capitalised (or the other way round).
    return {variant for p in prefixes for variant in (p, p.title()) if len(variant) >= 3}


def _candidate_ids(visible: QuerySet[Customer], *, first: str, last: str, organisation: str, email: str,
                   phone: str, region: str) -> set[int]:
    ids: set[int] = set()
    if email.strip():
        points = ContactPoint.objects.filter(kind=ContactPointKind.EMAIL, normalized=normalize_email(email))
        ids.update(points.values_list("customer_id", flat=True)[:PER_KEY])
    if phone.strip():
        variants = {*phone_variants(phone, region), normalize_phone(phone)}
        points = ContactPoint.objects.filter(kind=ContactPointKind.PHONE, normalized__in=sorted(variants))
        ids.update(points.values_list("customer_id", flat=True)[:PER_KEY])
    for prefix in _name_prefixes(first, last, organisation):
        named = visible.filter(display_name__gte=prefix, display_name__lt=prefix + _AFTER)
        ids.update(named.order_by("display_name", "id").values_list("pk", flat=True)[:PER_KEY])
    return ids


def _records(customers: list[Customer]) -> list[dict[str, Any]]:
    ids = [c.pk for c in customers]
    points: dict[int, dict[str, list[str]]] = {pk: {"emails": [], "phones": []} for pk in ids}
    for customer_id, kind, normalized in (
        ContactPoint.objects.filter(customer_id__in=ids).order_by("customer_id", "-is_primary", "id")
        .values_list("customer_id", "kind", "normalized")
    ):
        points[customer_id]["emails" if kind == ContactPointKind.EMAIL else "phones"].append(normalized)
    addresses: dict[int, tuple[str, str, str]] = {}
    for customer_id, line, city, postcode in (
        Address.objects.filter(customer_id__in=ids).order_by("customer_id", "-is_primary", "id")
        .values_list("customer_id", "line1", "city", "postal_code")
    ):
        addresses.setdefault(customer_id, (line, city, postcode))
    records = []
    for c in customers:
        line, city, postcode = addresses.get(c.pk, ("", "", ""))
        records.append({
            "unique_id": c.pk, "first_name": c.first_name, "last_name": c.last_name,
            "organisation_name": c.organisation_name, **points[c.pk], "country": c.country,
            "city": city or c.city, "postal_code": postcode, "address_line": line, "birth_date": c.birth_date,
        })
    return records


def likely_duplicates(
    *,
    user: Any,
    first_name: str = "",
    last_name: str = "",
    organisation_name: str = "",
    email: str = "",
    phone: str = "",
    birth_date: date | None = None,
    country: str = "",
    limit: int = 5,
    min_probability: float = WARN_THRESHOLD,
) -> list[Candidate]:
    """Customers ``user`` may see that the described new one likely duplicates, most likely first.

    Only candidates scoring ``min_probability`` or more are returned. Customers the user may not see are
    never named (the nightly run still pairs them, for someone who sees both).
    """
    region = (country or "").strip().upper() or default_region()
    visible = visible_to(user, Customer.objects.all())
    ids = _candidate_ids(visible, first=first_name, last=last_name, organisation=organisation_name,
                         email=email or "", phone=phone or "", region=region)
    if not ids:
        return []
    customers = list(visible.filter(pk__in=ids))
    if not customers:
        return []
    params = latest_parameters()
    probe = features({
        "unique_id": 0, "first_name": first_name, "last_name": last_name, "organisation_name": organisation_name,
        "emails": [email] if email else [], "phones": [phone] if phone else [], "country": region,
        "birth_date": birth_date,
    }, default_region=region)
    by_id = {c.pk: c for c in customers}
    found = []
    for record in _records(customers):
        probability, evidence = score(probe, features(record, default_region=region), params)
        if probability >= min_probability:
            found.append(Candidate(by_id[record["unique_id"]], probability, describe(evidence)))
    found.sort(key=lambda c: (-c.probability, c.customer.pk))
    return found[:limit]
