"""The data generator: deterministic, internally consistent, and faithful to the BG/NBD story it tells."""

import subprocess
import sys
from datetime import UTC, datetime

import numpy as np
import pytest

from rapport.ops import generator as g

START, END = datetime(2023, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = g.Window.of(START, END)


def _chunks(n=3000, seed=7, chunk_size=1000):
    return list(g.generate(n, seed=seed, start=START, end=END, chunk_size=chunk_size))


def _frames(chunk):
    return {name: getattr(chunk, name) for name in (
        "customers", "contact_points", "consents", "contacts", "orders", "order_lines", "interactions", "tasks",
        "notes", "truth",
    )}


@pytest.fixture(scope="module")
def chunks():
    return _chunks()


def test_it_makes_identical_arrays_for_the_same_seed(chunks):
    again = _chunks()
    for first, second in zip(chunks, again, strict=True):
        for name, frame in _frames(first).items():
            for column, values in frame.items():
                other = _frames(second)[name][column]
                assert values.dtype == other.dtype and values.shape == other.shape, (name, column)
                assert np.array_equal(values, other, equal_nan=values.dtype.kind == "f"), (name, column)


def test_it_makes_different_data_for_another_seed(chunks):
    other = _chunks(seed=8)
    assert not np.array_equal(chunks[0].truth["lam"], other[0].truth["lam"])
    assert list(chunks[0].customers["display_name"]) != list(other[0].customers["display_name"])


def test_chunks_cover_every_customer_once(chunks):
    index = np.concatenate([c.customers["index"] for c in chunks])
    assert np.array_equal(index, np.arange(3000))
    assert [len(c) for c in chunks] == [1000, 1000, 1000]
    assert list(g.generate(0, seed=1, start=START, end=END)) == []


def test_order_totals_are_the_sum_of_their_lines_in_cents(chunks):
    for chunk in chunks:
        lines, orders = chunk.order_lines, chunk.orders
        assert lines["line_cents"].dtype == np.int64 and orders["total_cents"].dtype == np.int64
        sums = np.bincount(lines["order"], weights=lines["line_cents"], minlength=len(orders["total_cents"]))
        assert np.array_equal(sums.astype(np.int64), orders["total_cents"])
        assert np.array_equal(lines["unit_cents"] * lines["quantity"], lines["line_cents"])
        assert (lines["unit_cents"] > 0).all() and (lines["quantity"] >= 1).all()
        per_order = np.bincount(lines["order"], minlength=len(orders["total_cents"]))
        assert per_order.min() >= 1 and per_order.max() <= 3


def test_orders_lie_between_birth_and_the_window_end_and_stop_at_drop_out(chunks):
    for chunk in chunks:
        truth, orders = chunk.truth, chunk.orders
        local = orders["customer"] - chunk.first
        weeks = (orders["placed_us"] - WINDOW.start_us) / g.US_PER_WEEK
        birth = truth["birth"][local]
        assert (weeks >= birth - 1e-6).all()
        assert (orders["placed_us"] < WINDOW.end_us).all()
        assert (weeks <= truth["dropout"][local] + 1e-6).all()  # nothing after drop-out
        counts = np.bincount(local, minlength=len(chunk))
        assert np.array_equal(counts, truth["orders"])
        buyers = ~np.isnan(truth["birth"])
        assert np.array_equal(truth["orders"][buyers], truth["repeats"][buyers] + 1)
        assert (truth["orders"][~buyers] == 0).all()
        # Orders of a customer come in time order, the first one at birth.
        same = local[1:] == local[:-1]
        assert (np.diff(orders["placed_us"])[same] >= 0).all()
        dead = buyers & ~truth["alive"]
        assert (truth["dropout"][dead] < WINDOW.weeks).all()
        assert (truth["dropout"][truth["alive"]] >= WINDOW.weeks).all()


def test_timestamps_never_fall_on_a_whole_second(chunks):
    for chunk in chunks:
        for frame, column in ((chunk.orders, "placed_us"), (chunk.interactions, "occurred_us"),
                              (chunk.customers, "created_us"), (chunk.tasks, "due_us")):
            assert (frame[column] % 1_000_000 != 0).all(), column


def test_the_mean_repeat_purchases_match_the_bgnbd_expectation():
    params = g.PurchaseParams(prospect_share=0.0)
    rng = np.random.default_rng(11)
    sim = g.simulate_purchases(rng, 60_000, params, WINDOW.weeks)
    tau = WINDOW.weeks - sim.birth
    expected = g.expected_repeats(tau, params).mean()
    assert sim.repeats.mean() == pytest.approx(expected, rel=0.03)
    # And the truth's own means are the parameters' moments.
    assert sim.lam.mean() == pytest.approx(params.r / params.alpha, rel=0.03)
    assert sim.p_drop.mean() == pytest.approx(params.a / (params.a + params.b), rel=0.03)


def test_the_spend_follows_gamma_gamma():
    params = g.PurchaseParams()
    sim = g.simulate_purchases(np.random.default_rng(3), 40_000, params, WINDOW.weeks)
    mean_value = params.p * params.gamma / (params.q - 1)
    assert sim.order_value.mean() == pytest.approx(mean_value, rel=0.08)


def test_expected_repeats_reduces_to_simple_cases():
    params = g.PurchaseParams()
    assert g.expected_repeats(np.array([0.0]), params)[0] == pytest.approx(0.0)
    # Early on, hardly anyone has dropped out: E[X(t)] ~ t * E[lambda].
    assert g.expected_repeats(np.array([0.01]), params)[0] == pytest.approx(0.01 * params.r / params.alpha, rel=0.01)


def test_the_defaults_give_about_ten_orders_and_ten_interactions_per_customer():
    chunks = _chunks(n=20_000, seed=1, chunk_size=10_000)
    n = 20_000
    orders = sum(len(c.orders["customer"]) for c in chunks) / n
    interactions = sum(len(c.interactions["customer"]) for c in chunks) / n
    assert 9.0 <= orders <= 11.0
    assert 9.0 <= interactions <= 11.0
    assert g.expected_orders_per_customer(g.PurchaseParams(), WINDOW.weeks) == pytest.approx(orders, rel=0.05)


def _in_script(text, low, high):
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(low <= ord(ch) <= high for ch in letters)


def test_names_places_and_money_follow_the_locale(chunks):
    cities = {cc: set(v.split(";")) for loc in g.LOCALES for cc, v in loc.cities.items()}
    countries = {loc.code: set(loc.countries) for loc in g.LOCALES}
    currency = {cc: cur for loc in g.LOCALES for cc, cur in loc.currency.items()}
    c = chunks[0].customers
    assert set(c["language"]) == set(g.LOCALE_CODES)
    for i in range(len(c["index"])):
        lang, cc = c["language"][i], c["country"][i]
        assert cc in countries[lang]
        assert c["city"][i] in cities[cc]
        assert c["currency"][i] == currency[cc]
        if c["kind"][i] == "person":
            name = c["first_name"][i] + c["last_name"][i]
            assert c["display_name"][i] == f"{c['first_name'][i]} {c['last_name'][i]}"
            if lang == "fa":
                assert _in_script(name, 0x0600, 0x06FF), name  # Arabic script
            elif lang == "he":
                assert _in_script(name, 0x0590, 0x05FF), name  # Hebrew script
            else:
                assert _in_script(name, 0x0041, 0x017F), name  # Latin
            if lang == "ms":
                assert c["last_name"][i].startswith(("bin ", "binti "))
        else:
            assert c["display_name"][i] == c["organisation_name"][i] and not c["first_name"][i]
    orders = chunks[0].orders
    assert np.array_equal(orders["currency"], c["currency"][orders["customer"] - chunks[0].first])


def test_about_one_in_ten_is_an_organisation_with_contact_persons(chunks):
    c, contacts = chunks[0].customers, chunks[0].contacts
    orgs = c["index"][c["kind"] == "organisation"]
    assert 0.06 <= len(orgs) / len(c["index"]) <= 0.14
    per_org = np.bincount(contacts["organisation"] - chunks[0].first, minlength=len(c["index"]))
    assert set(np.unique(per_org[orgs - chunks[0].first])) <= {1, 2, 3}
    assert per_org[c["kind"] == "person"].sum() == 0
    assert contacts["is_primary"].sum() == len(orgs)


def test_lifecycle_stage_follows_the_last_purchase(chunks):
    for chunk in chunks:
        c, truth, orders = chunk.customers, chunk.truth, chunk.orders
        local = orders["customer"] - chunk.first
        last = np.full(len(chunk), -np.inf)
        np.maximum.at(last, local, (orders["placed_us"] - WINDOW.start_us) / g.US_PER_WEEK)
        recency = WINDOW.weeks - last
        stage = c["lifecycle_stage"]
        assert (truth["orders"][stage == "prospect"] == 0).all()
        assert (recency[stage == "lost"] > 52).all()
        assert ((recency[stage == "lapsed"] > 26) & (recency[stage == "lapsed"] <= 52)).all()
        assert (recency[np.isin(stage, ["new", "active", "won_back"])] <= 8).all()
        assert set(np.unique(c["relationship_level"])) <= set(range(1, 7))


def test_contact_points_carry_the_normal_form_the_services_compute(chunks):
    from rapport.customers.normalize import normalize_email, normalize_phone

    cp = chunks[0].contact_points
    for kind, value, normalized in zip(cp["kind"], cp["value"], cp["normalized"], strict=True):
        expected = normalize_email(value) if kind == "email" else normalize_phone(value)
        assert normalized == expected
    primary = cp["is_primary"]
    assert np.array_equal(np.sort(cp["customer"][primary & (cp["kind"] == "email")]), chunks[0].customers["index"])
    assert np.array_equal(np.sort(cp["customer"][primary & (cp["kind"] == "phone")]), chunks[0].customers["index"])


def test_choice_values_are_the_apps_choices(chunks):
    from rapport.commerce.choices import OrderStatus, SalesChannel
    from rapport.customers.choices import ConsentChannel, ConsentStatus, ContactPointKind, CustomerKind, LifecycleStage
    from rapport.interactions.choices import Channel, Direction

    assert set(g.INTERACTION_CHANNELS) == set(Channel.values)
    assert set(g.SALES_CHANNELS) <= set(SalesChannel.values)
    assert set(g.LIFECYCLE_STAGES) <= set(LifecycleStage.values)
    chunk = chunks[0]
    assert set(chunk.interactions["channel"]) <= set(Channel.values)
    assert set(chunk.interactions["direction"]) <= set(Direction.values)
    assert set(chunk.orders["status"]) <= set(OrderStatus.values)
    assert set(chunk.consents["channel"]) <= set(ConsentChannel.values)
    assert set(chunk.consents["status"]) <= set(ConsentStatus.values)
    assert set(chunk.contact_points["kind"]) <= set(ContactPointKind.values)
    assert set(chunk.customers["kind"]) <= set(CustomerKind.values)


def test_the_generator_does_not_import_django():
    code = "import sys, rapport.ops.generator; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_it_refuses_a_negative_count_or_an_empty_window():
    with pytest.raises(ValueError):
        list(g.generate(-1, seed=1, start=START, end=END))
    with pytest.raises(ValueError):
        g.Window.of(END, START)
