# ruff: noqa: RUF001  (Persian and Hebrew words and digits on purpose)
"""The customer import against the raw bulk-insert rate into the same indexed table, measured in the same run.

``python -m benchmarks.imports --rows 1000000 [--db sqlite|postgres]`` builds a fresh database under
``var/bench/imports/`` (or ``rapport_bench_imports`` on the local PostgreSQL), then :func:`measure_import`:

1. writes a CSV of N realistic customer rows (names in six languages and scripts, phones of six countries,
   ~1% deliberately bad rows) and one of N/10 rows, into a temporary folder;
2. times the anchor: ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) of the same N rows' customer-table
   columns into the same table (same indexes, same FTS5 trigger or trigram GIN index) inside a transaction
   that is rolled back, with the rows prepared before the clock starts;
3. imports the small file, then the big one, each in a fresh process, with the product's import (validation,
   identity matching by (source, external id), contact points, external ids, tags, search text, chunks,
   report), each rolled back afterwards with the product's rollback; their peak RSS shows memory staying flat.

Target (a benchmark, not a test): import rows/s >= 0.5 x anchor rows/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/rapport_bench_imports"
HEADERS = ["Customer ID", "First name", "Last name", "Email", "Phone", "Country", "City", "Birth date", "Tags"]
SOURCE = "bench"

# (country, city, phone pattern, first names, last names) per language; phones valid for phonenumbers.
_PEOPLE: list[tuple[str, str, Any, list[str], list[str]]] = [
    ("MY", "Kuala Lumpur", lambda i: f"+60 12-{i % 1000:03d} {i // 1000 % 10000:04d}",
     ["Aminah", "Hafiz", "Nurul", "Siti", "Farid", "Azlan", "Mei Ling", "Kavitha"],
     ["binti Yusof", "bin Osman", "Abdullah", "Tan", "Lim", "Rahman", "Subramaniam", "Ismail"]),
    ("ID", "Jakarta", lambda i: f"+62 812-{i % 10000:04d}-{i // 10000 % 10000:04d}",
     ["Dewi", "Agus", "Putri", "Budi", "Sri", "Rina", "Joko", "Wahyu"],
     ["Kusuma", "Setiawan", "Halim", "Wibowo", "Santoso", "Hidayat", "Pratama", "Saputra"]),
    ("PL", "Warszawa", lambda i: f"+48 5{i % 3 + 1}{i % 10} {i // 10 % 1000:03d} {i // 10000 % 1000:03d}",
     ["Magdalena", "Łukasz", "Zofia", "Paweł", "Agnieszka", "Grzegorz", "Małgorzata", "Wojciech"],
     ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Zieliński", "Szymańska", "Woźniak", "Dąbrowski"]),
    ("IR", "تهران", lambda i: f"+98 912 {i % 1000:03d} {i // 1000 % 10000:04d}",
     ["مریم", "رضا", "نگار", "آرش", "زهرا", "علی", "سارا", "محمد"],
     ["کریمی", "احمدی", "موسوی", "نوری", "حسینی", "رضایی", "محمدی", "جعفری"]),
    ("IL", "תל אביב", lambda i: f"+972 52-{i % 800 + 200:03d}-{i // 1000 % 10000:04d}",
     ["מיכל", "דוד", "נועה", "אורי", "שירה", "יוסי", "תמר", "איתי"],
     ["כהן", "לוי", "גולן", "ברק", "מזרחי", "פרץ", "ביטון", "אברהם"]),
    ("GB", "London", lambda i: f"+44 7400 {i % 1000000:06d}",
     ["Grace", "James", "Lucy", "Henry", "Olivia", "Jack", "Amelia", "Thomas"],
     ["Taylor", "Wilson", "Evans", "Clarke", "Smith", "Jones", "Brown", "Walker"]),
]
_TAGS = ["", "", "", "vip", "newsletter", "b2b;vip", "wholesale"]
# One bad row in a hundred, of these kinds in turn: what a rejected-rows report is for.
_BAD = [
    ("Email", lambda v: v.split("@")[0] + "@"),
    ("Phone", lambda v: "12-34"),
    ("Birth date", lambda v: "31/02/1990"),
    ("First name", lambda v: ""),
    ("Country", lambda v: "Atlantis"),
]


def generate_csv(path: Path, rows: int, *, seed: int = 7, bad_every: int = 100) -> dict[str, int]:
    """N customer rows; every ``bad_every``-th row is broken in one field. Returns {"rows": N, "bad": k}."""
    rng = random.Random(seed)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            country, city, phone, firsts, lasts = _PEOPLE[i % len(_PEOPLE)]
            first, last = rng.choice(firsts), rng.choice(lasts)
            row = {
                "Customer ID": f"B{i:08d}", "First name": first, "Last name": last,
                "Email": f"customer{i}@example{i % 97}.com", "Phone": phone(i * 7919 % 10**8), "Country": country,
                "City": city, "Birth date": f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "Tags": _TAGS[i % len(_TAGS)],
            }
            if i % bad_every == bad_every - 1:
                column, spoil = _BAD[(i // bad_every) % len(_BAD)]
                row[column] = spoil(row[column])
                if column == "First name":
                    row["Last name"] = ""
                bad += 1
            writer.writerow([row[h] for h in HEADERS])
    return {"rows": rows, "bad": bad}


def _import_in_child(path: Path) -> dict[str, Any]:
    """The import, in a fresh process: its peak memory is then the import's own (``ru_maxrss`` of the
    process and of its reader process), not whatever this process did before."""
    command = [sys.executable, "-m", "benchmarks.imports", "--child-import", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT, env=dict(os.environ))
    if result.returncode != 0:
        raise RuntimeError(f"the import failed: {result.stderr.strip()[-2000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _child_import(path: Path) -> dict[str, Any]:
    from rapport.imports.services import import_file

    began = time.perf_counter()
    outcome = import_file(entity="customers", path=path, source=SOURCE, parallel=True)
    seconds = time.perf_counter() - began
    return {
        "rows": outcome.rows, "seconds": round(seconds, 3), "rows_per_s": round(outcome.rows / seconds),
        **dict(outcome.counts), "batch": outcome.batch.pk,
        "peak_rss": {
            "main_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "reader_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        },
    }


def _anchor_rows(path: Path) -> list[tuple[Any, ...]]:
    """The customer-table columns the import writes for the file's good rows, prepared outside the clock."""
    from rapport.imports.fields import ParseOptions, email, phone

    now = "2026-01-01 00:00:00.000001"
    out = []
    options = ParseOptions()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for ext, first, last, mail, tel, country, city, born, _tags in reader:
            try:
                display = f"{first} {last}".strip()
                mail_value, mail_norm = email(mail, {}, options)
                tel_value, tel_norm = phone(tel, {"country": country}, options)
            except ValueError:
                continue
            if not display or country == "Atlantis" or born.startswith("31/02"):
                continue
            document = " ".join(dict.fromkeys(p.lower() for p in (display, mail_norm, tel_norm, tel_norm[1:], ext)))
            out.append((now, now, SOURCE, "person", first, last, "", display, mail_value, tel_value, "", country,
                        city, born, "{}", "prospect", 1, None, None, document, 1))
    return out


