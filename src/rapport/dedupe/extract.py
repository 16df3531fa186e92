"""Customer records for the engine, read from the database as Arrow in keyset chunks.

Three queries per chunk of ``CHUNK`` customers, whatever their contact points and addresses: the customers
(``id > last``), then all contact points and all addresses of that id range, primary first. No ORM objects
are built; values are read as tuples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from rapport.customers.choices import ContactPointKind
from rapport.customers.models import Address, ContactPoint, Customer

CHUNK = 5_000

INPUT_SCHEMA = pa.schema([
    ("unique_id", pa.int64()),
    ("first_name", pa.string()), ("last_name", pa.string()), ("organisation_name", pa.string()),
    ("emails", pa.list_(pa.string())), ("phones", pa.list_(pa.string())),
    ("country", pa.string()), ("city", pa.string()), ("postal_code", pa.string()), ("address_line", pa.string()),
    ("birth_date", pa.date32()),
])


def _points(low: int, high: int) -> dict[int, dict[str, list[str]]]:
    points: dict[int, dict[str, list[str]]] = {}
    rows = (
        ContactPoint.objects.filter(customer_id__gte=low, customer_id__lte=high)
        .order_by("customer_id", "-is_primary", "id")
        .values_list("customer_id", "kind", "normalized")
    )
    for customer_id, kind, normalized in rows:
        key = "emails" if kind == ContactPointKind.EMAIL else "phones"
        points.setdefault(customer_id, {"emails": [], "phones": []})[key].append(normalized)
    return points


def _addresses(low: int, high: int) -> dict[int, tuple[str, str, str, str]]:
    first: dict[int, tuple[str, str, str, str]] = {}
    rows = (
        Address.objects.filter(customer_id__gte=low, customer_id__lte=high)
        .order_by("customer_id", "-is_primary", "id")
        .values_list("customer_id", "line1", "city", "postal_code", "country")
    )
    for customer_id, *address in rows:
        first.setdefault(customer_id, tuple(address))  # type: ignore[arg-type]
    return first


def customer_chunks(chunk: int = CHUNK) -> Iterator[pa.Table]:
    """Every customer as engine records, ``chunk`` at a time in id order."""
    last = 0
    while True:
        customers = list(
            Customer.objects.filter(pk__gt=last).order_by("pk").values_list(
                "pk", "first_name", "last_name", "organisation_name", "country", "city", "birth_date"
            )[:chunk]
        )
        if not customers:
            return
        low, high = customers[0][0], customers[-1][0]
        points, addresses = _points(low, high), _addresses(low, high)
        records: list[dict[str, Any]] = []
        for pk, first, last_name, organisation, country, city, birth_date in customers:
            mine = points.get(pk, {"emails": [], "phones": []})
            line, address_city, postcode, address_country = addresses.get(pk, ("", "", "", ""))
            records.append({
                "unique_id": pk, "first_name": first, "last_name": last_name, "organisation_name": organisation,
                "emails": mine["emails"], "phones": mine["phones"],
                "country": country or address_country, "city": address_city or city,
                "postal_code": postcode, "address_line": line, "birth_date": birth_date,
            })
        yield pa.Table.from_pylist(records, schema=INPUT_SCHEMA)
        last = high


def customer_table(chunk: int = CHUNK) -> pa.Table:
    tables = list(customer_chunks(chunk))
    return pa.concat_tables(tables) if tables else INPUT_SCHEMA.empty_table()
