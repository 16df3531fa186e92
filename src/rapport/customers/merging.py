"""Merging duplicate customers, and undoing a merge.

Every domain that keeps rows about a customer registers one :class:`MergeRelation` per foreign key to
``Customer`` in its ``AppConfig.ready`` (customers registers its own; commerce, interactions and sales theirs):
the customers app never imports them. A merge keeps the *survivor* and removes the *discarded* customer:

- each relation's rows move with one ``UPDATE``; their ids are read first and kept for the undo, so a merge
  costs the same number of queries for 10 orders as for 10,000;
- where a unique key includes the customer (the same e-mail, tag or consent channel on both) the relation's
  ``conflict`` decides which row stays; the other is deleted and kept whole in the merge record;
- the survivor's own fields win; its empty ones are filled from the discarded customer (before-image kept);
- the discarded customer's row is kept in the record and its id keeps resolving to the survivor
  (:func:`customer_merged_into`); its external ids move, so imports by (source, external_id) find the survivor.

:func:`customer_merge_undo` puts everything back: the discarded customer with its id, its deleted rows, the
rows that moved (rows added to the survivor since stay there), and the survivor's filled fields unless someone
changed them since.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.constants import OnConflict
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.access import can_see, can_write, visible_to
from rapport.core.errors import NotFoundError, PermissionDeniedError, RapportError
from rapport.customers.choices import ContactPointKind
from rapport.customers.models import Customer, CustomerMerge
from rapport.customers.search import search_document_refresh
from rapport.customers.services import _refresh_display_name, _sync_primary

# --- the registry -----------------------------------------------------------------------------------------


class Conflict(StrEnum):
    """What happens to a discarded customer's row whose unique key the survivor already holds."""

    MOVE = "move"  # no unique key includes the customer: every row moves
    KEEP_SURVIVOR = "keep_survivor"  # the survivor's row stays, the discarded one is deleted (and recorded)
    KEEP_LATEST = "keep_latest"  # the row with the later ``latest_by`` stays (the survivor's on a tie)
    DELETE = "delete"  # rows are deleted rather than moved (and recorded): links that mean nothing after a merge