_ANCHOR_COLUMNS = (
    "created_at, updated_at, source, kind, first_name, last_name, organisation_name, display_name, primary_email, "
    "primary_phone, language, country, city, birth_date, attributes, lifecycle_stage, relationship_level, owner_id, "
    "team_id, search_document, version"
)


def time_anchor(path: Path) -> dict[str, Any]:
    """executemany (SQLite) / COPY (PostgreSQL) of the rows into customers_customer, rolled back."""
    from django.db import connection, transaction

    rows = _anchor_rows(path)
    table = "customers_customer"
    if connection.vendor == "sqlite":
        marks = ", ".join("?" * 21)
        with transaction.atomic():
            raw = connection.connection.cursor()
            began = time.perf_counter()
            raw.executemany(f"INSERT INTO {table} ({_ANCHOR_COLUMNS}) VALUES ({marks})", rows)
            seconds = time.perf_counter() - began
            raw.close()
            transaction.set_rollback(True)
        method = "executemany in one transaction (rolled back)"
    else:
        def text(v: Any) -> str:
            return "\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

        payload = "".join("\t".join(text(v) for v in r) + "\n" for r in rows).replace(
            "2026-01-01 00:00:00.000001", "2026-01-01 00:00:00.000001+00").encode()
        with transaction.atomic():
            began = time.perf_counter()
            with connection.connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({_ANCHOR_COLUMNS}) FROM STDIN"
            ) as copy:
                copy.write(payload)
            seconds = time.perf_counter() - began
            transaction.set_rollback(True)
        method = "COPY FROM STDIN (text) in one transaction (rolled back)"
    return {"rows": len(rows), "seconds": round(seconds, 3), "rows_per_s": round(len(rows) / seconds),
            "method": method, "table": f"{table} with its indexes and search index (trigger or GIN)"}


