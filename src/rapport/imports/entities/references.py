"""Rows that name a customer by external id (orders, interactions, contact persons): find it, or create it.

With --create-missing an unknown id becomes a minimal customer (a person whose last name is the id, or for a
contact person an organisation of that name; in the batch's source, owned like any imported customer) that a
later customer import fills in; otherwise the row is rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapport.customers.choices import CustomerKind
from rapport.imports.entities.common import customers_by_external_id, default_owner
from rapport.imports.entities.customer_rows import EMPTY_PROFILE, CustomerState, insert_customers
from rapport.imports.writes import ChunkContext


class CustomerRefs:
    """Customer ids by external id for one chunk: {external id: id}, plus the ids the user may not touch."""

    def __init__(self, ctx: ChunkContext, external_ids: Iterable[str], *, kind: str = CustomerKind.PERSON) -> None:
        self.kind = kind
        wanted = {e for e in external_ids if e}
        self.ids, self.hidden = customers_by_external_id(ctx, wanted)
        self.missing = wanted - set(self.ids) - self.hidden
        if self.missing and ctx.create_missing:
            self._create(ctx, sorted(self.missing))
            self.missing = set()

    def _create(self, ctx: ChunkContext, external_ids: list[str]) -> None:
        owner, team = default_owner(ctx)
        states = []
        for external_id in external_ids:
            name = {"organisation_name": external_id[:200]} if self.kind == CustomerKind.ORGANISATION else {
                "last_name": external_id[:100]}
            state = CustomerState(id=None, profile={
                **EMPTY_PROFILE, "kind": self.kind, **name, "owner": owner, "team": team,
            })
            state.add_identifier(ctx.source, external_id)
            states.append(state)
        insert_customers(ctx, states)
        for external_id, state in zip(external_ids, states, strict=True):
            assert state.id is not None
            self.ids[external_id] = state.id
        ctx.extra["customers_created"] += len(states)