@dataclass(frozen=True)
class MergeRelation:
    """One foreign key to ``Customer``, and how its rows follow a merge.

    ``unique_on`` are the columns that, with ``field``, form a unique key (empty: one row per customer).
    ``primary_flag`` names a boolean the survivor keeps at most one of per ``primary_per`` group: a moved
    row carrying it loses it when the survivor already has one (the discarded e-mail becomes secondary).
    Rows deleted under ``KEEP_*`` or ``DELETE`` must be leaves: nothing else may refer to them.
    """

    model: type[models.Model]
    field: str = "customer"
    conflict: Conflict = Conflict.MOVE
    unique_on: tuple[str, ...] = ()
    latest_by: str = ""
    primary_flag: str = ""
    primary_per: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What the merge record files the rows under: "commerce.Order", "customers.Contact.organisation"."""
        label = self.model._meta.label
        return label if self.field == "customer" else f"{label}.{self.field}"


_RELATIONS: dict[str, MergeRelation] = {}


def _unique_keys(model: type[models.Model], name: str) -> list[tuple[str, ...]]:
    """The unique keys of ``model`` that include the column ``name``."""
    keys: list[tuple[str, ...]] = [tuple(together) for together in model._meta.unique_together]
    keys += [tuple(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    found = [key for key in keys if name in key]
    if getattr(model._meta.get_field(name), "unique", False):
        found.append((name,))
    return found


def register_relation(relation: MergeRelation) -> None:
    """Called from ``AppConfig.ready``; registering the same key again replaces the relation."""
    target = relation.model._meta.get_field(relation.field)
    if not (target.many_to_one or target.one_to_one) or target.related_model is not Customer:
        raise ImproperlyConfigured(f"{relation.key}: {relation.field} is not a foreign key to Customer")
    if relation.conflict == Conflict.KEEP_LATEST and not relation.latest_by:
        raise ImproperlyConfigured(f"{relation.key}: KEEP_LATEST needs latest_by")
    if relation.conflict == Conflict.MOVE and _unique_keys(relation.model, relation.field):
        # Two customers' rows could clash once on one customer: the domain must say which one stays.
        raise ImproperlyConfigured(
            f"{relation.key}: a unique key includes {relation.field}; choose KEEP_SURVIVOR, KEEP_LATEST or DELETE"
        )
    _RELATIONS[relation.key] = relation


def registered_relations() -> list[MergeRelation]:
    return list(_RELATIONS.values())


def _is_exempt(model: type[models.Model], name: str) -> bool:
    # The merge records themselves stay with the customer that absorbed them (see CustomerMerge.survivor).
    return model is CustomerMerge and name == "survivor"


def unregistered_relations() -> list[tuple[type[models.Model], str]]:
    """Foreign keys to ``Customer`` that no domain registered: a merge would not know what to do with them."""
    registered = {(r.model, r.field) for r in _RELATIONS.values()}
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        for f in model._meta.local_fields:
            wanted = f.is_relation and f.related_model is Customer and not _is_exempt(model, f.name)
            if wanted and (model, f.name) not in registered:
                found.append((model, f.name))
    return found


def check_relations_registered(**kwargs: Any) -> list[checks.CheckMessage]:
    """System check: every foreign key to a customer says how it follows a merge."""
    return [
        checks.Warning(
            f"{model._meta.label}.{name} refers to a customer but registers no MergeRelation.",
            hint="Call rapport.customers.merging.register_relation() in the app's AppConfig.ready().",
            obj=model, id="customers.W001",
        )
        for model, name in unregistered_relations()
    ]


# --- errors -------------------------------------------------------------------------------------------------


class MergeConflictError(RapportError):
    """The records are no longer in a state that allows this merge or undo (already merged, already undone)."""


# --- rows as JSON -----------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    # Full precision (DjangoJSONEncoder would cut microseconds): a restored row equals the deleted one.
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    return {f.attname: _encode(f.value_from_object(obj)) for f in obj._meta.concrete_fields}


def _value(model: type[models.Model], attname: str, value: Any) -> Any:
    if value is None:
        return None
    return next(f for f in model._meta.concrete_fields if f.attname == attname).to_python(value)


def _instance(model: type[models.Model], row: dict[str, Any]) -> models.Model:
    return model(**{name: _value(model, name, value) for name, value in row.items()})


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    size = min(connection.features.max_query_params or 10_000, 10_000) - 10
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _insert_rows(model: type[models.Model], objs: list[models.Model], *, skip_clashes: bool = True) -> None:
    """Put deleted rows back as they were, ids and timestamps included, in few statements.

    ``QuerySet._insert(raw=True)`` is what ``Model.save_base(raw=True)`` (loaddata) runs, for many rows: unlike
    ``bulk_create`` it keeps ``created_at`` instead of stamping it anew. With ``skip_clashes`` a row clashing
    with one added since the merge (a consent recorded again) is skipped: the newer one stands.
    """
    fields = list(model._meta.concrete_fields)
    size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    for start in range(0, len(objs), size):
        model._base_manager._insert(  # type: ignore[attr-defined]
            objs[start:start + size], fields=fields, raw=True,
            on_conflict=OnConflict.IGNORE if skip_clashes else None,
        )


# --- moving one relation ------------------------------------------------------------------------------------


@dataclass
class _Record:
    moved: dict[str, list[int]] = field(default_factory=dict)
    deleted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    demoted: dict[str, list[int]] = field(default_factory=dict)


def _key_of(relation: MergeRelation, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in relation.unique_on)


def _group_of(relation: MergeRelation, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in relation.primary_per)


def _later(a: Any, b: Any) -> bool:
    return a is not None and (b is None or a > b)


def _move(relation: MergeRelation, survivor_id: int, discarded_id: int, record: _Record) -> None:
    """Move one relation's rows in at most six queries, whatever their number (more only past 10,000 drops)."""
    manager = relation.model._base_manager
    on_discarded = manager.filter(**{relation.field: discarded_id})
    on_survivor = manager.filter(**{relation.field: survivor_id})
    extra = [name for name in (relation.latest_by, relation.primary_flag) if name]
    columns = list(dict.fromkeys(["pk", *relation.unique_on, *relation.primary_per, *extra]))
    rows = list(on_discarded.values(*columns))
    if not rows:
        return
    theirs: list[dict[str, Any]] = []
    if relation.conflict in (Conflict.KEEP_SURVIVOR, Conflict.KEEP_LATEST) or relation.primary_flag:
        theirs = list(on_survivor.values(*columns))
    drop: list[int] = []
    if relation.conflict == Conflict.DELETE:
        drop = [row["pk"] for row in rows]
    elif relation.conflict != Conflict.MOVE:
        by_key = {_key_of(relation, row): row for row in theirs}
        for row in rows:
            other = by_key.get(_key_of(relation, row))
            if other is None:
                continue
            newer = relation.conflict == Conflict.KEEP_LATEST and _later(
                row[relation.latest_by], other[relation.latest_by]
            )
            drop.append(other["pk"] if newer else row["pk"])
    if drop:
        kept = record.deleted.setdefault(relation.key, [])
        for ids in _chunks(drop):
            kept.extend(_row(obj) for obj in manager.filter(pk__in=ids).order_by("pk"))
            manager.filter(pk__in=ids).delete()
    dropped = set(drop)
    moving = [row for row in rows if row["pk"] not in dropped]
    if not moving:
        return
    on_discarded.update(**{relation.field: survivor_id})
    record.moved[relation.key] = [row["pk"] for row in moving]
    if relation.primary_flag:
        flag = relation.primary_flag
        held = {_group_of(relation, row) for row in theirs if row[flag] and row["pk"] not in dropped}
        demote = [row["pk"] for row in moving if row[flag] and _group_of(relation, row) in held]
        if demote:
            manager.filter(pk__in=demote).update(**{flag: False})
            record.demoted[relation.key] = demote