def _import(path: Path) -> dict[str, Any]:
    from rapport.imports.models import ImportBatch
    from rapport.imports.services import batch_rollback

    result = _import_in_child(path)
    began = time.perf_counter()
    batch_rollback(batch=ImportBatch.objects.get(pk=result["batch"]))
    result["rollback_seconds"] = round(time.perf_counter() - began, 3)
    return result


def _settle() -> None:
    """Leave no garbage of an earlier step for the next one to pay for: on PostgreSQL vacuum the customer
    tables (a rolled-back load leaves dead rows in the heap and every index), on SQLite merge the search
    index's segments (deleted rows stay in it as tombstones until then)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("customers_customer", "customers_contactpoint", "customers_externalidentifier",
                          "customers_customer_tags"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("INSERT INTO customers_customer_fts(customers_customer_fts) VALUES ('optimize')")


def measure_import(rows: int, *, db_note: str = "") -> dict[str, Any]:
    """Time the customer import of ``rows`` rows beside the raw insert anchor; Django must be set up.

    The anchor goes first, on the table as it is, then each import (in a fresh process) on a settled table.
    """
    from django.db import connection

    from rapport.customers.models import Customer

    with tempfile.TemporaryDirectory(prefix="rapport-bench-imports-") as folder:
        small_path, big_path = Path(folder) / "small.csv", Path(folder) / "big.csv"
        small_rows = max(rows // 10, 1)
        generate_csv(small_path, small_rows)
        made = generate_csv(big_path, rows)
        before = Customer.objects.count()
        anchor = time_anchor(big_path)
        _settle()
        small = _import(small_path)
        _settle()
        big = _import(big_path)
        _settle()
        if Customer.objects.count() != before:
            raise RuntimeError("the rollback left customers behind")
        size_mb = round(big_path.stat().st_size / 2**20, 1)
    ratio = big["rows_per_s"] / anchor["rows_per_s"] if anchor["rows_per_s"] else 0.0
    return {
        "rows": rows, "bad_rows": made["bad"], "file_mb": size_mb, "db": connection.vendor, "db_note": db_note,
        "import": big, "import_small": small, "anchor": anchor,
        "ratio": round(ratio, 2), "target": "import rows/s >= 0.5 x anchor rows/s", "ok": ratio >= 0.5,
        "memory": {
            "how": "peak resident size (ru_maxrss) of each import run in a fresh process, and of its reader process",
            "small_file_rows": small_rows, "small_mb": small["peak_rss"],
            "big_file_rows": rows, "big_mb": big["peak_rss"],
            # Flat: ten times the rows, at most half as much memory again (the first chunks fill caches, then
            # the size stays put: chunks are streamed, caches are bounded).
            "flat": all(big["peak_rss"][k] <= small["peak_rss"][k] * 1.5 for k in ("main_mb", "reader_mb")),
        },
        "cpus": os.cpu_count(),
    }


def prepare_database(db: str, var_dir: Path) -> None:
    """A fresh database for the benchmark, chosen before Django starts (as benchmarks.run does)."""
    os.environ["RAPPORT_MODE"] = "demo"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.config.settings")
    os.environ.pop("TEST_DATABASE_URL", None)
    folder = var_dir if db == "sqlite" else var_dir / "postgres"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["RAPPORT_VAR_DIR"] = str(folder)
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        for suffix in ("", "-wal", "-shm", "-journal"):
            (folder / f"rapport.sqlite3{suffix}").unlink(missing_ok=True)
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_PG
    os.environ["DATABASE_URL"] = url
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the big file (the small one has 1/10)")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "bench" / "imports", help=argparse.SUPPRESS)
    parser.add_argument("--child-import", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_import:  # one import in a process of its own (see _import_in_child); the settings are inherited
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.config.settings")
        django.setup()
        print(json.dumps(_child_import(args.child_import)))
        return 0
    if args.rows < 10:
        parser.error("--rows must be at least 10")
    prepare_database(args.db, args.var_dir)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    result = measure_import(args.rows, db_note=f"fresh {args.db} database")
    out = args.var_dir / f"report-{args.db}-{args.rows}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))
    print(f"\nimport {result['import']['rows_per_s']:,} rows/s, anchor {result['anchor']['rows_per_s']:,} rows/s, "
          f"ratio {result['ratio']:.2f} (target 0.5); report {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
