"""Contact persons of organisation customers: the organisation by its external id, the person by e-mail or name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core.bulkload import Col
from rapport.customers.choices import CustomerKind
from rapport.customers.models import Contact, ContactPoint, Customer, ExternalIdentifier
from rapport.imports import fields as f
from rapport.imports.entities.common import hidden_message, unknown_customer_message
from rapport.imports.entities.customer_rows import CustomerTag
from rapport.imports.entities.references import CustomerRefs
from rapport.imports.entities.synonyms import SYNONYMS
from rapport.imports.fields import shown
from rapport.imports.registry import Entity, Field, register
from rapport.imports.rows import Row
from rapport.imports.writes import ChunkContext

FIELDS = ("first_name", "last_name", "job_title", "email", "phone", "is_primary")
DEFAULTS: dict[str, Any] = {"first_name": "", "job_title": "", "email": "", "phone": "", "is_primary": False}
Key = tuple[int, str, str]


def _key(organisation: int, values: dict[str, Any]) -> Key:
    """A contact is the same person when the e-mail matches, or, without one, the first and last name."""
    if values.get("email"):
        return organisation, "email", str(values["email"]).lower()
    return organisation, "name", f"{values.get('first_name', '')}\n{values.get('last_name', '')}".lower()


class ContactsEntity(Entity):
    name = "contacts"
    label = gettext_lazy("Contact persons")
    identity = gettext_lazy("the organisation's external_id, then the person's e-mail, or else first and last name")
    tables = (Customer, ContactPoint, ExternalIdentifier, CustomerTag, Contact)
    fields = (
        Field("organisation", gettext_lazy("organisation"), f.text(128), required=True,
              synonyms=SYNONYMS["organisation"], help=gettext_lazy("the organisation's external id in the source")),
        Field("first_name", gettext_lazy("first name"), f.text(100), synonyms=SYNONYMS["first_name"]),
        Field("last_name", gettext_lazy("last name"), f.text(100), required=True, synonyms=SYNONYMS["last_name"]),
        Field("job_title", gettext_lazy("job title"), f.text(120), synonyms=SYNONYMS["job_title"]),
        Field("email", gettext_lazy("e-mail"), f.email, synonyms=SYNONYMS["email"]),
        Field("phone", gettext_lazy("phone"), f.phone, synonyms=SYNONYMS["phone"], late=True),
        Field("is_primary", gettext_lazy("primary contact"), f.boolean, synonyms=SYNONYMS["is_primary"]),
    )

    def write(self, rows: Sequence[Row], ctx: ChunkContext) -> None:
        refs = CustomerRefs(ctx, {r.values["organisation"] for r in rows}, kind=CustomerKind.ORGANISATION)
        organisations = set(Customer.objects.filter(
            pk__in=list(refs.ids.values()), kind=CustomerKind.ORGANISATION).values_list("pk", flat=True))
        existing: dict[Key, dict[str, Any]] = {}
        for contact in Contact.objects.filter(organisation_id__in=list(organisations)).order_by("-pk").values(
            "pk", "organisation_id", "updated_at", *FIELDS
        ):
            existing[_key(contact["organisation_id"], contact)] = contact
            existing[_key(contact["organisation_id"], {**contact, "email": ""})] = contact
        new: dict[Key, dict[str, Any]] = {}
        changed: dict[int, dict[str, Any]] = {}
        for row in rows:
            values = {k: v for k, v in row.values.items() if k in FIELDS}
            values.update({k: v[0] for k, v in values.items() if k in {"email", "phone"}})
            organisation = row.values["organisation"]
            problem = self._problem(organisation, refs, organisations)
            if problem:
                ctx.reject(row, problem)
                continue
            key = _key(refs.ids[organisation], values)
            if key in new:
                new[key].update(values)
                ctx.count("updated")
            elif key in existing:
                contact = existing[key]
                current = changed.get(contact["pk"]) or {k: contact[k] for k in FIELDS}
                after = {**current, **values}
                ctx.count("unchanged" if after == current else "updated")
                changed[contact["pk"]] = after
            else:
                new[key] = {**DEFAULTS, **values, "organisation": refs.ids[organisation]}
                ctx.count("created")
        self._insert(ctx, list(new.values()))
        by_pk = {c["pk"]: c for c in existing.values()}
        ctx.update(Contact, (*FIELDS, "updated_at"), [
            (pk, [by_pk[pk][k] for k in (*FIELDS, "updated_at")], [after[k] for k in FIELDS] + [ctx.now])
            for pk, after in changed.items() if any(after[k] != by_pk[pk][k] for k in FIELDS)
        ])

    @staticmethod
    def _problem(organisation: str, refs: CustomerRefs, organisations: set[int]) -> dict[str, str] | None:
        if organisation in refs.hidden:
            return {"organisation": hidden_message(organisation)}
        if organisation not in refs.ids:
            return {"organisation": unknown_customer_message(organisation)}
        if refs.ids[organisation] not in organisations:
            return {"organisation": _("%(value)s is a person, not an organisation") % {"value": shown(organisation)}}
        return None

    @staticmethod
    def _insert(ctx: ChunkContext, rows: list[dict[str, Any]]) -> None:
        n = len(rows)
        if not n:
            return
        ctx.insert(Contact, n, {
            "created_at": ctx.now_col(n), "updated_at": ctx.now_col(n),
            "organisation": Col("int", [r["organisation"] for r in rows]),
            **{name: Col("text", [r[name] for r in rows]) for name in FIELDS if name != "is_primary"},
            "is_primary": Col("bool", [r["is_primary"] for r in rows]),
        })


register(ContactsEntity)
