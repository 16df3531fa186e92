"""Demo customers recorded more than once, so the duplicates queue of a fresh demo has pairs to review.

They come from the labelled synthetic set of duplicate detection (``rapport.dedupe.synthetic``): the same
person typed again with a typo, with first and last name swapped, in another script, or with the phone in
another format, beside people who merely share a surname or a household phone. They are written through the
customer services, like customers entered by hand, and belong to the first team with an agent.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rapport.accounts.models import User
from rapport.customers.services import Identifier, customer_create
from rapport.dedupe.synthetic import generate

SOURCE = "demo-duplicates"


@transaction.atomic
def seed_demo_duplicates(*, records: int = 160, seed: int = 1) -> int:
    """Write ``records`` customers, about a third of them another record of someone already written."""
    agents = list(User.objects.filter(role="agent", is_active=True).select_related("team").order_by("pk")[:3])
    labelled = generate(records, seed=seed, duplicate_rate=0.35)
    made = 0
    for i, record in enumerate(labelled.records):
        owner: Any = agents[i % len(agents)] if agents else None
        customer_create(
            first_name=record["first_name"][:100], last_name=record["last_name"][:100] or "-",
            emails=record["emails"][:2], phones=record["phones"][:2], country=record["country"] or "",
            city=record["city"][:100], birth_date=record["birth_date"], source=SOURCE,
            identifiers=[Identifier(SOURCE, f"D{record['unique_id']:05d}")],
            owner=owner, team=owner.team if owner else None,
        )
        made += 1
    return made
