"""Fill the database with generated demo/benchmark data: staff, customers, orders, interactions.

The rows come from :mod:`rapport.ops.generator` (pure NumPy) and are written with
:mod:`rapport.core.bulkload` in one transaction; a :class:`~rapport.ops.models.SeedRun` records the true
parameters and the per-customer truth goes to ``<var>/seeds/seed-<seed>-<run id>.npz``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from rapport.accounts.choices import Role
from rapport.accounts.models import Team, User
from rapport.accounts.services import team_create, user_create
from rapport.commerce.models import Order, OrderLine
from rapport.core.bulkload import BulkWriter, Col, analyze, bulk_session, const
from rapport.customers.models import Consent, Contact, ContactPoint, Customer, ExternalIdentifier, Tag
from rapport.customers.search import fold
from rapport.interactions.models import Interaction, Note, Task
from rapport.ops import generator
from rapport.ops.models import SeedRun
from rapport.ops.seed_sales import seed_sales

SOURCE = "seed"
DEFER_INDEXES_FROM = 20_000  # customers; below that, dropping and rebuilding the indexes gains nothing
TAG_VIP, TAG_B2B = "vip", "b2b"
CustomerTag = Customer.tags.through
TABLES: tuple[type[models.Model], ...] = (
    Customer, ContactPoint, ExternalIdentifier, Consent, Contact, Order, OrderLine, Interaction, Task, Note,
    CustomerTag,
)

# One team per language served; staff names in the team's language.
TEAMS: dict[str, tuple[str, str]] = {  # locale -> (team name, username prefix)
    "ms": ("Kuala Lumpur", "kl"),
    "id": ("Jakarta", "jkt"),
    "pl": ("Warsaw", "waw"),
    "fa": ("Tehran", "thr"),
    "he": ("Tel Aviv", "tlv"),
    "en": ("London", "lon"),
}
AGENTS_PER_TEAM = 3
_STAFF_NAMES: dict[str, list[tuple[str, str]]] = {
    "ms": [("Aminah", "binti Yusof"), ("Hafiz", "bin Osman"), ("Nadia", "binti Hamid"), ("Rizal", "bin Ali")],
    "id": [("Dewi", "Kusuma"), ("Agus", "Setiawan"), ("Putri", "Halim"), ("Rudi", "Wibowo")],
    "pl": [("Magdalena", "Nowak"), ("Tomasz", "Kowalski"), ("Zofia", "Mazur"), ("Piotr", "Zieliński")],
    "fa": [("مریم", "کریمی"), ("رضا", "احمدی"), ("نگار", "موسوی"), ("آرش", "نوری")],
    "he": [("מיכל", "כהן"), ("דוד", "לוי"), ("נועה", "גולן"), ("אורי", "ברק")],
    "en": [("Grace", "Taylor"), ("James", "Wilson"), ("Lucy", "Evans"), ("Henry", "Clarke")],
}


@dataclass(frozen=True)
class Staff:
    teams: dict[str, int]  # locale -> team id
    owners: dict[str, np.ndarray]  # locale -> user ids that may own customers (agents, then the manager)


def seed_staff() -> Staff:
    """Teams and staff users (created when missing, with unusable passwords), one team per language.

    Per team a manager and three agents; besides them one analyst and one read-only user. The demo command
    gives them its demo password.
    """
    teams: dict[str, int] = {}
    owners: dict[str, np.ndarray] = {}
    with transaction.atomic():
        for locale, (team_name, prefix) in TEAMS.items():
            team = Team.objects.filter(name=team_name).first() or team_create(name=team_name)
            teams[locale] = team.pk
            names = _STAFF_NAMES[locale]
            ids = []
            for i in range(AGENTS_PER_TEAM):
                first, last = names[i + 1]
                ids.append(_user(f"{prefix}.agent{i + 1}", Role.AGENT, team, first, last, locale))
            ids.append(_user(f"{prefix}.manager", Role.MANAGER, team, *names[0], locale))
            owners[locale] = np.array(ids, dtype=np.int64)
        _user("analyst", Role.ANALYST, None, "Ada", "Analyst", "en")
        _user("readonly", Role.READ_ONLY, Team.objects.get(pk=teams["ms"]), "Rahim", "bin Karim", "ms")
    return Staff(teams=teams, owners=owners)


def _user(username: str, role: str, team: Team | None, first: str, last: str, language: str) -> int:
    existing = User.objects.filter(username=username).values_list("pk", flat=True).first()
    if existing is not None:
        return int(existing)
    user = user_create(username=username, role=role, team=team, first_name=first, last_name=last,
                       email=f"{username}@staff.example.com")
    User.objects.filter(pk=user.pk).update(language=language)
    return int(user.pk)


def seeded() -> bool:
    """Whether a seed run has completed in this database (the demo seeds only once)."""
    return SeedRun.objects.filter(finished_at__isnull=False).exists()


def seed_database(
    *,
    customers: int,
    seed: int = 1,
    progress: bool = False,
    end: datetime | None = None,
    label: str = "",
    chunk_size: int = generator.DEFAULT_CHUNK,
    params: generator.PurchaseParams | None = None,
    defer_indexes: bool | None = None,
) -> SeedRun:
    """Generate ``customers`` customers with their orders, interactions, tasks and notes, in one transaction.

    ``defer_indexes`` (default: when the load is big and at least doubles the customer table) drops the
    secondary indexes for the load and builds them again before the commit; see ``bulk_session``.
    """
    if customers < 0:
        raise ValueError("customers must be zero or more")
    if defer_indexes is None:
        defer_indexes = customers >= DEFER_INDEXES_FROM and Customer.objects.count() <= customers
    params = params or generator.PurchaseParams()
    start_at, end_at = generator.default_window(end)
    staff = seed_staff()
    tags = {name: Tag.objects.get_or_create(name=name)[0].pk for name in (TAG_VIP, TAG_B2B)}
    began = time.perf_counter()
    started = timezone.now()
    cache_kib = int(min(2_097_152, max(65_536, customers * 1.2)))
    bar = tqdm(total=customers, unit=" customers", disable=not progress, file=sys.stderr,
               desc="Seeding")
    truth: list[generator.Frame] = []
    with bar, bulk_session(TABLES, cache_kib=cache_kib, defer_indexes=defer_indexes) as writer:
        run = SeedRun.objects.create(
            seed=seed, customers=customers, params=generator.run_params(params, start_at, end_at), label=label,
            started_at=started,
        )
        customer_base = writer.reserve(Customer, customers)[0] if customers else 0
        chunks = generator.generate(
            customers, seed=seed, start=start_at, end=end_at, params=params, chunk_size=chunk_size
        )
        for chunk in _ahead(chunks):
            write_chunk(writer, chunk, staff=staff, customer_base=int(customer_base), tags=tags)
            truth.append(dict(chunk.truth))
            bar.update(len(chunk))
        run.orders = writer.rows.get(Order._meta.db_table, 0)
        run.interactions = writer.rows.get(Interaction._meta.db_table, 0)
        run.truth_file = str(_write_truth(run, truth, int(customer_base)))
        run.finished_at = timezone.now()
        run.save()
    committed = time.perf_counter() - began
    analyze(TABLES)
    run.stats = {
        "rows": dict(writer.rows),
        "total_rows": sum(writer.rows.values()),
        "seconds": round(time.perf_counter() - began, 3),  # generation, writes, indexes, commit, ANALYZE
        "seconds_to_commit": round(committed, 3),
        "database_seconds": {k: round(v, 3) for k, v in writer.seconds.items()},
        "database": connection.vendor,
        "deferred_indexes": defer_indexes,
        "chunk_size": chunk_size,
    }
    SeedRun.objects.filter(pk=run.pk).update(stats=run.stats)
    seed_sales(seed=seed)
    return run


def _ahead(chunks: Iterator[generator.Chunk]) -> Iterator[generator.Chunk]:
    """Generate the next chunk in a thread while this one is written.

    NumPy and the database drivers release the GIL for most of their work, so the two overlap. The thread
    touches no database connection.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-generator") as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def _write_truth(run: SeedRun, parts: list[generator.Frame], customer_base: int) -> Path:
    folder = Path(settings.VAR_DIR) / "seeds"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"seed-{run.seed}-{run.pk}.npz"
    merged = {k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in
              ("index", "lam", "p", "nu", "birth", "dropout", "alive", "repeats", "orders")}
    np.savez(
        path,
        customer_id=(merged.pop("index") + customer_base).astype(np.int64),
        lam=merged["lam"], p=merged["p"], nu=merged["nu"], birth_weeks=merged["birth"],
        dropout_weeks=merged["dropout"], alive_at_end=merged["alive"], repeat_purchases=merged["repeats"],
        orders=merged["orders"],
    )
    return path


