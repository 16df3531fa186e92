"""The five comparisons of two customer records, each a ladder of levels from "same" to "different".

Every level is written twice, as a DuckDB SQL condition for Splink and as a Python test for the create-time
check, and the two are tested to agree (tests/dedupe/test_comparisons.py). The first level whose condition
holds is the one that fires. Each level has a stable ``code``: the evidence stored with a pair, translated
for people by ``rapport.dedupe.evidence``.

The m and u probabilities here are the starting point for training and the parameters used when there is no
trained model yet (a small database, or the check before the first run). m: how often true duplicates fall in
the level; u: how often two different customers do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapport.dedupe.similarity import damerau_levenshtein, jaro_winkler, levenshtein

Rec = dict[str, Any]
Test = Callable[[Rec, Rec], bool]

NAME_JW = 0.9
SAME_SCRIPT_JW = 0.8
EMAIL_JW = 0.88
LINE_JW = 0.88


@dataclass(frozen=True)
class Level:
    code: str
    sql: str
    test: Test
    m: float
    u: float
    # Kept as set here, not trained: levels whose agreement goes with the name (namesakes often have
    # similar e-mails), or that a data set rarely shows, would otherwise learn an extreme weight.
    fixed: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    null_sql: str
    is_null: Test
    levels: tuple[Level, ...]  # the most telling first; the last one is the "else" level

    def level_of(self, left: Rec, right: Rec) -> Level | None:
        """The level that fires for this pair, or None when a value is missing."""
        if self.is_null(left, right):
            return None
        for level in self.levels:
            if level.test(left, right):
                return level
        raise AssertionError("the last level is ELSE and always fires")


def _both(*columns: str) -> Callable[[Rec, Rec], bool]:
    return lambda a, b: all(a.get(c) is not None and b.get(c) is not None for c in columns)


def _any_missing(column: str) -> Test:
    return lambda a, b: a.get(column) is None or b.get(column) is None


def _eq(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a == b


def _jw(a: Any, b: Any) -> float:
    return jaro_winkler(a, b) if a is not None and b is not None else 0.0


def _right(value: str | None, n: int) -> str | None:
    return value[-n:] if value is not None else None


def _dob_part(value: str | None, start: int, length: int) -> str | None:
    # SQL substr() is 1-based.
    return value[start - 1:start - 1 + length] if value is not None else None


ELSE = "ELSE"

NAME = Comparison(
    name="name",
    null_sql="full_l IS NULL OR full_r IS NULL",
    is_null=_any_missing("full"),
    levels=(
        Level("name_exact", "fn_l = fn_r AND ln_l = ln_r",
              lambda a, b: a["fn"] == b["fn"] and a["ln"] == b["ln"], m=0.5, u=6e-05),
        Level("name_swapped", "fn_l = ln_r AND ln_l = fn_r",
              lambda a, b: a["fn"] == b["ln"] and a["ln"] == b["fn"], m=0.09, u=2e-05),
        # Skeletons are coarse ("Bambang" and "Mega" share one): within one script the first names must
        # also be spelled alike; across scripts the skeleton is what carries over.
        Level(
            "name_sounds_alike",
            f"(fn_sk_l = fn_sk_r AND ln_sk_l = ln_sk_r AND (script_l <> script_r"
            f" OR jaro_winkler_similarity(fn_l, fn_r) >= {SAME_SCRIPT_JW}))"
            f" OR (fn_sk_l = ln_sk_r AND ln_sk_l = fn_sk_r AND (script_l <> script_r"
            f" OR jaro_winkler_similarity(fn_l, ln_r) >= {SAME_SCRIPT_JW}))",
            lambda a, b: (a["fn_sk"] == b["fn_sk"] and a["ln_sk"] == b["ln_sk"]
                          and (a["script"] != b["script"] or _jw(a["fn"], b["fn"]) >= SAME_SCRIPT_JW))
            or (a["fn_sk"] == b["ln_sk"] and a["ln_sk"] == b["fn_sk"]
                and (a["script"] != b["script"] or _jw(a["fn"], b["ln"]) >= SAME_SCRIPT_JW)),
            m=0.29, u=0.00015,
        ),
        Level(
            "name_typo",
            f"(jaro_winkler_similarity(fn_l, fn_r) >= {NAME_JW} AND jaro_winkler_similarity(ln_l, ln_r) >= {NAME_JW})"
            f" OR (jaro_winkler_similarity(fn_l, ln_r) >= {NAME_JW}"
            f" AND jaro_winkler_similarity(ln_l, fn_r) >= {NAME_JW})",
            lambda a, b: (_jw(a["fn"], b["fn"]) >= NAME_JW and _jw(a["ln"], b["ln"]) >= NAME_JW)
            or (_jw(a["fn"], b["ln"]) >= NAME_JW and _jw(a["ln"], b["fn"]) >= NAME_JW),
            m=0.07, u=1e-05,
        ),
        Level("name_surname_only", "ln_l <> '' AND (ln_l = ln_r OR ln_sk_l = ln_sk_r)",
              lambda a, b: a["ln"] != "" and (a["ln"] == b["ln"] or a["ln_sk"] == b["ln_sk"]), m=0.01, u=0.014),
        # A married name, or a surname mangled beyond a typo: weaker than a surname alone would be.
        Level(
            "name_first_name_only",
            "fn_l <> '' AND (fn_l = fn_r OR (fn_sk_l = fn_sk_r AND script_l <> script_r))",
            lambda a, b: a["fn"] != ""
            and (a["fn"] == b["fn"] or (a["fn_sk"] == b["fn_sk"] and a["script"] != b["script"])),
            m=0.015, u=0.005,
        ),
        Level("name_different", ELSE, lambda a, b: True, m=0.015, u=0.967),
    ),
)

EMAIL = Comparison(
    name="email",
    null_sql="email_l IS NULL OR email_r IS NULL",
    is_null=_any_missing("email"),
    levels=(
        Level("email_exact", "email_l = email_r", lambda a, b: _eq(a["email"], b["email"]), m=0.85, u=2e-06),
        Level("email_shared", "list_has_any(email_keys_l, email_keys_r)",
              lambda a, b: bool(set(a["email_keys"]) & set(b["email_keys"])), m=0.06, u=1e-05),
        Level("email_same_name", "email_local_l = email_local_r",
              lambda a, b: _eq(a["email_local"], b["email_local"]), m=0.02, u=0.001, fixed=True),
        Level(
            "email_close",
            f"jaro_winkler_similarity(email_local_l, email_local_r) >= {EMAIL_JW}"
            f" AND jaro_winkler_similarity(email_domain_l, email_domain_r) >= {EMAIL_JW}",
            lambda a, b: _jw(a["email_local"], b["email_local"]) >= EMAIL_JW
            and _jw(a["email_domain"], b["email_domain"]) >= EMAIL_JW,
            m=0.02, u=0.001, fixed=True,
        ),
        Level("email_different", ELSE, lambda a, b: True, m=0.05, u=0.997998),
    ),
)

PHONE = Comparison(
    name="phone",
    null_sql="phone_l IS NULL OR phone_r IS NULL",
    is_null=_any_missing("phone"),
    levels=(
        Level("phone_exact", "phone_l = phone_r", lambda a, b: _eq(a["phone"], b["phone"]), m=0.85, u=2e-06),
        Level("phone_shared", "list_has_any(phones_l, phones_r)",
              lambda a, b: bool(set(a["phones"]) & set(b["phones"])), m=0.03, u=2e-06),
        Level("phone_same_local", "right(phone_l, 8) = right(phone_r, 8)",
              lambda a, b: _eq(_right(a["phone"], 8), _right(b["phone"], 8)), m=0.03, u=0.0005,
              fixed=True),
        Level("phone_typo", "levenshtein(phone_l, phone_r) <= 1",
              lambda a, b: levenshtein(a["phone"], b["phone"]) <= 1, m=0.02, u=0.001, fixed=True),
        Level("phone_different", ELSE, lambda a, b: True, m=0.05, u=0.998496),
    ),
)

DOB = Comparison(
    name="birth_date",
    null_sql="dob_l IS NULL OR dob_r IS NULL",
    is_null=_any_missing("dob"),
    levels=(
        Level("dob_exact", "dob_l = dob_r", lambda a, b: a["dob"] == b["dob"], m=0.85, u=5e-05),
        Level(
            "dob_day_month_swapped",
            "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2)"
            " AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
            lambda a, b: _dob_part(a["dob"], 1, 4) == _dob_part(b["dob"], 1, 4)
            and _dob_part(a["dob"], 6, 2) == _dob_part(b["dob"], 9, 2)
            and _dob_part(a["dob"], 9, 2) == _dob_part(b["dob"], 6, 2),
            m=0.05, u=1.5e-05,
        ),
        Level("dob_typo", "damerau_levenshtein(dob_l, dob_r) <= 1",
              lambda a, b: damerau_levenshtein(a["dob"], b["dob"]) <= 1, m=0.03, u=0.003, fixed=True),
        Level("dob_different", ELSE, lambda a, b: True, m=0.07, u=0.996935),
    ),
)

PLACE = Comparison(
    name="address",
    null_sql="(postcode_l IS NULL AND city_l IS NULL) OR (postcode_r IS NULL AND city_r IS NULL)",
    is_null=lambda a, b: (a["postcode"] is None and a["city"] is None) or (b["postcode"] is None and b["city"] is None),
    levels=(
        Level("address_same", f"postcode_l = postcode_r AND jaro_winkler_similarity(line_l, line_r) >= {LINE_JW}",
              lambda a, b: _eq(a["postcode"], b["postcode"]) and _jw(a["line"], b["line"]) >= LINE_JW,
              m=0.6, u=1e-05),
        Level("address_same_postcode", "postcode_l = postcode_r",
              lambda a, b: _eq(a["postcode"], b["postcode"]), m=0.1, u=0.0002),
        Level("address_same_city", "city_l = city_r", lambda a, b: _eq(a["city"], b["city"]), m=0.15, u=0.034),
        Level("address_different", ELSE, lambda a, b: True, m=0.15, u=0.965789),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (NAME, EMAIL, PHONE, DOB, PLACE)
# The chance that two customers drawn at random are the same person, before any evidence.
DEFAULT_PRIOR = 0.00001


def level_codes() -> list[str]:
    return [level.code for comparison in COMPARISONS for level in comparison.levels]
