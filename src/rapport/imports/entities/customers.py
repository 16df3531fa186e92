"""Customers (people and organisations): matched by (source, external id), then e-mail or phone if asked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.customers.choices import ContactPointKind, CustomerKind
from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier, Tag
from rapport.imports import fields as f
from rapport.imports.entities.common import (
    customers_by_external_id,
    default_owner,
    hidden_message,
    scoped,
    unknown_user_message,
    users_by_name,
)
from rapport.imports.entities.customer_rows import (
    EMPTY_PROFILE,
    ORGANISATION,
    PERSON,
    CustomerState,
    CustomerTag,
    NewCustomer,
    insert_customers,
    insert_new,
    load_customers,
    new_customer,
    update_customers,
)
from rapport.imports.entities.synonyms import SYNONYMS
from rapport.imports.registry import Entity, Field, register
from rapport.imports.rows import Row
from rapport.imports.writes import ChunkContext

_kind = f.choice(CustomerKind, {
    CustomerKind.PERSON: ["individual", "private", "osoba", "osoba fizyczna", "individu", "perorangan", "perseorangan",
                          "حقیقی", "شخص", "פרטי", "אדם"],
    CustomerKind.ORGANISATION: ["company", "business", "organization", "firma", "syarikat", "perusahaan", "حقوقی",
                                "شرکت", "חברה", "ארגון"],
})


def _owner(value: Any, row: dict[str, Any], options: f.ParseOptions) -> str:
    return f.text(150)(value, row, options)


class CustomersEntity(Entity):
    name = "customers"
    label = gettext_lazy("Customers")
    identity = gettext_lazy("external_id within the source; then e-mail (--match-email) or phone (--match-phone)")
    tables = (Customer, ContactPoint, ExternalIdentifier, Tag, CustomerTag)
    fields = (
        Field("external_id", gettext_lazy("external id"), f.text(128), synonyms=SYNONYMS["external_id"]),
        Field("kind", gettext_lazy("kind"), _kind, synonyms=SYNONYMS["kind"],
              help=gettext_lazy("person or organisation; when empty, an organisation if only its name is given")),
        Field("first_name", gettext_lazy("first name"), f.text(100), synonyms=SYNONYMS["first_name"]),
        Field("last_name", gettext_lazy("last name"), f.text(100), synonyms=SYNONYMS["last_name"]),
        Field("organisation_name", gettext_lazy("organisation name"), f.text(200),
              synonyms=SYNONYMS["organisation_name"]),
        Field("email", gettext_lazy("e-mail"), f.email, synonyms=SYNONYMS["email"]),
        Field("phone", gettext_lazy("phone"), f.phone, synonyms=SYNONYMS["phone"], late=True,
              help=gettext_lazy("with its country code, or read in the row's country (or --region)")),
        Field("country", gettext_lazy("country"), f.country, synonyms=SYNONYMS["country"]),
        Field("city", gettext_lazy("city"), f.text(100), synonyms=SYNONYMS["city"]),
        Field("language", gettext_lazy("language"), f.language, synonyms=SYNONYMS["language"]),
        Field("birth_date", gettext_lazy("birth date"), f.birth_date, synonyms=SYNONYMS["birth_date"]),
        Field("tags", gettext_lazy("tags"), f.tags, synonyms=SYNONYMS["tags"],
              help=gettext_lazy("separated by commas, semicolons or |; added to the customer's tags")),
        Field("owner", gettext_lazy("account manager"), _owner, synonyms=SYNONYMS["owner"],
              help=gettext_lazy("a staff user's username or e-mail")),
    )

    def check_mapping(self, mapped: set[str], options: dict[str, Any]) -> list[str]:
        problems = super().check_mapping(mapped, options)
        identity = "external_id" in mapped or (options.get("match_email") and "email" in mapped) or (
            options.get("match_phone") and "phone" in mapped)
        if not identity:
            problems.append(_("no column identifies the customers: map one to external_id, or match on e-mail "
                              "(--match-email) or phone (--match-phone)"))
        return problems

    def check_row(self, values: dict[str, Any], errors: dict[str, str], options: dict[str, Any]) -> None:
        if "external_id" not in values and "external_id" not in errors and not (
            (options.get("match_email") and "email" in values) or (options.get("match_phone") and "phone" in values)
        ):
            errors["external_id"] = _("a value is required to recognise the customer next time")

    def prepare(self, values: dict[str, Any], options: dict[str, Any]) -> None:
        """In the reader process: the new customer this row makes if it matches no one (most rows do)."""
        kind = creation_kind(values)
        error = name_error(kind, values, EMPTY_PROFILE)
        if error:
            values["_create_error"] = error
            return
        values["_new"] = new_customer(kind, values)

    def write(self, rows: Sequence[Row], ctx: ChunkContext) -> None:
        _CustomerChunk(ctx, rows).run()


def creation_kind(values: dict[str, Any]) -> str:
    """A new customer's kind: as given, else an organisation when only an organisation name is given."""
    if "kind" in values:
        return str(values["kind"])
    only_organisation = values.get("organisation_name") and not (values.get("first_name") or values.get("last_name"))
    return ORGANISATION if only_organisation else PERSON