def _owners(staff: Staff, locale: np.ndarray, slot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    owner = np.zeros(len(locale), dtype=np.int64)
    team = np.zeros(len(locale), dtype=np.int64)
    for code, ids in staff.owners.items():
        rows = locale == code
        owner[rows] = ids[slot[rows] % len(ids)]
        team[rows] = staff.teams[code]
    return owner, team


_PHONE_MARKS = (" ", "+", "-", "(", ")", ".", "/")


def _code(prefix: str, ids: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(ids.astype(str), width))


def write_chunk(writer: BulkWriter, chunk: generator.Chunk, *, staff: Staff, customer_base: int,
                tags: dict[str, int]) -> None:
    """Write one generated chunk: customers first, then every table that points at them."""
    c = chunk.customers
    n = len(chunk)
    cid = customer_base + c["index"]
    owner, team = _owners(staff, c["language"], c["owner_slot"])

    def customer_ids(index: np.ndarray) -> np.ndarray:
        return customer_base + index

    def owner_of(index: np.ndarray) -> np.ndarray:
        return owner[index - chunk.first]

    # The search document (customers.search): name, e-mail, phone with and without +, external id.
    phone_digits = c["phone"].astype(str)
    for mark in _PHONE_MARKS:
        phone_digits = np.char.replace(phone_digits, mark, "")
    document = np.char.lower(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(
        c["display_name"].astype(str), " "), c["email"].astype(str)), " "), phone_digits), " "),
        _code("C", cid, 7).astype(str)))
    # Then the name without accents where it has any (search.document_text): folded once per distinct name.
    names, which = np.unique(c["display_name"].astype(str), return_inverse=True)
    folded = np.array([fold(n) for n in names.tolist()], dtype=object)
    accents = np.where(folded != np.char.lower(names).astype(object), " " + folded, "").astype(str)
    document = np.char.add(document, accents[which])
    attributes = np.char.add(np.char.add('{"preferred_channel": "', c["preferred_channel"].astype(str)), '"}')
    writer.write(Customer, n, {
        "id": Col("int", cid),
        "created_at": Col("ts", c["created_us"]),
        "updated_at": Col("ts", c["updated_us"]),
        "source": const(SOURCE),
        "kind": Col("text", c["kind"]),
        "first_name": Col("text", c["first_name"]),
        "last_name": Col("text", c["last_name"]),
        "organisation_name": Col("text", c["organisation_name"]),
        "display_name": Col("text", c["display_name"]),
        "search_document": Col("text", document),
        "primary_email": Col("text", c["email"]),
        "primary_phone": Col("text", c["phone"]),
        "language": Col("text", c["language"]),
        "country": Col("text", c["country"]),
        "city": Col("text", c["city"]),
        "birth_date": Col("date", c["birth_date"]),
        "attributes": Col("json", attributes),
        "lifecycle_stage": Col("text", c["lifecycle_stage"]),
        "relationship_level": Col("int", c["relationship_level"]),
        "owner": Col("int", owner),
        "team": Col("int", team),
        "version": const(1),
    })

    cp = chunk.contact_points
    k = len(cp["customer"])
    writer.write(ContactPoint, k, {
        "id": Col("int", writer.reserve(ContactPoint, k)),
        "created_at": Col("ts", cp["created_us"]),
        "updated_at": Col("ts", cp["created_us"]),
        "source": const(SOURCE),
        "customer": Col("int", customer_ids(cp["customer"])),
        "kind": Col("text", cp["kind"]),
        "value": Col("text", cp["value"]),
        "normalized": Col("text", cp["normalized"]),
        "label": Col("text", cp["label"]),
        "is_primary": Col("bool", cp["is_primary"]),
    })

    writer.write(ExternalIdentifier, n, {
        "id": Col("int", writer.reserve(ExternalIdentifier, n)),
        "created_at": Col("ts", c["created_us"]),
        "updated_at": Col("ts", c["created_us"]),
        "customer": Col("int", cid),
        "source": const(SOURCE),
        "external_id": Col("text", _code("C", cid, 7)),
    })

    cs = chunk.consents
    k = len(cs["customer"])
    writer.write(Consent, k, {
        "id": Col("int", writer.reserve(Consent, k)),
        "customer": Col("int", customer_ids(cs["customer"])),
        "channel": Col("text", cs["channel"]),
        "status": Col("text", cs["status"]),
        "recorded_at": Col("ts", cs["recorded_us"]),
        "source": const(SOURCE),
        "reason": const(""),
    })

    ct = chunk.contacts
    k = len(ct["organisation"])
    writer.write(Contact, k, {
        "id": Col("int", writer.reserve(Contact, k)),
        "created_at": Col("ts", ct["created_us"]),
        "updated_at": Col("ts", ct["created_us"]),
        "organisation": Col("int", customer_ids(ct["organisation"])),
        "first_name": Col("text", ct["first_name"]),
        "last_name": Col("text", ct["last_name"]),
        "job_title": Col("text", ct["job_title"]),
        "email": Col("text", ct["email"]),
        "phone": Col("text", ct["phone"]),
        "is_primary": Col("bool", ct["is_primary"]),
    })

    o = chunk.orders
    k = len(o["customer"])
    order_ids = writer.reserve(Order, k)
    writer.write(Order, k, {
        "id": Col("int", order_ids),
        "created_at": Col("ts", o["placed_us"]),
        "updated_at": Col("ts", o["placed_us"]),
        "source": const(SOURCE),
        "customer": Col("int", customer_ids(o["customer"])),
        "external_id": Col("text", _code("O", order_ids, 8)),
        "channel": Col("text", o["channel"]),
        "placed_at": Col("ts", o["placed_us"]),
        "status": Col("text", o["status"]),
        "total": Col("cents", o["total_cents"]),
        "currency": Col("text", o["currency"]),
    })
    ln = chunk.order_lines
    k = len(ln["order"])
    writer.write(OrderLine, k, {
        "id": Col("int", writer.reserve(OrderLine, k)),
        "order": Col("int", order_ids[ln["order"]] if k else np.zeros(0, np.int64)),
        "product": const(None),
        "description": Col("text", ln["description"]),
        "quantity": Col("number", ln["quantity"]),
        "unit_price": Col("cents", ln["unit_cents"]),
        "line_total": Col("cents", ln["line_cents"]),
    })

    it = chunk.interactions
    k = len(it["customer"])
    writer.write(Interaction, k, {
        "id": Col("int", writer.reserve(Interaction, k)),
        "created_at": Col("ts", it["occurred_us"]),
        "updated_at": Col("ts", it["occurred_us"]),
        "source": const(SOURCE),
        "customer": Col("int", customer_ids(it["customer"])),
        "channel": Col("text", it["channel"]),
        "direction": Col("text", it["direction"]),
        "subject": Col("text", it["subject"]),
        "body": const(""),
        "occurred_at": Col("ts", it["occurred_us"]),
        "user": Col("int_or_null", np.where(it["staffed"], owner_of(it["customer"]), -1)),
        "related_type": const(None),
        "related_id": const(None),
    })

    t = chunk.tasks
    k = len(t["customer"])
    assignee = owner_of(t["customer"])
    writer.write(Task, k, {
        "id": Col("int", writer.reserve(Task, k)),
        "created_at": Col("ts", t["created_us"]),
        "updated_at": Col("ts", np.where(t["done"], t["done_us"], t["created_us"])),
        "customer": Col("int", customer_ids(t["customer"])),
        "title": Col("text", t["title"]),
        "description": const(""),
        "due_at": Col("ts", t["due_us"]),
        "assignee": Col("int", assignee),
        "created_by": Col("int", assignee),
        "done_at": Col("ts_or_null", t["done_us"], mask=t["done"]),
    })

    nt = chunk.notes
    k = len(nt["customer"])
    writer.write(Note, k, {
        "id": Col("int", writer.reserve(Note, k)),
        "created_at": Col("ts", nt["created_us"]),
        "updated_at": Col("ts", nt["created_us"]),
        "customer": Col("int", customer_ids(nt["customer"])),
        "author": Col("int", owner_of(nt["customer"])),
        "body": Col("text", nt["body"]),
    })

    vip = cid[c["vip"]]
    b2b = cid[c["kind"] == "organisation"]
    tagged = np.concatenate([vip, b2b])
    tag_ids = np.concatenate([np.full(len(vip), tags[TAG_VIP]), np.full(len(b2b), tags[TAG_B2B])])
    k = len(tagged)
    writer.write(CustomerTag, k, {
        "id": Col("int", writer.reserve(CustomerTag, k)),
        "customer": Col("int", tagged),
        "tag": Col("int", tag_ids.astype(np.int64)),
    })
