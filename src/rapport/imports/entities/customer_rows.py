"""A customer as an import sees it (profile, contact points, external ids, tags) and how it is written.

New customers are appended in bulk with their contact points, external identifier and tags; changed ones
are updated with a before-image. Either way the columns the services keep in step are kept here too:
``display_name``, ``primary_email``/``primary_phone`` (copies of the primary contact points) and
``search_document`` (what ``rapport.customers.search.document_for`` computes), and ``version`` moves on so
that an edit opened before the import is refused rather than overwriting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from rapport.core.bulkload import Col, const
from rapport.customers.choices import ContactPointKind, CustomerKind, LifecycleStage, RelationshipLevel
from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier, Tag
from rapport.imports.writes import ChunkContext

CustomerTag = Customer.tags.through
PROFILE = ("kind", "first_name", "last_name", "organisation_name", "language", "country", "city", "birth_date",
           "owner", "team")
# What an update writes, and so what its before-image holds.
UPDATED = (*PROFILE, "display_name", "primary_email", "primary_phone", "search_document", "version", "updated_at")
# Plain strings, not the enum members: rows cross to the main process by pickle, and enums unpickle slowly.
PERSON, ORGANISATION = str(CustomerKind.PERSON.value), str(CustomerKind.ORGANISATION.value)
EMAIL, PHONE = str(ContactPointKind.EMAIL.value), str(ContactPointKind.PHONE.value)
EMPTY_PROFILE: dict[str, Any] = {
    "kind": PERSON, "first_name": "", "last_name": "", "organisation_name": "", "language": "",
    "country": "", "city": "", "birth_date": None, "owner": None, "team": None,
}


class NewCustomer(NamedTuple):
    """Everything a new customer's rows hold: made in the reader process for a row that creates one."""

    columns: tuple[Any, ...]  # NEW_COLUMNS, in that order
    points: tuple[tuple[str, str, str, bool], ...]  # (kind, value, normalised, primary)
    identifiers: tuple[str, ...]  # in the batch's source
    tags: tuple[str, ...]
    owner: int | None = None
    team: int | None = None


NEW_COLUMNS = ("kind", "first_name", "last_name", "organisation_name", "display_name", "primary_email",
               "primary_phone", "language", "country", "city", "birth_date", "search_document")


@dataclass(slots=True)
class Point:
    kind: str
    value: str
    normalized: str
    primary: bool
    id: int | None = None  # None until written
    was_primary: bool = False  # as the database holds it


@dataclass(slots=True)
class CustomerState:
    id: int | None
    profile: dict[str, Any]
    points: list[Point] = field(default_factory=list)  # in id order, new ones last
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (source, id), all sources, in id order
    new_identifiers: list[str] = field(default_factory=list)  # to add in the batch's source
    tags: list[str] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    version: int = 1
    original: dict[str, Any] = field(default_factory=dict)  # the database's values of UPDATED

    def snapshot(self) -> tuple[Any, ...]:
        """What a row can change, to tell an unchanged row from an updated one."""
        return (
            tuple(self.profile.values()), self.primary(ContactPointKind.EMAIL), self.primary(ContactPointKind.PHONE),
            len(self.points), len(self.identifiers), len(self.tags),
        )

    def primary(self, kind: str) -> str:
        for point in self.points:
            if point.kind == kind and point.primary:
                return point.normalized
        return ""

    def primary_value(self, kind: str) -> str:
        for point in self.points:
            if point.kind == kind and point.primary:
                return point.value
        return ""

    def set_point(self, kind: str, value: str, normalized: str) -> None:
        """Make ``value`` the primary e-mail or phone: an address already known is promoted, a new one added."""
        found = None
        for point in self.points:
            if point.kind == kind:
                if point.normalized == normalized:
                    found = point
                elif point.primary:
                    point.primary = False
        if found is None:
            self.points.append(Point(kind, value, normalized, True))
        else:
            found.primary = True

    def add_identifier(self, source: str, external_id: str) -> None:
        if (source, external_id) not in self.identifiers:
            self.identifiers.append((source, external_id))
            self.new_identifiers.append(external_id)

    def add_tags(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self.tags:
                self.tags.append(name)
                self.new_tags.append(name)

    @property
    def display_name(self) -> str:
        p = self.profile
        return Customer.compose_display_name(p["kind"], p["first_name"], p["last_name"], p["organisation_name"])[:200]

    def document(self) -> str:
        """``search.document_for`` without the queries: name, contact points (and phones without the +), ids."""
        normalized = [p.normalized for p in self.points]
        parts = [self.display_name, *normalized, *(p.lstrip("+") for p in normalized if p.startswith("+")),
                 *(external_id for _source, external_id in self.identifiers)]
        return " ".join(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))

    def as_new(self) -> NewCustomer:
        derived = self.derived()
        derived["birth_date"] = _date_text(derived["birth_date"])
        return NewCustomer(
            columns=tuple(derived[name] for name in NEW_COLUMNS),
            points=tuple((p.kind, p.value, p.normalized, p.primary) for p in self.points),
            identifiers=tuple(self.new_identifiers), tags=tuple(self.new_tags),
            owner=self.profile["owner"], team=self.profile["team"],
        )

    def derived(self) -> dict[str, Any]:
        return {
            **self.profile,
            "display_name": self.display_name,
            "primary_email": self.primary_value(ContactPointKind.EMAIL),
            "primary_phone": self.primary_value(ContactPointKind.PHONE),
            "search_document": self.document(),
        }


