"""Blocking keys: which pairs are compared at all, so that 100,000 customers need not be 5 billion pairs.

A pair is compared when the two records share one of these keys. Each key is chosen to catch a kind of
duplicate the others miss (see docs/decisions/0010):

- ``bk_emails`` / ``bk_phones``: any e-mail (ignoring case, dots and +tags) or phone (E.164) in common;
- ``bk_name``: the name skeletons in either order: transliterations, swapped names, many typos;
- ``bk_prefix``: the first three letters of each name: typos late in a name when the skeleton changed;
- ``bk_dob_first`` / ``bk_dob_last``: birth date and an initial: typos early in a name;
- ``bk_post``: postal code and the initials: people who gave neither e-mail nor phone.

A value shared by more than ``cap`` records (a shop's phone number typed for walk-in customers, "info@")
identifies no one; it is left out of blocking so that it cannot blow up the number of pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

BLOCKING_COLUMNS = ("bk_emails", "bk_phones", "bk_name", "bk_prefix", "bk_dob_first", "bk_dob_last", "bk_post")
LIST_COLUMNS = ("bk_emails", "bk_phones")
DEFAULT_CAP = 100


def _keys(row: dict[str, Any]) -> dict[str, Any]:
    fn, ln, dob, postcode = row["fn"], row["ln"], row["dob"], row["postcode"]
    return {
        "bk_emails": list(row["email_keys"]),
        "bk_phones": list(row["phones"]),
        "bk_name": row["name_key"],
        # Sorted, like bk_name, so that swapped names meet.
        "bk_prefix": "|".join(sorted((fn[:3], ln[:3]))) if len(fn) >= 3 and len(ln) >= 3 else None,
        "bk_dob_first": f"{dob}|{fn[:1]}" if dob and fn else None,
        "bk_dob_last": f"{dob}|{ln[:1]}" if dob and ln else None,
        "bk_post": f"{postcode}|{''.join(sorted((fn[:1], ln[:1])))}" if postcode and ln else None,
    }


def add_blocking_keys(rows: Iterable[dict[str, Any]], cap: int = DEFAULT_CAP) -> list[dict[str, Any]]:
    """``rows`` (feature dicts) with the blocking key columns added, over-common values removed."""
    rows = list(rows)
    keyed = [_keys(r) for r in rows]
    counts: dict[str, Counter[Any]] = {c: Counter() for c in BLOCKING_COLUMNS}
    for keys in keyed:
        for column in BLOCKING_COLUMNS:
            value = keys[column]
            if column in LIST_COLUMNS:
                counts[column].update(value)
            elif value is not None:
                counts[column][value] += 1
    for row, keys in zip(rows, keyed, strict=True):
        for column in BLOCKING_COLUMNS:
            value = keys[column]
            if column in LIST_COLUMNS:
                row[column] = [v for v in value if counts[column][v] <= cap]
            else:
                row[column] = value if value is not None and counts[column][value] <= cap else None
    return rows