def _refuse_unregistered(discarded_id: int) -> None:
    # Deleting the discarded customer would otherwise cascade over (or orphan) rows nobody said how to move.
    for model, name in unregistered_relations():
        if model._base_manager.filter(**{name: discarded_id}).exists():
            raise ImproperlyConfigured(
                f"{model._meta.label}.{name} refers to customer {discarded_id} but registers no MergeRelation"
            )


# --- survivorship -------------------------------------------------------------------------------------------

# The survivor's values win; an empty one takes the discarded customer's. The display name, the primary
# e-mail/phone and the search text are derived and recomputed; kind, stage and level always have a value.
FILLABLE_FIELDS = (
    "first_name", "last_name", "organisation_name", "language", "country", "city", "birth_date", "source",
)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {}


def _fill(survivor: Customer, discarded: Customer) -> tuple[dict[str, Any], dict[str, Any]]:
    """The survivor's columns to fill: (their values before, the values given), by attname."""
    before: dict[str, Any] = {}
    given: dict[str, Any] = {}
    for name in FILLABLE_FIELDS:
        if _empty(getattr(survivor, name)) and not _empty(getattr(discarded, name)):
            before[name], given[name] = getattr(survivor, name), getattr(discarded, name)
    extra = {k: v for k, v in (discarded.attributes or {}).items() if k not in (survivor.attributes or {})}
    if extra:
        before["attributes"], given["attributes"] = survivor.attributes, {**survivor.attributes, **extra}
    # Owner and team go together (the team decides who else sees the customer): only a survivor with neither
    # takes the discarded customer's.
    if survivor.owner_id is None and survivor.team_id is None and (discarded.owner_id or discarded.team_id):
        before.update(owner_id=None, team_id=None)
        given.update(owner_id=discarded.owner_id, team_id=discarded.team_id)
    return before, given


def _save_derived(customer: Customer, changes: dict[str, Any]) -> None:
    """Write ``changes`` with the display name, a new version, the primary e-mail/phone and the search text."""
    for name, value in changes.items():
        setattr(customer, name, value)
    _refresh_display_name(customer)
    Customer.objects.filter(pk=customer.pk).update(
        **changes, display_name=customer.display_name, version=F("version") + 1, updated_at=timezone.now()
    )
    customer.version += 1
    _sync_primary(customer, ContactPointKind.EMAIL)
    _sync_primary(customer, ContactPointKind.PHONE)
    search_document_refresh(customer)


def _delete_row(customer_id: int) -> None:
    # Plain SQL rather than Model.delete(): every relation has been emptied above, and the ORM's cascade would
    # take the merge records this customer absorbed earlier with it (see CustomerMerge.survivor).
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {qn(Customer._meta.db_table)} WHERE {qn('id')} = %s", [customer_id])


# --- services -----------------------------------------------------------------------------------------------


def _absorbing_merge(customer_id: int) -> CustomerMerge | None:
    """The merge (not undone) that removed ``customer_id``, if any."""
    return (
        CustomerMerge.objects.filter(discarded_id=customer_id, undone_at__isnull=True)
        .order_by("-merged_at", "-id").first()
    )