def new_customer(kind: str, values: dict[str, Any]) -> NewCustomer:
    """The customer one row makes on its own: ``CustomerState(...).as_new()`` without the bookkeeping.

    Runs for nearly every row of a first import, in the reader process: kept lean on purpose.
    """
    get = values.get
    first, last, organisation = get("first_name", ""), get("last_name", ""), get("organisation_name", "")
    display = Customer.compose_display_name(kind, first, last, organisation)[:200]
    email, phone, external_id = get("email"), get("phone"), get("external_id")
    points = []
    parts = [display]
    if email:
        points.append((EMAIL, email[0], email[1], True))
        parts.append(email[1])
    if phone:
        points.append((PHONE, phone[0], phone[1], True))
        parts.append(phone[1])
        if phone[1].startswith("+"):
            parts.append(phone[1][1:])
    if external_id:
        parts.append(external_id)
    document = " ".join(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))
    born = get("birth_date")
    columns = (kind, first, last, organisation, display, email[0] if email else "", phone[0] if phone else "",
               get("language", ""), get("country", ""), get("city", ""), born.isoformat() if born else "", document)
    return NewCustomer(columns, tuple(points), (external_id,) if external_id else (), get("tags", ()))


def load_customers(ids: Sequence[int]) -> dict[int, CustomerState]:
    """The current state of existing customers: 4 queries for the whole chunk."""
    if not ids:
        return {}
    names = [n for n in UPDATED if n not in {"owner", "team"}]
    states: dict[int, CustomerState] = {}
    for values in Customer.objects.filter(pk__in=ids).values("pk", "owner_id", "team_id", *names):
        profile = {n: values[n] for n in PROFILE if n not in {"owner", "team"}}
        profile["owner"], profile["team"] = values["owner_id"], values["team_id"]
        original = {n: values[n] for n in names}
        original["owner"], original["team"] = values["owner_id"], values["team_id"]
        states[values["pk"]] = CustomerState(id=values["pk"], profile=profile, version=values["version"],
                                             original=original)
    for pk, customer, kind, value, normalized, primary in ContactPoint.objects.filter(
        customer_id__in=ids, kind__in=[ContactPointKind.EMAIL, ContactPointKind.PHONE],
    ).order_by("pk").values_list("pk", "customer_id", "kind", "value", "normalized", "is_primary"):
        states[customer].points.append(Point(kind, value, normalized, primary, pk, primary))
    for customer, source, external_id in ExternalIdentifier.objects.filter(customer_id__in=ids).order_by(
        "pk"
    ).values_list("customer_id", "source", "external_id"):
        states[customer].identifiers.append((source, external_id))
    for customer, name in CustomerTag.objects.filter(customer_id__in=ids).values_list("customer_id", "tag__name"):
        states[customer].tags.append(name)
    return states