def name_error(kind: str, values: dict[str, Any], profile: dict[str, Any]) -> dict[str, str] | None:
    def value(name: str) -> str:
        return str(values.get(name, profile[name]) or "")

    if kind == CustomerKind.ORGANISATION and not value("organisation_name"):
        return {"organisation_name": _("an organisation needs a name")}
    if kind == CustomerKind.PERSON and not (value("first_name") or value("last_name")):
        return {"last_name": _("a person needs a first or a last name")}
    return None


def merge(state: CustomerState, kind: str, values: dict[str, Any], source: str,
          owner: tuple[int, int | None] | None = None) -> None:
    """Apply one row's values to a customer: given cells win, empty ones leave what is there."""
    profile = state.profile
    profile["kind"] = kind
    for name in ("first_name", "last_name", "organisation_name", "language", "country", "city", "birth_date"):
        if name in values:
            profile[name] = values[name]
    if owner is not None:
        profile["owner"], profile["team"] = owner
    if "email" in values:
        state.set_point(ContactPointKind.EMAIL, *values["email"])
    if "phone" in values:
        state.set_point(ContactPointKind.PHONE, *values["phone"])
    if "external_id" in values:
        state.add_identifier(source, values["external_id"])
    if "tags" in values:
        state.add_tags(values["tags"])


