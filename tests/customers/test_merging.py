"""Merging duplicate customers: every registered record moves, clashes are settled, and the undo restores all."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.commerce.models import Order
from rapport.commerce.services import order_create
from rapport.core.errors import NotFoundError, PermissionDeniedError, RapportError
from rapport.customers.merging import (
    MergeConflictError,
    MergeRelation,
    customer_merge_get,
    customer_merge_undo,
    customer_merged_into,
    customer_merges_of,
    customers_merge,
    register_relation,
    registered_relations,
    unregistered_relations,
)
from rapport.customers.models import (
    Address,
    Consent,
    Contact,
    ContactPoint,
    Customer,
    CustomerMerge,
    ExternalIdentifier,
    LifecycleChange,
)
from rapport.customers.search import search
from rapport.customers.services import (
    Identifier,
    consent_record,
    contact_create,
    contact_point_add,
    customer_add_tags,
    customer_delete,
    customer_update,
)
from rapport.customers.timeline import timeline_page
from rapport.interactions.models import Interaction, Note, Task
from rapport.interactions.services import interaction_log, note_add, task_create
from rapport.sales.models import Lead, Opportunity
from rapport.sales.services import lead_convert, lead_create, opportunity_create
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

USERS = "accounts_user"


@pytest.fixture
def stranger(other_team):
    return make_user(role="agent", team=other_team, username="stranger")


@pytest.fixture
def reader(team):
    return make_user(role="read_only", team=team, username="reader")


def _pair(agent, kind="person", n=""):
    names = (
        {"organisation_name": "Acme", "first_name": "", "last_name": ""} if kind == "organisation"
        else {"first_name": "Ada", "last_name": "Lovelace"}
    )
    survivor = make_customer(
        owner=agent, kind=kind, emails=["ada@example.com"], phones=["+60 12-345 6789"], country="MY",
        identifiers=[Identifier("shop", f"S-1{n}")], tags=["vip"], **names,
    )
    discarded = make_customer(
        owner=agent, kind=kind, emails=["ADA@example.com", "ada@work.example"], phones=["+60 19-999 0000"],
        city="Ipoh", identifiers=[Identifier("shop", f"S-2{n}"), Identifier("crm", f"C-9{n}")],
        tags=["vip", "newsletter"], attributes={"diet": "vegetarian"},
        **({**names, "organisation_name": "Acme Sdn Bhd"} if kind == "organisation" else names),
    )
    return survivor, discarded


def _everything_on(customer, agent):
    """One row of every kind a domain keeps about a customer."""
    interaction_log(customer=customer, channel="phone", direction="inbound", subject="Hello", user=agent)
    note_add(customer=customer, body="Likes tea", author=agent)
    task_create(customer=customer, title="Call back", assignee=agent)
    order_create(customer=customer, currency="MYR", lines=[{"description": "Room", "unit_price": "300"}])
    Address.objects.create(customer=customer, line1="1 Jalan Ampang", city="Kuala Lumpur", is_primary=True)
    consent_record(customer=customer, channel="sms", status="granted")
    opportunity_create(customer=customer, name="Renewal", currency="MYR", amount=Decimal("100"), owner=agent)
    lead = lead_create(first_name="Ada", last_name="Lovelace", owner=agent)
    lead_convert(lead=lead, customer=customer, currency="MYR", by=agent)
    if customer.kind == "organisation":
        contact_create(organisation=customer, last_name="Tan", is_primary=True)


# --- moving -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["person", "organisation"])
def test_merge_moves_every_registered_record(agent, kind):
    survivor, discarded = _pair(agent, kind)
    _everything_on(discarded, agent)
    gone = discarded.pk

    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent, reason="Same person")

    assert not Customer.objects.filter(pk=gone).exists()
    for relation in registered_relations():
        assert not relation.model._base_manager.filter(**{relation.field: gone}).exists(), relation.key
    for model in (Interaction, Note, Task, Order, Address, Opportunity, LifecycleChange):
        assert model.objects.filter(customer=survivor).count() >= 1, model
    assert Lead.objects.get().converted_customer == survivor
    assert Order.objects.get().lines.count() == 1
    expected = {
        "interactions.Interaction", "interactions.Note", "interactions.Task", "commerce.Order", "customers.Address",
        "customers.Consent", "customers.ExternalIdentifier", "customers.LifecycleChange", "customers.ContactPoint",
        "customers.Customer_tags", "sales.Opportunity", "sales.Lead.converted_customer",
    }
    if kind == "organisation":
        expected.add("customers.Contact.organisation")
        assert Contact.objects.get().organisation == survivor
    assert expected <= set(merge.moved)
    assert merge.merged_by == agent and merge.reason == "Same person" and merge.discarded_id == gone


def test_every_relation_to_a_customer_is_registered():
    assert unregistered_relations() == []


def test_a_relation_whose_unique_key_includes_the_customer_must_say_which_row_stays():
    with pytest.raises(ImproperlyConfigured, match="unique key"):
        register_relation(MergeRelation(model=ContactPoint))


def test_the_same_email_on_both_keeps_one_contact_point_and_records_the_dropped_one(agent):
    survivor, discarded = _pair(agent)
    dropped = ContactPoint.objects.get(customer=discarded, normalized="ada@example.com")

    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)

    emails = ContactPoint.objects.filter(customer=survivor, kind="email")
    assert sorted(emails.values_list("normalized", flat=True)) == ["ada@example.com", "ada@work.example"]
    assert [row["id"] for row in merge.discarded_snapshot["deleted"]["customers.ContactPoint"]] == [dropped.pk]


def test_the_discarded_emails_and_phones_become_secondary(agent):
    survivor, discarded = _pair(agent)
    customers_merge(survivor=survivor, discarded=discarded, by=agent)
    survivor.refresh_from_db()
    primaries = ContactPoint.objects.filter(customer=survivor, is_primary=True)
    assert sorted(primaries.values_list("normalized", flat=True)) == ["+60123456789", "ada@example.com"]
    assert survivor.primary_email == "ada@example.com" and survivor.primary_phone == "+60 12-345 6789"


def test_a_survivor_without_an_email_takes_the_discarded_primary_one(agent):
    survivor = make_customer(owner=agent)
    discarded = make_customer(owner=agent, emails=["only@example.com"])
    customers_merge(survivor=survivor, discarded=discarded, by=agent)
    survivor.refresh_from_db()
    assert survivor.primary_email == "only@example.com"


def test_consent_keeps_the_most_recent_per_channel(agent):
    survivor, discarded = _pair(agent)
    consent_record(customer=survivor, channel="email", status="granted")
    consent_record(customer=discarded, channel="email", status="withdrawn")  # later: the customer's last word
    consent_record(customer=discarded, channel="sms", status="granted")
    consent_record(customer=survivor, channel="sms", status="withdrawn")  # later than the discarded one

    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)

    current = dict(Consent.objects.filter(customer=survivor).values_list("channel", "status"))
    assert current == {"email": "withdrawn", "sms": "withdrawn"}
    assert len(merge.discarded_snapshot["deleted"]["customers.Consent"]) == 2


def test_a_shared_tag_is_kept_once(agent):
    survivor, discarded = _pair(agent)
    customers_merge(survivor=survivor, discarded=discarded, by=agent)
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["newsletter", "vip"]


def test_survivor_fields_win_and_its_empty_ones_are_filled(agent):
    survivor, discarded = _pair(agent)
    version = survivor.version

    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)

    survivor.refresh_from_db()
    assert survivor.country == "MY" and survivor.city == "Ipoh"  # its own kept, its empty one filled
    assert survivor.attributes == {"diet": "vegetarian"}
    assert survivor.version == version + 1
    assert merge.survivor_before == {"city": "", "attributes": {}}


def test_the_discarded_identifiers_find_the_survivor(agent):
    survivor, discarded = _pair(agent)
    customers_merge(survivor=survivor, discarded=discarded, by=agent)
    assert ExternalIdentifier.objects.get(source="crm", external_id="C-9").customer_id == survivor.pk
    found = search(Customer.objects.all(), "ada@work.example")
    assert list(found) == [survivor]
    assert list(search(Customer.objects.all(), "C-9")) == [survivor]


def test_a_merged_id_resolves_to_the_survivor(agent):
    survivor, discarded = _pair(agent)
    third = make_customer(owner=agent)
    gone = discarded.pk
    assert customer_merged_into(customer_id=gone) is None

    customers_merge(survivor=survivor, discarded=discarded, by=agent)
    assert customer_merged_into(customer_id=gone) == survivor.pk

    customers_merge(survivor=third, discarded=survivor, by=agent)  # a chain: followed to the end
    assert customer_merged_into(customer_id=gone) == third.pk
    assert customer_merged_into(customer_id=third.pk) is None


def test_the_merge_appears_on_the_survivors_timeline(agent):
    survivor, discarded = _pair(agent)
    customers_merge(survivor=survivor, discarded=discarded, by=agent, reason="Duplicate from the shop import")
    page = timeline_page(customer_id=survivor.pk, user_table=USERS, kinds={"merge"})
    [entry] = page.entries
    assert (entry.title, entry.body, entry.actor) == ("Ada Lovelace", "Duplicate from the shop import", "agent")


# --- refusals -------------------------------------------------------------------------------------------------


def test_a_customer_cannot_be_merged_with_itself(agent):
    customer = make_customer(owner=agent)
    with pytest.raises(RapportError) as err:
        customers_merge(survivor=customer, discarded=customer, by=agent)
    assert err.value.field == "discard"


def test_a_person_and_an_organisation_are_not_merged(agent):
    person = make_customer(owner=agent)
    organisation = make_customer(owner=agent, kind="organisation", organisation_name="Acme")
    with pytest.raises(RapportError, match="organisation"):
        customers_merge(survivor=organisation, discarded=person, by=agent)
    assert Customer.objects.filter(pk=person.pk).exists()


def test_an_already_merged_customer_cannot_be_merged_again(agent):
    survivor, discarded = _pair(agent)
    other = make_customer(owner=agent)
    customers_merge(survivor=survivor, discarded=discarded, by=agent)
    with pytest.raises(MergeConflictError):
        customers_merge(survivor=other, discarded=discarded, by=agent)


def test_an_agent_cannot_merge_a_customer_of_another_team(agent, stranger):
    mine = make_customer(owner=agent)
    theirs = make_customer(owner=stranger)
    with pytest.raises(NotFoundError):
        customers_merge(survivor=mine, discarded=theirs, by=agent)
    with pytest.raises(NotFoundError):
        customers_merge(survivor=theirs, discarded=mine, by=agent)
    assert Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2


def test_a_read_only_user_cannot_merge_or_undo(agent, reader):
    survivor, discarded = _pair(agent)
    with pytest.raises(PermissionDeniedError):
        customers_merge(survivor=survivor, discarded=discarded, by=reader)
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)
    with pytest.raises(PermissionDeniedError):
        customer_merge_undo(merge=merge, by=reader)


def test_an_agent_cannot_undo_a_merge_of_another_team(agent, stranger):
    survivor, discarded = _pair(agent)
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)
    with pytest.raises(NotFoundError):
        customer_merge_undo(merge=merge, by=stranger)
    with pytest.raises(Http404):
        customer_merge_get(user=stranger, pk=merge.pk)
    assert customer_merge_get(user=agent, pk=merge.pk) == merge


# --- undo ---------------------------------------------------------------------------------------------------


def test_undo_restores_the_discarded_customer_with_its_id(agent):
    survivor, discarded = _pair(agent)
    _everything_on(discarded, agent)
    before = Customer.objects.get(pk=discarded.pk)
    dropped = ContactPoint.objects.get(customer=discarded, normalized="ada@example.com")
    counts = {r.key: r.model._base_manager.filter(**{r.field: discarded.pk}).count() for r in registered_relations()}
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)

    restored = customer_merge_undo(merge=merge, by=agent)

    assert restored.pk == before.pk
    for name in ("display_name", "first_name", "city", "attributes", "owner_id", "team_id", "created_at",
                 "primary_email", "primary_phone"):
        assert getattr(restored, name) == getattr(before, name), name
    assert restored.version > before.version
    after = {r.key: r.model._base_manager.filter(**{r.field: restored.pk}).count() for r in registered_relations()}
    assert after == counts
    back = ContactPoint.objects.get(pk=dropped.pk)
    assert (back.customer_id, back.is_primary, back.created_at) == (restored.pk, True, dropped.created_at)
    assert sorted(restored.tags.values_list("name", flat=True)) == ["newsletter", "vip"]
    merge.refresh_from_db()
    assert merge.undone_by == agent and merge.undone_at is not None
    assert customer_merged_into(customer_id=restored.pk) is None
    assert list(search(Customer.objects.all(), "ada@work.example")) == [restored]


def test_undo_gives_the_survivor_back_its_own_records_and_fields(agent):
    survivor, discarded = _pair(agent)
    own = {r.key: r.model._base_manager.filter(**{r.field: survivor.pk}).count() for r in registered_relations()}
    consent_record(customer=survivor, channel="email", status="granted")
    consent_record(customer=discarded, channel="email", status="withdrawn")
    own["customers.Consent"] = 1
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)

    customer_merge_undo(merge=merge, by=agent)

    survivor.refresh_from_db()
    assert {r.key: r.model._base_manager.filter(**{r.field: survivor.pk}).count()
            for r in registered_relations()} == own
    assert Consent.objects.get(customer=survivor).status == "granted"
    assert survivor.city == "" and survivor.attributes == {}
    assert survivor.primary_email == "ada@example.com"
    assert ContactPoint.objects.filter(customer=survivor, is_primary=True).count() == 2


def test_rows_added_to_the_survivor_after_the_merge_stay_on_it(agent):
    survivor, discarded = _pair(agent)
    note_add(customer=discarded, body="Before")
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)
    after = note_add(customer=survivor, body="After")

    restored = customer_merge_undo(merge=merge, by=agent)

    assert list(Note.objects.filter(customer=restored).values_list("body", flat=True)) == ["Before"]
    assert Note.objects.get(pk=after.pk).customer_id == survivor.pk


def test_undo_keeps_a_filled_field_someone_changed_since(agent):
    survivor, discarded = _pair(agent)
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)
    survivor.refresh_from_db()
    customer_update(customer=survivor, data={"city": "Penang"})

    customer_merge_undo(merge=merge, by=agent)

    survivor.refresh_from_db()
    assert survivor.city == "Penang" and survivor.attributes == {}


def test_a_second_undo_is_refused(agent):
    survivor, discarded = _pair(agent)
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)
    customer_merge_undo(merge=merge, by=agent)
    with pytest.raises(MergeConflictError):
        customer_merge_undo(merge=merge, by=agent)


def test_a_merge_whose_survivor_was_merged_away_is_undone_after_the_later_one(agent):
    first, second = _pair(agent)
    third = make_customer(owner=agent)
    earlier = customers_merge(survivor=first, discarded=second, by=agent)
    later = customers_merge(survivor=third, discarded=first, by=agent)
    assert CustomerMerge.objects.get(pk=earlier.pk).survivor_id == first.pk  # history stays true

    with pytest.raises(MergeConflictError, match="undo that merge first"):
        customer_merge_undo(merge=earlier, by=agent)
    customer_merge_undo(merge=later, by=agent)
    restored = customer_merge_undo(merge=earlier, by=agent)

    assert restored.pk == second.pk
    assert ExternalIdentifier.objects.get(external_id="C-9").customer_id == second.pk
    assert ExternalIdentifier.objects.get(external_id="S-1").customer_id == first.pk


def test_deleting_the_survivor_deletes_the_records_of_what_it_absorbed(agent):
    survivor, discarded = _pair(agent)
    customers_merge(survivor=survivor, discarded=discarded, by=agent)
    customer_delete(customer=survivor)
    assert not CustomerMerge.objects.exists()


def test_the_merges_of_a_customer_list_both_sides(agent):
    survivor, discarded = _pair(agent)
    merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)
    restored = customer_merge_undo(merge=merge, by=agent)
    assert list(customer_merges_of(customer=survivor)) == [merge]
    assert list(customer_merges_of(customer=restored)) == [merge]


# --- cost ---------------------------------------------------------------------------------------------------


def _with_orders(agent, n):
    survivor, discarded = _pair(agent, n=f"-{n}")
    _everything_on(discarded, agent)
    now = timezone.now()
    Order.objects.bulk_create(
        Order(customer=discarded, currency="MYR", total=Decimal("1.00"), placed_at=now - timedelta(days=i))
        for i in range(n)
    )
    contact_point_add(customer=discarded, kind="email", value="more@example.com")
    customer_add_tags(customer=discarded, names=["late"])
    return survivor, discarded


def _queries(agent, orders):
    survivor, discarded = _with_orders(agent, orders)
    with CaptureQueriesContext(connection) as merging:
        merge = customers_merge(survivor=survivor, discarded=discarded, by=agent)
    with CaptureQueriesContext(connection) as undoing:
        customer_merge_undo(merge=merge, by=agent)
    assert Order.objects.filter(customer_id=discarded.pk).count() == orders + 1
    return len(merging.captured_queries), len(undoing.captured_queries)


def test_a_merge_and_its_undo_cost_the_same_few_queries_for_1_or_500_orders(agent):
    few = _queries(agent, 1)
    many = _queries(agent, 500)
    assert few == many
    assert few[0] <= 75 and few[1] <= 75