def tag_ids(ctx: ChunkContext, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named tags, creating the missing ones (recorded, so a rollback removes them if unused)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    found = dict(Tag.objects.filter(name__in=wanted).values_list("name", "pk"))
    missing = [n for n in wanted if n not in found]
    if missing:
        ids = ctx.insert(Tag, len(missing), {"name": Col("text", missing)})
        found.update(zip(missing, ids.tolist(), strict=True))
    return found


def _date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def insert_customers(ctx: ChunkContext, states: Sequence[CustomerState]) -> None:
    """Append the new customers of ``states`` (and set their ids)."""
    ids = insert_new(ctx, [state.as_new() for state in states])
    for state, pk in zip(states, ids, strict=True):
        state.id = pk
        state.new_identifiers, state.new_tags = [], []
        for point in state.points:
            point.id, point.was_primary = -1, point.primary  # written (their ids are not needed again)


def insert_new(ctx: ChunkContext, items: Sequence[NewCustomer]) -> list[int]:
    """Append new customers with their contact points, external ids (in the batch's source) and tags."""
    n = len(items)
    if not n:
        return []
    columns = list(zip(*(item.columns for item in items), strict=True))
    by_name = dict(zip(NEW_COLUMNS, columns, strict=True))
    ids = ctx.insert(Customer, n, {
        "created_at": ctx.now_col(n), "updated_at": ctx.now_col(n), "source": const(ctx.source),
        **{name: Col("text", values) for name, values in by_name.items() if name != "birth_date"},
        "birth_date": Col("date", by_name["birth_date"]),
        "owner": Col("int_or_null", [-1 if item.owner is None else item.owner for item in items]),
        "team": Col("int_or_null", [-1 if item.team is None else item.team for item in items]),
        "attributes": const("{}"), "lifecycle_stage": const(LifecycleStage.PROSPECT),
        "relationship_level": const(int(RelationshipLevel.UTILITY)), "version": const(1),
    }).tolist()
    _add_points(ctx, [(pk, *point) for pk, item in zip(ids, items, strict=True) for point in item.points])
    _add_identifiers(ctx, [(pk, e) for pk, item in zip(ids, items, strict=True) for e in item.identifiers])
    _add_tags(ctx, [(pk, t) for pk, item in zip(ids, items, strict=True) for t in item.tags])
    return ids


def _add_points(ctx: ChunkContext, points: list[tuple[int, str, str, str, bool]]) -> list[int]:
    k = len(points)
    if not k:
        return []
    return ctx.insert(ContactPoint, k, {
        "created_at": ctx.now_col(k), "updated_at": ctx.now_col(k), "source": const(ctx.source),
        "customer": Col("int", [p[0] for p in points]), "kind": Col("text", [p[1] for p in points]),
        "value": Col("text", [p[2] for p in points]), "normalized": Col("text", [p[3] for p in points]),
        "label": const(""), "is_primary": Col("bool", [p[4] for p in points]),
    }).tolist()


def _add_identifiers(ctx: ChunkContext, identifiers: list[tuple[int, str]]) -> None:
    k = len(identifiers)
    if k:
        ctx.insert(ExternalIdentifier, k, {
            "created_at": ctx.now_col(k), "updated_at": ctx.now_col(k), "source": const(ctx.source),
            "customer": Col("int", [c for c, _e in identifiers]),
            "external_id": Col("text", [e for _c, e in identifiers]),
        })


def _add_tags(ctx: ChunkContext, links: list[tuple[int, str]]) -> None:
    if links:
        ids = tag_ids(ctx, (t for _c, t in links))
        ctx.insert(CustomerTag, len(links), {
            "customer": Col("int", [c for c, _t in links]), "tag": Col("int", [ids[t] for _c, t in links]),
        })


def write_additions(ctx: ChunkContext, states: Sequence[CustomerState]) -> None:
    """The new contact points, external ids and tag links of existing customers."""
    points = [(s.id, p) for s in states for p in s.points if p.id is None]
    point_ids = _add_points(ctx, [(c, p.kind, p.value, p.normalized, p.primary) for c, p in points])  # type: ignore[misc]
    for (_c, point), pk in zip(points, point_ids, strict=True):
        point.id, point.was_primary = pk, point.primary
    _add_identifiers(ctx, [(s.id, e) for s in states for e in s.new_identifiers])  # type: ignore[misc]
    _add_tags(ctx, [(s.id, t) for s in states for t in s.new_tags])  # type: ignore[misc]
    for state in states:
        state.new_identifiers, state.new_tags = [], []


def update_customers(ctx: ChunkContext, states: Sequence[CustomerState]) -> None:
    """Write the changes of existing customers: their row, promoted or demoted contact points, additions."""
    changes = []
    for state in states:
        new = {**state.derived(), "version": state.version + 1, "updated_at": ctx.now}
        # Only what a row can change decides; the derived columns are then written afresh. (A search text
        # written in an older format alone is no reason to move the version on and refuse someone's edit.)
        changed = any(new[name] != state.original[name] for name in (*PROFILE, "primary_email", "primary_phone"))
        if changed or state.new_identifiers or any(p.id is None for p in state.points):
            assert state.id is not None
            changes.append((state.id, [state.original[n] for n in UPDATED], [new[n] for n in UPDATED]))
    ctx.update(Customer, UPDATED, changes)
    ctx.update(ContactPoint, ("is_primary",), [
        (p.id, [p.was_primary], [p.primary])
        for s in states for p in s.points if p.id is not None and p.primary != p.was_primary
    ])
    write_additions(ctx, states)