def _lock(ids: Iterable[int]) -> dict[int, Customer]:
    # Locked in id order (no deadlock between two merges of the same pair); on PostgreSQL this also keeps
    # anyone from adding rows to either customer until the merge commits. SQLite serialises writers anyway.
    return {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk")}


def _gone(customer: Customer, field: str) -> RapportError:
    """Why a customer handed to a merge is no longer there: merged away (a conflict) or deleted."""
    merge = _absorbing_merge(customer.pk)
    if merge is None:
        return NotFoundError(_("No such customer."), field=field)
    return MergeConflictError(
        _("%(name)s was already merged into customer %(survivor)s.")
        % {"name": merge.discarded_name or f"#{customer.pk}", "survivor": merge.survivor_id},
        field=field,
    )


@transaction.atomic
def customers_merge(*, survivor: Customer, discarded: Customer, by: Any, reason: str = "") -> CustomerMerge:
    """Merge ``discarded`` into ``survivor`` and return the record that can undo it.

    Both must be visible to ``by`` (else :class:`NotFoundError`) and ``by`` must be allowed to write
    (:class:`PermissionDeniedError`). Refused with a :class:`RapportError` naming ``discard``: a customer with
    itself, and a person with an organisation (contact persons belong to organisations only, and the two
    kinds' names do not map onto each other: change the kind first). :class:`MergeConflictError` when either
    was already merged away.
    """
    if survivor.pk == discarded.pk:
        raise RapportError(_("A customer cannot be merged with itself."), field="discard")
    locked = _lock([survivor.pk, discarded.pk])
    for customer, role in ((survivor, "survivor"), (discarded, "discard")):
        if customer.pk not in locked:
            raise _gone(customer, role)
    survivor, discarded = locked[survivor.pk], locked[discarded.pk]
    if not (can_see(by, survivor) and can_see(by, discarded)):
        raise NotFoundError(_("No such customer."), field="discard")
    if not can_write(by):
        raise PermissionDeniedError(_("Your role may read customers but not merge them."))
    if survivor.kind != discarded.kind:
        raise RapportError(
            _("A person and an organisation cannot be merged; change one's kind first."), field="discard"
        )
    _refuse_unregistered(discarded.pk)

    record = _Record()
    for relation in registered_relations():
        _move(relation, survivor.pk, discarded.pk, record)
    before, given = _fill(survivor, discarded)
    snapshot = _row(discarded)
    _delete_row(discarded.pk)
    _save_derived(survivor, given)
    return CustomerMerge.objects.create(
        survivor=survivor, discarded_id=discarded.pk, discarded_name=discarded.display_name[:200],
        discarded_snapshot={
            "customer": snapshot, "deleted": record.deleted, "demoted": record.demoted,
            "filled": {name: _encode(value) for name, value in given.items()},
        },
        moved=record.moved, survivor_before={name: _encode(value) for name, value in before.items()},
        reason=reason.strip()[:300], merged_by=by if getattr(by, "pk", None) else None,
    )


def _relation(key: str) -> MergeRelation:
    try:
        return _RELATIONS[key]
    except KeyError:
        raise ImproperlyConfigured(f"the merge moved {key} rows, but no MergeRelation {key} is registered") from None


def _unfill(survivor: Customer, before: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The survivor's columns to put back: those still holding what the merge gave them."""
    changes: dict[str, Any] = {}
    for name, old in before.items():
        if name == "attributes":
            # Per key: remove what the merge added unless it was changed since; keep everything else.
            current = dict(survivor.attributes or {})
            added = {k: v for k, v in given[name].items() if k not in (old or {})}
            kept = {k: v for k, v in current.items() if k not in added or v != added[k]}
            if kept != current:
                changes[name] = kept
        elif getattr(survivor, name) == _value(Customer, name, given[name]):
            changes[name] = _value(Customer, name, old)
    return changes


@transaction.atomic
def customer_merge_undo(*, merge: CustomerMerge, by: Any) -> Customer:
    """Bring the discarded customer back with its id and rows; returns it.

    Rows added to the survivor since the merge stay there; moved rows go back with any edits made since. The
    survivor's filled fields are emptied again unless they were changed since. Refused
    (:class:`MergeConflictError`) when already undone, and when the survivor has itself been merged away since
    (undo that merge first).
    """
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeConflictError(_("This merge has already been undone."))
    survivor = _lock([merge.survivor_id]).get(merge.survivor_id)
    if survivor is None:
        later = _absorbing_merge(merge.survivor_id)
        if later is None:
            raise NotFoundError(_("No such merge."))
        raise MergeConflictError(
            _("Customer %(id)s has since been merged into customer %(survivor)s; undo that merge first.")
            % {"id": merge.survivor_id, "survivor": later.survivor_id}
        )
    if not can_see(by, survivor):
        raise NotFoundError(_("No such merge."))
    if not can_write(by):
        raise PermissionDeniedError(_("Your role may read customers but not undo a merge."))
    if Customer.objects.filter(pk=merge.discarded_id).exists():
        raise MergeConflictError(_("Customer %(id)s exists again; nothing to undo.") % {"id": merge.discarded_id})

    snapshot = merge.discarded_snapshot
    discarded = _instance(Customer, snapshot["customer"])
    assert isinstance(discarded, Customer)
    _insert_rows(Customer, [discarded], skip_clashes=False)
    for key, ids in merge.moved.items():
        relation = _relation(key)
        manager = relation.model._base_manager
        for chunk in _chunks(ids):
            # Only rows still on the survivor: one moved on to someone else since stays where it is.
            manager.filter(pk__in=chunk, **{relation.field: survivor.pk}).update(**{relation.field: discarded.pk})
    for key, ids in snapshot.get("demoted", {}).items():
        relation = _relation(key)
        relation.model._base_manager.filter(pk__in=ids, **{relation.field: discarded.pk}).update(
            **{relation.primary_flag: True}
        )
    for key, rows in snapshot.get("deleted", {}).items():
        relation = _relation(key)
        _insert_rows(relation.model, [_instance(relation.model, row) for row in rows])

    _save_derived(survivor, _unfill(survivor, merge.survivor_before, snapshot.get("filled", {})))
    _save_derived(discarded, {})  # its version moves on too: an edit opened before the merge is stale now
    CustomerMerge.objects.filter(pk=merge.pk).update(
        undone_at=timezone.now(), undone_by=by if getattr(by, "pk", None) else None
    )
    return Customer.objects.select_related("owner", "team").get(pk=discarded.pk)


# --- selectors ----------------------------------------------------------------------------------------------


def customer_merge_list(*, user: Any) -> QuerySet[CustomerMerge]:
    """Merges whose survivor ``user`` may see."""
    return visible_to(user, CustomerMerge.objects.select_related("merged_by", "undone_by"))


# The selectors below also take their arguments by position (``customer_merge_get(user, pk)``), as first announced.


def customer_merge_get(user: Any, pk: Any) -> CustomerMerge:
    """The merge, or Http404 when it does not exist *or* the user may not see its survivor."""
    try:
        return customer_merge_list(user=user).get(pk=int(pk))
    except (CustomerMerge.DoesNotExist, ValueError, TypeError):
        raise Http404("No such merge") from None


def customer_merges_of(customer: Customer) -> QuerySet[CustomerMerge]:
    """The merges that absorbed a customer into ``customer`` or (undone) removed it, newest first."""
    return (
        CustomerMerge.objects.filter(Q(survivor_id=customer.pk) | Q(discarded_id=customer.pk))
        .select_related("merged_by", "undone_by").order_by("-merged_at", "-id")
    )


def customer_merge_absorbing(*, user: Any, customer_id: int) -> CustomerMerge | None:
    """The merge (not undone) that removed ``customer_id``, when ``user`` may see its survivor."""
    return (
        customer_merge_list(user=user).filter(discarded_id=customer_id, undone_at__isnull=True)
        .order_by("-merged_at", "-id").first()
    )


MAX_CHAIN = 50


def customer_merged_into(customer_id: int) -> int | None:
    """The id of the customer that ``customer_id`` now lives on, or None when it was not merged away.

    Follows chains (A into B, then B into C gives C). Not scoped: it tells only an id, which the caller
    then looks up through its own visible queryset. Ask it only after the id itself was not found: an id
    whose merge was undone is a customer again and answers None.
    """
    current, seen = customer_id, set()
    for _step in range(MAX_CHAIN):
        merge = _absorbing_merge(current)
        if merge is None:
            return current if current != customer_id and Customer.objects.filter(pk=current).exists() else None
        if merge.survivor_id in seen:
            return None
        seen.add(current)
        current = merge.survivor_id
    return None
