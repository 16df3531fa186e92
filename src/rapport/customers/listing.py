"""The customer list as people filter it: parsed filters, indexed sorts, keyset pages, capped counts.

Used by the workspace list, its CSV export and saved views. Every query starts from ``customer_list`` (the
access-scoping selector), so a filter can only narrow what the user may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core.keyset import Ordering
from rapport.customers import search
from rapport.customers.choices import CustomerKind, LifecycleStage, RelationshipLevel
from rapport.customers.models import Customer
from rapport.customers.selectors import customer_list, customer_list_branches

PAGE_SIZE = 50
COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000
# Only columns with a (column, id) index: each sort is an index walk, whatever the table's size.
SORTS = {
    "name": gettext_lazy("Name, A to Z"),
    "-name": gettext_lazy("Name, Z to A"),
    "-created": gettext_lazy("Newest first"),
    "created": gettext_lazy("Oldest first"),
}
_SORT_COLUMNS = {"name": "display_name", "created": "created_at"}
FILTER_KEYS = ("q", "kind", "stage", "level", "owner", "team", "tag", "country", "language", "sort")


@dataclass(frozen=True)
class ExtraFilter:
    """A filter a later domain adds to the customer list (analytics: value and risk bands, segments).

    ``choices`` lists the (value, label) pairs offered; ``apply`` narrows a customer queryset to one value.
    The domain registers it in its AppConfig.ready, as merge relations and timeline sources are registered.
    """

    name: str
    label: Any
    choices: Callable[[], list[tuple[str, Any]]]
    apply: Callable[[QuerySet[Customer], str], QuerySet[Customer]]


_EXTRA: dict[str, ExtraFilter] = {}


def register_filter(extra: ExtraFilter) -> None:
    if extra.name in FILTER_KEYS:
        raise ValueError(f"{extra.name!r} is one of the list's own filters")
    _EXTRA[extra.name] = extra


def extra_filters() -> list[ExtraFilter]:
    return list(_EXTRA.values())


@dataclass
class CustomerFilters:
    q: str = ""
    kind: str = ""
    stage: str = ""
    level: int | None = None
    owner: str = ""  # a user id, "me" or "none"
    team: int | None = None
    tag: str = ""
    country: str = ""
    language: str = ""
    sort: str = "name"
    extra: dict[str, str] = field(default_factory=dict)  # registered filters' chosen values
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> CustomerFilters:
        """Read the list's query string; a bad value is dropped and reported under its name, never a 500."""
        f = cls()
        f.q = str(params.get("q", "")).strip()[:200]
        f.kind = _choice(f, "kind", params.get("kind", ""), CustomerKind.values)
        f.stage = _choice(f, "stage", params.get("stage", ""), LifecycleStage.values)
        level = str(params.get("level", "")).strip()
        if level:
            if level.isdigit() and int(level) in RelationshipLevel.values:
                f.level = int(level)
            else:
                f.errors["level"] = _("Choose a relationship level from 1 to 6.")
        owner = str(params.get("owner", "")).strip()
        if owner in ("", "me", "none") or (owner.isdigit() and len(owner) < 12):
            f.owner = owner
        else:
            f.errors["owner"] = _("Choose an account manager from the list.")
        team = str(params.get("team", "")).strip()
        if team:
            if team.isdigit() and len(team) < 12:
                f.team = int(team)
            else:
                f.errors["team"] = _("Choose a team from the list.")
        f.tag = str(params.get("tag", "")).strip()[:64]
        country = str(params.get("country", "")).strip().upper()
        if country and not (len(country) == 2 and country.isalpha()):
            f.errors["country"] = _("Use a two-letter country code, e.g. MY.")
        else:
            f.country = country
        f.language = str(params.get("language", "")).strip()[:8]
        for extra in _EXTRA.values():
            value = _choice(f, extra.name, params.get(extra.name, ""), [v for v, _label in extra.choices()])
            if value:
                f.extra[extra.name] = value
        sort = str(params.get("sort", "") or "name")
        if sort in SORTS:
            f.sort = sort
        else:
            f.errors["sort"] = _("Sort by one of the offered orders.")
        return f

    def as_query(self) -> dict[str, str]:
        """The non-empty filters as query-string pairs (what a saved view stores)."""
        values = {
            "q": self.q, "kind": self.kind, "stage": self.stage, "level": self.level, "owner": self.owner,
            "team": self.team, "tag": self.tag, "country": self.country, "language": self.language,
            "sort": "" if self.sort == "name" else self.sort, **self.extra,
        }
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    @property
    def ordering(self) -> Ordering:
        column = _SORT_COLUMNS[self.sort.removeprefix("-")]
        return Ordering.of(Customer, f"-{column}" if self.sort.startswith("-") else column)


def _choice(f: CustomerFilters, name: str, value: Any, allowed: list[Any]) -> str:
    value = str(value).strip()
    if value and value not in allowed:
        f.errors[name] = _("Choose one of the offered values.")
        return ""
    return value


def filtered(*, user: Any, filters: CustomerFilters) -> QuerySet[Customer]:
    """Every customer the user may see that matches the filters (one queryset: counts and exports)."""
    return _narrowed(customer_list(user=user), user=user, filters=filters)


def _narrowed(
    qs: QuerySet[Customer], *, user: Any, filters: CustomerFilters, ordered_walk: bool = False
) -> QuerySet[Customer]:
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.stage:
        qs = qs.filter(lifecycle_stage=filters.stage)
    if filters.level is not None:
        qs = qs.filter(relationship_level=filters.level)
    if filters.owner == "me":
        qs = qs.filter(owner=user)
    elif filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner:
        qs = qs.filter(owner_id=int(filters.owner))
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.language:
        qs = qs.filter(language=filters.language)
    for name, value in filters.extra.items():
        qs = _EXTRA[name].apply(qs, value)
    if filters.q:
        qs = search.search(qs, filters.q, ordered_walk=ordered_walk)
    return qs


def customer_page(
    *, user: Any, filters: CustomerFilters, cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[Customer], str | None]:
    """One page of the filtered list and the next page's cursor; raises core.keyset.BadCursor.

    Each branch of the user's scope is read along its own index (see ``visible_branches``). A search whose
    words match many customers walks that index in list order and checks each row against the matches,
    which stops after a page; one that matches few reads just those and sorts them.
    """
    ordered_walk = bool(filters.q) and search.matches_many(filters.q)
    branches = [
        _narrowed(branch, user=user, filters=filters, ordered_walk=ordered_walk)
        for branch in customer_list_branches(user=user)
    ]
    return filters.ordering.page_union(branches, cursor, size)


def customer_count(*, user: Any, filters: CustomerFilters, cap: int | None = None) -> int:
    """How many match, counting no further than the cap (the page shows "10,000+"): never a full count.

    A search counts to a lower cap: its matches are read from the search index and checked one by one
    against the user's scope, and a person refining a search needs "1,000+", not a bigger exact figure.
    """
    cap = cap or count_cap(filters)
    qs = filtered(user=user, filters=filters).order_by().values("pk")[:cap]
    return qs.count()


def count_cap(filters: CustomerFilters) -> int:
    return SEARCH_COUNT_CAP if filters.q else COUNT_CAP


def customer_rows(*, user: Any, filters: CustomerFilters, chunk: int = 2000) -> Iterator[Customer]:
    """Every matching customer in list order, read page by page on the keyset (the CSV export)."""
    cursor: str | None = None
    while True:
        rows, cursor = customer_page(user=user, filters=filters, cursor=cursor, size=chunk)
        yield from rows
        if cursor is None:
            return
