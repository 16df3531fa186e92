"""Scale tiers: about 10 orders and 10 interactions per customer at every tier."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    name: str
    customers: int
    reps: int  # timed repetitions per operation
    anchor_customers: int  # customers whose rows the raw-insert anchor re-inserts
    hidden: bool = False

    @property
    def label(self) -> str:
        return f"bench-{self.name}"


TIERS: dict[str, Tier] = {
    # XS exists for the harness's own test: it must finish in seconds.
    "XS": Tier("XS", customers=200, reps=8, anchor_customers=200, hidden=True),
    "S": Tier("S", customers=10_000, reps=200, anchor_customers=10_000),
    "M": Tier("M", customers=100_000, reps=200, anchor_customers=20_000),
    "L": Tier("L", customers=1_000_000, reps=100, anchor_customers=20_000),
}
SEED = 20_261_123  # fixed: every run of a tier builds the same data
