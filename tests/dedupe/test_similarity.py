"""The Python similarities agree with DuckDB's, which the nightly run uses."""

from __future__ import annotations

import random

import duckdb

from rapport.dedupe.similarity import damerau_levenshtein, jaro_winkler, levenshtein


def _pairs(n: int = 1500) -> list[tuple[str, str]]:
    rng = random.Random(5)
    alphabet = "abcde "
    return [
        ("".join(rng.choices(alphabet, k=rng.randint(0, 9))), "".join(rng.choices(alphabet, k=rng.randint(0, 9))))
        for _ in range(n)
    ]


def test_the_python_similarities_match_duckdb():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", _pairs())
    rows = con.execute(
        "SELECT a, b, jaro_winkler_similarity(a, b), levenshtein(a, b), damerau_levenshtein(a, b) FROM t"
    ).fetchall()
    for a, b, jw, lev, dl in rows:
        assert abs(jaro_winkler(a, b) - jw) < 1e-9, (a, b)
        assert levenshtein(a, b) == lev, (a, b)
        # DuckDB's is the unrestricted distance; the comparisons only ask whether it is at most 1.
        assert (damerau_levenshtein(a, b) <= 1) == (dl <= 1), (a, b)
