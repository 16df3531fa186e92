"""Rows written by the bulk loader read back through the ORM and the selectors as if the services wrote them."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection, transaction
from django.db.models import Count

from rapport.accounts.models import User
from rapport.commerce.models import Order, OrderLine
from rapport.commerce.services import order_create
from rapport.core import bulkload
from rapport.customers.models import Consent, Contact, ContactPoint, Customer, ExternalIdentifier
from rapport.customers.selectors import customer_single_view
from rapport.customers.services import customer_create
from rapport.interactions.models import Interaction, Note, Task
from rapport.ops import generator
from rapport.ops.models import SeedRun
from rapport.ops.seeding import TABLES, seed_database, seed_staff, seeded, write_chunk

pytestmark = pytest.mark.django_db
END = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def run(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_database(customers=80, seed=5, end=END, chunk_size=30)


def test_it_records_the_run_and_the_truth(run, tmp_path):
    assert seeded()
    run.refresh_from_db()
    assert run.customers == 80 and run.orders == Order.objects.count() > 0
    assert run.interactions == Interaction.objects.count() > 0
    assert {"r", "alpha", "a", "b", "p", "q", "gamma", "window_start", "window_end"} <= set(run.params)
    assert run.params["time_unit"] == "week" and run.finished_at >= run.started_at
    truth = np.load(run.truth_file)
    assert truth["customer_id"].tolist() == sorted(Customer.objects.values_list("id", flat=True))
    assert truth["orders"].sum() == run.orders
    assert {"lam", "p", "nu", "dropout_weeks", "alive_at_end"} <= set(truth.files)
    assert run.truth_file.startswith(str(tmp_path / "seeds"))
    assert run.stats["rows"][Customer._meta.db_table] == 80


def test_customers_read_back_like_service_written_ones(run):
    for customer in Customer.objects.select_related("owner", "team"):
        assert customer.display_name == Customer.compose_display_name(
            customer.kind, customer.first_name, customer.last_name, customer.organisation_name)
        primary = {p.kind: p.value for p in customer.contact_points.filter(is_primary=True)}
        assert customer.primary_email == primary["email"] and customer.primary_phone == primary["phone"]
        assert customer.owner.team_id == customer.team_id and customer.owner.role in {"agent", "manager"}
        assert customer.created_at.tzinfo is not None and customer.created_at <= customer.updated_at
        assert customer.version == 1 and customer.source == "seed" and isinstance(customer.attributes, dict)
        customer.full_clean()
    assert ExternalIdentifier.objects.filter(source="seed").count() == 80
    assert Consent.objects.filter(channel="email").count() == 80


def test_order_totals_equal_their_lines(run):
    # Compared as Decimals in Python: SQLite sums a NUMERIC column as binary floats (for ORM-written rows too).
    sums: dict[int, Decimal] = {}
    for order_id, amount in OrderLine.objects.values_list("order_id", "line_total"):
        sums[order_id] = sums.get(order_id, Decimal("0")) + amount
    totals = dict(Order.objects.values_list("id", "total"))
    assert sums == totals
    line = OrderLine.objects.select_related("order").first()
    assert isinstance(line.line_total, Decimal) and line.line_total == line.unit_price * line.quantity
    assert line.order.total.as_tuple().exponent == -2
    assert Order.objects.filter(placed_at__gte=END).count() == 0


def test_the_single_view_shows_the_bulk_written_history(run):
    customer = Customer.objects.annotate(n=Count("orders", distinct=True)).filter(
        n__gte=2, interactions__isnull=False).first()
    view = customer_single_view(user=customer.owner, pk=customer.pk)
    assert view.customer == customer
    kinds = {e.kind for e in view.timeline.entries}
    assert {"order", "interaction"} <= kinds
    stamps = [e.at for e in view.timeline.entries]
    assert stamps == sorted(stamps, reverse=True)
    order_entry = next(e for e in view.timeline.entries if e.kind == "order")
    order = Order.objects.get(pk=order_entry.id)
    assert order_entry.amount == order.total and order_entry.title == order.external_id
    assert order_entry.at == order.placed_at
    assert {p.kind for p in view.facts.contact_points} == {"email", "phone"}
    assert [i.source for i in view.facts.identifiers] == ["seed"]
    # The timeline pages by cursor over the bulk-written timestamps without gaps or repeats.
    seen, cursor = [], None
    while True:
        page = customer_single_view(user=customer.owner, pk=customer.pk, cursor=cursor, limit=3).timeline
        seen += [(e.kind, e.id) for e in page.entries]
        if not (cursor := page.next_cursor):
            break
    total = (customer.orders.count() + customer.interactions.count() + customer.tasks.count()
             + customer.notes.count())
    assert len(seen) == len(set(seen)) == total


def test_organisations_have_their_contact_persons(run):
    org = Customer.objects.filter(kind="organisation").first()
    if org is None:
        pytest.skip("no organisation among the 80")
    view = customer_single_view(user=org.owner, pk=org.pk)
    assert 1 <= len(view.contacts) <= 3 and view.contacts[0].is_primary
    assert Contact.objects.filter(organisation__kind="person").count() == 0


def test_every_foreign_key_points_at_a_row(run):
    assert not Order.objects.filter(customer__isnull=True).exists()
    assert OrderLine.objects.filter(order__customer__source="seed").count() == OrderLine.objects.count()
    assert Interaction.objects.filter(customer__source="seed").count() == Interaction.objects.count()
    users = set(User.objects.values_list("id", flat=True))
    assert set(Interaction.objects.exclude(user=None).values_list("user_id", flat=True)) <= users
    assert set(Task.objects.values_list("assignee_id", flat=True)) <= users
    assert set(Note.objects.values_list("author_id", flat=True)) <= users


def test_services_keep_working_after_a_load(run):
    """The id sequences were moved past the loaded rows (PostgreSQL) or follow them (SQLite)."""
    customer = customer_create(first_name="Nur", last_name="Aziz", emails=["nur@example.com"])
    order = order_create(customer=customer, currency="MYR", total=Decimal("5.00"))
    assert customer.pk > Customer.objects.exclude(pk=customer.pk).order_by("-pk").first().pk
    assert order.pk > Order.objects.exclude(pk=order.pk).order_by("-pk").first().pk
    assert ContactPoint.objects.filter(customer=customer).count() == 1


def test_a_second_run_appends_with_fresh_ids(run, settings):
    second = seed_database(customers=20, seed=6, end=END)
    assert Customer.objects.count() == 100
    assert ExternalIdentifier.objects.values("external_id").distinct().count() == 100
    assert second.pk != run.pk and SeedRun.objects.count() == 2


def test_staff_are_created_once_with_unusable_passwords(run):
    before = User.objects.count()
    staff = seed_staff()
    assert User.objects.count() == before
    assert set(staff.teams) == set(generator.LOCALE_CODES)
    assert not any(u.has_usable_password() for u in User.objects.all())
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"agent", "manager", "analyst", "read_only"}


def test_deferred_indexes_are_built_again(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    before = bulkload.secondary_indexes(TABLES)
    assert before
    run = seed_database(customers=30, seed=9, end=END, defer_indexes=True)
    assert bulkload.secondary_indexes(TABLES) == before
    assert run.stats["deferred_indexes"] is True and Customer.objects.count() == 30


def test_a_failed_load_leaves_nothing_behind():
    with pytest.raises(RuntimeError), bulkload.bulk_session([Customer]) as writer:
        ids = writer.reserve(Customer, 1)
        writer.write(Customer, 1, {
            "id": bulkload.Col("int", ids), "created_at": bulkload.Col("ts", np.array([1_700_000_000_000_001])),
            "updated_at": bulkload.Col("ts", np.array([1_700_000_000_000_001])), "display_name": bulkload.const("X"),
            "kind": bulkload.const("person"), "last_name": bulkload.const("X"), "attributes": bulkload.const("{}"),
        } | {name: bulkload.const("") for name in ("source", "first_name", "organisation_name", "primary_email",
                                                   "primary_phone", "language", "country", "city",
                                                   "search_document")}
          | {"lifecycle_stage": bulkload.const("prospect"), "relationship_level": bulkload.const(1),
             "version": bulkload.const(1)})
        assert Customer.objects.count() == 1
        raise RuntimeError("boom")
    assert Customer.objects.count() == 0


class _Recorder:
    def __init__(self):
        self.columns = {}

    def reserve(self, model, n):
        return np.arange(1, n + 1, dtype=np.int64)

    def write(self, model, n, columns):
        self.columns[model] = {bulkload.BulkWriter._column(model, name) for name in columns}
        return n


def test_the_loader_fills_every_column_of_every_table():
    staff = seed_staff()
    chunk = next(generator.generate(50, seed=1, start=END - timedelta(weeks=156), end=END))
    recorder = _Recorder()
    write_chunk(recorder, chunk, staff=staff, customer_base=1, tags={"vip": 1, "b2b": 2})  # type: ignore[arg-type]
    for model in TABLES:
        expected = {f.column for f in model._meta.concrete_fields}
        assert recorder.columns[model] == expected, model.__name__


def test_datetimes_are_the_text_django_stores():
    rng = np.random.default_rng(1)
    us = rng.integers(0, 4_000_000_000_000_000, 500) | 1
    texts = bulkload._datetime_text(us)
    for value, text in zip(us.tolist(), texts.tolist(), strict=True):
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)
        assert text == moment.replace(tzinfo=None).isoformat(" ")
        if connection.vendor == "sqlite":
            assert text == connection.ops.adapt_datetimefield_value(moment)


def test_cents_become_two_place_decimals_exactly():
    cents = np.array([0, 5, 1234, -250, -1, 99_999_999_999_999])
    assert [str(d) for d in bulkload._decimal_cents(cents).to_pylist()] == [
        "0.00", "0.05", "12.34", "-2.50", "-0.01", "999999999999.99"]


TRICKY = ['quote " inside', "comma, and\nnewline", "tab\tand back\\slash", "", "\\N", "'; DROP", "زبان עברית ąę"]


def test_text_floats_decimals_and_json_read_back_exactly(run):
    from rapport.analytics.models import CustomerScore, ScoreRun

    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:len(TRICKY)])
    n = len(customers)
    floats = np.array([0.1, 1 / 3, 1e-300, 123456.789, 0.0, -2.5e10, 5e-324][:n])
    cents = np.array([1, -1, 0, 12345, 99_999_999, -250, 7][:n])
    texts = ["a", "b,c", 'say "hi"', "f\tg", "g\nh", "\\N", "é"][:n]
    reasons = [json.dumps([{"code": "x", "text": text}]) for text in texts]
    score_run = ScoreRun.objects.create(as_of="2026-06-01")
    with bulkload.bulk_session([CustomerScore, Note]) as writer:
        note_ids = writer.reserve(Note, n)
        writer.write(Note, n, {
            "id": bulkload.Col("int", note_ids),
            "created_at": bulkload.Col("ts", np.full(n, 1_780_000_000_000_001)),
            "updated_at": bulkload.Col("ts", np.full(n, 1_780_000_000_000_001)),
            "customer": bulkload.Col("int", customers), "author": bulkload.const(None),
            "body": bulkload.Col("text", TRICKY[:n]),
        })
        ints = bulkload.Col("int", np.arange(n))
        writer.write(CustomerScore, n, {
            "id": bulkload.Col("int", writer.reserve(CustomerScore, n)), "run": bulkload.const(score_run.pk),
            "customer": bulkload.Col("int", customers), "as_of": bulkload.const("2026-06-01"),
            "frequency": ints, "days_since_purchase": ints, "rfm_r": ints, "rfm_f": ints, "rfm_m": ints,
            **{name: bulkload.Col("float", floats) for name in (
                "recency", "age", "monetary", "p_alive", "expected_purchases", "p_no_purchase", "churn_risk")},
            **{name: bulkload.Col("cents", cents) for name in ("expected_spend", "clv", "actual_value")},
            **{name: bulkload.const("low") for name in ("rfm_segment", "risk_band", "value_band", "value_segment",
                                                           "programme", "loyalty")},
            "reasons": bulkload.Col("json", reasons),
        })
    bodies = dict(Note.objects.filter(pk__in=note_ids.tolist()).values_list("customer_id", "body"))
    assert [bodies[pk] for pk in customers] == TRICKY[:n]
    rows = {s.customer_id: s for s in CustomerScore.objects.filter(run=score_run)}
    for i, pk in enumerate(customers):
        assert rows[pk].recency == floats[i] and rows[pk].churn_risk == floats[i]
        assert rows[pk].clv == Decimal(int(cents[i])) / 100
        assert rows[pk].reasons[0]["text"] == texts[i]


def test_update_by_id_sets_each_rows_own_value_and_the_shared_ones(run):
    chosen = list(Customer.objects.order_by("pk").values_list("pk", "version")[:3])
    untouched = Customer.objects.order_by("pk").values_list("pk", "lifecycle_stage", "version")[3]
    stamp = datetime(2026, 7, 1, 12, 0, 0, 1, tzinfo=UTC)
    stages = ["active", "lapsed", "lost"]
    stored_stamp = stamp.replace(tzinfo=None) if connection.vendor == "sqlite" else stamp
    with transaction.atomic():
        changed = bulkload.update_by_id(
            Customer, [pk for pk, _v in chosen], {"lifecycle_stage": stages},
            same_for_all={"version": ("version + 1", []), "updated_at": ("%s", [stored_stamp])},
        )
    assert changed == 3
    rows = {c.pk: c for c in Customer.objects.filter(pk__in=[pk for pk, _v in chosen])}
    for (pk, version), stage in zip(chosen, stages, strict=True):
        assert rows[pk].lifecycle_stage == stage
        assert rows[pk].version == version + 1
        assert rows[pk].updated_at == stamp
    assert Customer.objects.values_list("pk", "lifecycle_stage", "version").get(pk=untouched[0]) == untouched
    assert bulkload.update_by_id(Customer, [], {"lifecycle_stage": []}) == 0


def test_update_in_a_columns_order_gives_each_row_its_own_value_and_leaves_the_planner_as_it_was(run, monkeypatch):
    monkeypatch.setattr(bulkload, "ORDERED_UPDATE_FROM", 2)
    chosen = list(Customer.objects.order_by("-pk").values_list("pk", "display_name", "version")[:40])
    stages = ["active", "lapsed", "lost", "at_risk", "new"] * 8
    with transaction.atomic(), connection.cursor() as cursor:
        changed = bulkload.update_by_id(
            Customer, [pk for pk, _n, _v in chosen], {"lifecycle_stage": stages},
            same_for_all={"version": ("version + 1", [])}, in_order_of="display_name",
        )
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')")
            assert cursor.fetchone() == ("on", "on")
    assert changed == 40
    rows = {c.pk: c for c in Customer.objects.filter(pk__in=[pk for pk, _n, _v in chosen])}
    for (pk, _name, version), stage in zip(chosen, stages, strict=True):
        assert (rows[pk].lifecycle_stage, rows[pk].version) == (stage, version + 1)


def test_ids_are_reserved_above_the_sequence_and_the_sequence_moves_past_them():
    from rapport.customers.models import LifecycleChange
    from tests.factories import make_customer

    customer = make_customer()
    taken = LifecycleChange.objects.create(customer=customer, to_stage="new", reason="by hand")
    taken_id = taken.pk
    taken.delete()  # the sequence is ahead of the table now
    writer = bulkload.BulkWriter([LifecycleChange])
    ids = writer.reserve(LifecycleChange, 2)
    assert ids[0] > taken_id
    writer.write(LifecycleChange, 2, {
        "id": bulkload.Col("int", ids), "customer_id": bulkload.const(customer.pk),
        "from_stage": bulkload.const("new"), "to_stage": bulkload.const("active"),
        "changed_at": bulkload.Col("ts", np.full(2, 1_700_000_000_000_000, dtype=np.int64)),
        "changed_by_id": bulkload.const(None), "reason": bulkload.const("bulk"),
    })
    writer.advance_sequences()
    assert LifecycleChange.objects.create(customer=customer, to_stage="lost", reason="later").pk > ids[-1]


def test_a_write_sent_in_several_slices_stores_every_row_once(monkeypatch):
    from rapport.customers.models import LifecycleChange
    from tests.factories import make_customer

    monkeypatch.setattr(bulkload, "COPY_ROWS", 3)
    customer = make_customer()
    writer = bulkload.BulkWriter([LifecycleChange])
    ids = writer.reserve(LifecycleChange, 10)
    writer.write(LifecycleChange, 10, {
        "id": bulkload.Col("int", ids), "customer_id": bulkload.const(customer.pk),
        "from_stage": bulkload.const("new"), "to_stage": bulkload.const("active"),
        "changed_at": bulkload.Col("ts", np.full(10, 1_700_000_000_000_000, dtype=np.int64)),
        "changed_by_id": bulkload.const(None), "reason": bulkload.Col("text", [f"row {i}" for i in range(10)]),
    })
    stored = list(LifecycleChange.objects.filter(pk__in=ids.tolist()).order_by("pk").values_list("reason", flat=True))
    assert stored == [f"row {i}" for i in range(10)]