class _CustomerChunk:
    """One chunk of customer rows: match, fold repeated rows onto one record in file order, write."""

    def __init__(self, ctx: ChunkContext, rows: Sequence[Row]) -> None:
        self.ctx, self.rows = ctx, rows
        self.by_key: dict[tuple[str, str], CustomerState] = {}  # ("ext"|"email"|"phone", value) -> record
        self.existing: dict[int, CustomerState] = {}
        self.new: list[CustomerState] = []

    def run(self) -> None:
        ctx, rows = self.ctx, self.rows
        external = {r.values["external_id"] for r in rows if "external_id" in r.values}
        found, hidden = customers_by_external_id(ctx, external)
        matched = dict(found)
        by_email = self._match("email", ContactPointKind.EMAIL, rows, found) if ctx.options.get("match_email") else {}
        by_phone = self._match("phone", ContactPointKind.PHONE, rows, found) if ctx.options.get("match_phone") else {}
        ids = {*matched.values(), *by_email.values(), *by_phone.values()}
        self.existing = load_customers(sorted(ids))
        for ext, pk in matched.items():
            if pk in self.existing:
                self.by_key[("ext", ext)] = self.existing[pk]
        for value, pk in by_email.items():
            self.by_key.setdefault(("email", value), self.existing[pk])
        for value, pk in by_phone.items():
            self.by_key.setdefault(("phone", value), self.existing[pk])
        owners = users_by_name(r.values["owner"] for r in rows if "owner" in r.values)
        owner, team = default_owner(ctx)
        # The common case, a row whose id is new and appears once in the chunk, takes the new customer the
        # reader process prepared; every other row is folded onto its record in file order.
        simple = not (ctx.options.get("match_email") or ctx.options.get("match_phone"))
        once = Counter(r.values.get("external_id") for r in rows)
        prepared: list[NewCustomer] = []
        for row in rows:
            values = row.values
            given = values.get("external_id")
            if simple and given and once[given] == 1 and given not in found and given not in hidden \
                    and "owner" not in values:
                if "_create_error" in values:
                    ctx.reject(row, values["_create_error"])
                    continue
                if "_new" in values:
                    prepared.append(values["_new"]._replace(owner=owner, team=team))
                    ctx.count("created")
                    continue
            self._apply(row, hidden, owners, (owner, team))
        insert_new(ctx, prepared)
        insert_customers(ctx, self.new)
        update_customers(ctx, [s for s in self.existing.values() if s.id is not None])

    def _match(self, key: str, kind: str, rows: Sequence[Row], found: dict[str, int]) -> dict[str, int]:
        """{normalised e-mail or phone: the oldest visible customer holding it} for rows not matched by id."""
        values = {r.values[key][1] for r in rows if key in r.values and r.values.get("external_id") not in found}
        if not values:
            return {}
        points = scoped(self.ctx, ContactPoint.objects.filter(kind=kind, normalized__in=list(values)))
        matches: dict[str, int] = {}
        for normalized, customer in points.order_by("-customer_id").values_list("normalized", "customer_id"):
            matches[normalized] = customer
        return matches

    def _find(self, values: dict[str, Any]) -> CustomerState | None:
        options = self.ctx.options
        if "external_id" in values and (state := self.by_key.get(("ext", values["external_id"]))):
            return state
        for name in ("email", "phone"):
            if options.get(f"match_{name}") and name in values and (state := self.by_key.get((name, values[name][1]))):
                return state
        return None

    def _apply(self, row: Row, hidden: set[str], owners: dict[str, tuple[int, int | None]],
               default: tuple[int | None, int | None]) -> None:
        ctx, values = self.ctx, row.values
        if values.get("external_id") in hidden:
            ctx.reject(row, {"external_id": hidden_message(values["external_id"])})
            return
        if "owner" in values and values["owner"] not in owners:
            ctx.reject(row, {"owner": unknown_user_message(values["owner"])})
            return
        state = self._find(values)
        profile = state.profile if state else EMPTY_PROFILE
        kind = creation_kind(values) if state is None else str(values.get("kind") or profile["kind"])
        problem = name_error(kind, values, profile)
        if problem:
            ctx.reject(row, problem)
            return
        created = state is None
        if state is None:
            state = CustomerState(id=None, profile={**EMPTY_PROFILE, "owner": default[0], "team": default[1]})
            self.new.append(state)
        before = None if created else state.snapshot()
        merge(state, kind, values, ctx.source, owners[values["owner"]] if "owner" in values else None)
        self._remember(state, values)
        ctx.count("created" if created else ("unchanged" if state.snapshot() == before else "updated"))

    def _remember(self, state: CustomerState, values: dict[str, Any]) -> None:
        """Later rows of the chunk with the same id (or e-mail or phone, when matching on them) find this one."""
        if "external_id" in values:
            self.by_key[("ext", values["external_id"])] = state
        if self.ctx.options.get("match_email") and "email" in values:
            self.by_key.setdefault(("email", values["email"][1]), state)
        if self.ctx.options.get("match_phone") and "phone" in values:
            self.by_key.setdefault(("phone", values["phone"][1]), state)


register(CustomersEntity)
