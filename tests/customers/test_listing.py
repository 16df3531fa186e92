"""The customer list's read paths: scope branches, union paging and the two search plans give the same rows."""

import pytest

from rapport.core.access import visible_branches, visible_to
from rapport.customers import listing, search
from rapport.customers.models import Customer
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(team, other_team, manager):
    """Customers owned by the manager outside the team, by the team, by another team, and unowned."""
    colleague = make_user(role="agent", team=team)
    stranger = make_user(role="agent", team=other_team)
    names = ["Anna", "Bartek", "Celina", "Dorota", "Edward", "Filip", "Grażyna", "Henryk", "Iwona", "Jan"]
    for i, first in enumerate(names):
        make_customer(owner=manager, team=other_team, first_name=first, last_name="Kowalski")
        make_customer(owner=colleague, team=team, first_name=first, last_name=f"Nowak{i}")
        make_customer(owner=stranger, team=other_team, first_name=first, last_name="Kowalczyk")
        make_customer(owner=None, team=team, first_name=first, last_name="Kowalewska")
    # The manager's own customer inside the team is in both branches: it must be listed once.
    make_customer(owner=manager, team=team, first_name="Zofia", last_name="Kowalska")


def _walk(user, filters, size):
    rows, cursor, pages = [], None, 0
    while True:
        page, cursor = listing.customer_page(user=user, filters=filters, cursor=cursor, size=size)
        rows += [c.pk for c in page]
        pages += 1
        if cursor is None or pages > 100:
            return rows


def _expected(user, filters, term="display_name"):
    return list(listing.filtered(user=user, filters=filters).order_by(term, "id").values_list("pk", flat=True))


@pytest.mark.parametrize("role", ["agent", "manager", "admin"])
def test_the_branches_together_are_exactly_what_the_user_may_see(crowd, team, role):
    user = make_user(role=role, team=team)
    visible = set(visible_to(user, Customer.objects.all()).values_list("pk", flat=True))
    union: set[int] = set()
    for branch in visible_branches(user, Customer.objects.all()):
        union |= set(branch.values_list("pk", flat=True))
    assert union == visible


@pytest.mark.parametrize("size", [1, 3, 7, 50])
def test_a_manager_pages_through_both_branches_in_order_without_repeats(crowd, manager, size):
    filters = listing.CustomerFilters.parse({})
    assert _walk(manager, filters, size) == _expected(manager, filters)
    newest = listing.CustomerFilters.parse({"sort": "-created"})
    assert _walk(manager, newest, size) == list(
        listing.filtered(user=manager, filters=newest).order_by("-created_at", "-id").values_list("pk", flat=True)
    )


@pytest.mark.parametrize("role", ["agent", "manager", "admin"])
def test_a_common_word_walks_the_index_and_finds_the_same_rows(crowd, team, monkeypatch, role):
    owner_of = {"agent": "Kowalczyk", "manager": "Kowalski"}
    user = Customer.objects.get(last_name=owner_of[role], first_name="Anna").owner if role in owner_of else (
        make_user(role="admin", team=team))
    filters = listing.CustomerFilters.parse({"q": "kowal"})
    rare = _walk(user, filters, 4)
    # Every search counts as "common" now: the ordered walk must list exactly what the match list did.
    monkeypatch.setattr(search, "BROAD_MATCHES", 0)
    assert search.matches_many("kowal") == (search.connection.vendor == "sqlite")
    assert _walk(user, filters, 4) == rare == _expected(user, filters)
    assert rare


def test_a_search_counts_to_its_own_lower_cap(crowd, admin_user, monkeypatch):
    monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", 5)
    searching = listing.CustomerFilters.parse({"q": "kowal"})
    assert listing.count_cap(searching) == 5
    assert listing.customer_count(user=admin_user, filters=searching) == 5
    assert listing.count_cap(listing.CustomerFilters.parse({})) == listing.COUNT_CAP


@pytest.mark.parametrize("typed", ["grazyna", "GRAŻYNA", "lodz", "Łódź", "zolc"])
def test_search_ignores_accents_either_way(admin_user, typed):
    make_customer(first_name="Grażyna", last_name="Żółć", city="Łódź", emails=["g@lodz.pl"])
    make_customer(first_name="Greta", last_name="Lod")
    hits = listing.customer_page(user=admin_user, filters=listing.CustomerFilters.parse({"q": typed}))[0]
    assert [c.display_name for c in hits] == ["Grażyna Żółć"]


def test_a_pointed_hebrew_name_matches_an_unpointed_search(admin_user):
    make_customer(first_name="שָׂרָה", last_name="כהן")
    hits = listing.customer_page(user=admin_user, filters=listing.CustomerFilters.parse({"q": "שרה"}))[0]
    assert len(hits) == 1


def test_the_document_keeps_the_written_form_and_adds_the_folded_one():
    assert search.document_text(["Grażyna Żółć", "g@x.pl", "Anna"]) == "grażyna żółć g@x.pl anna grazyna zolc"
    assert search.fold("Ørsted Łukasz Straße") == "orsted lukasz strasse"


def test_the_migration_adds_folded_forms_to_existing_documents(admin_user):
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    backfill = importlib.import_module("rapport.customers.migrations.0006_search_without_accents").backfill
    grazyna = make_customer(first_name="Grażyna", last_name="Nowak")
    plain = make_customer(first_name="Anna", last_name="Nowak")
    Customer.objects.filter(pk=grazyna.pk).update(search_document="grażyna nowak")
    before = Customer.objects.get(pk=plain.pk).search_document
    backfill(None, SimpleNamespace(connection=connection))  # the migration reads only the editor's connection
    assert Customer.objects.get(pk=grazyna.pk).search_document == "grażyna nowak grazyna"
    assert Customer.objects.get(pk=plain.pk).search_document == before
    hits = listing.customer_page(user=admin_user, filters=listing.CustomerFilters.parse({"q": "grazyna"}))[0]
    assert [c.pk for c in hits] == [grazyna.pk]
