"""The review queue: runs store pairs, decisions are remembered, merges close the pairs they settle."""

from __future__ import annotations

import pytest

from rapport.core.errors import NotFoundError, PermissionDeniedError, RapportError
from rapport.customers.models import Customer
from rapport.dedupe.models import DuplicatePair, PairStatus
from rapport.dedupe.selectors import pair_get, pending_pairs
from rapport.dedupe.services import dedupe_run, pair_mark_not_duplicate, pair_merge
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _pair(a, b) -> DuplicatePair:
    low, high = sorted((a.pk, b.pk))
    return DuplicatePair.objects.get(customer_a_id=low, customer_b_id=high)


def test_a_run_finds_a_duplicate_written_in_another_script(twins, agent):
    make_customer(owner=agent, first_name="Ali", last_name="Karimi", emails=["ali.karimi@chmail.ir"])
    run = dedupe_run(threshold=0.9, by=agent)
    assert run.customers == 3
    assert run.pairs == 1 and run.new_pairs == 1
    assert run.finished_at is not None and run.by == agent
    pair = _pair(*twins)
    assert pair.status == PairStatus.PENDING and pair.run == run
    assert pair.match_probability >= 0.9
    assert {"name_sounds_alike", "email_exact", "phone_exact"} <= {e["level"] for e in pair.evidence}
    assert run.parameters["m_u"]["name"]["name_exact"]


def test_a_rerun_updates_the_probability_of_pending_pairs(twins):
    dedupe_run()
    pair = _pair(*twins)
    DuplicatePair.objects.filter(pk=pair.pk).update(match_probability=0.5)
    second = dedupe_run()
    pair.refresh_from_db()
    assert pair.match_probability >= 0.9 and pair.run == second
    assert second.new_pairs == 0 and DuplicatePair.objects.count() == 1


def test_a_pair_marked_not_duplicate_is_never_proposed_again(twins, agent):
    dedupe_run()
    pair = pair_mark_not_duplicate(pair=_pair(*twins), by=agent)
    assert pair.status == PairStatus.NOT_DUPLICATE and pair.decided_by == agent and pair.decided_at
    dedupe_run()
    pair.refresh_from_db()
    assert pair.status == PairStatus.NOT_DUPLICATE
    assert pending_pairs(agent) == ([], None)


def test_a_pending_pair_no_longer_found_leaves_the_queue(twins):
    dedupe_run()
    _first, second = twins
    Customer.objects.filter(pk=second.pk).update(first_name="Zahra", last_name="Tehrani")
    from rapport.customers.models import ContactPoint
    ContactPoint.objects.filter(customer=second).delete()
    dedupe_run()
    assert not DuplicatePair.objects.exists()


def test_merging_a_pair_keeps_the_survivor_and_closes_the_other_pairs(agent):
    a = make_customer(owner=agent, first_name="Dewi", last_name="Lestari", emails=["dewi@yahoo.co.id"])
    b = make_customer(owner=agent, first_name="Dewi", last_name="Lestari", emails=["Dewi@yahoo.co.id"])
    c = make_customer(owner=agent, first_name="Lestari", last_name="Dewi", emails=["dewi@yahoo.co.id".upper()])
    dedupe_run()
    assert DuplicatePair.objects.filter(status=PairStatus.PENDING).count() == 3
    merge = pair_merge(pair=_pair(a, b), survivor_id=a.pk, by=agent, reason="same person")
    assert merge.survivor_id == a.pk and merge.discarded_id == b.pk
    assert not Customer.objects.filter(pk=b.pk).exists()
    # Every pair naming the discarded customer is gone (kept in the merge record); the survivor's stays.
    remaining = list(DuplicatePair.objects.values_list("customer_a_id", "customer_b_id", "status"))
    assert remaining == [(*sorted((a.pk, c.pk)), PairStatus.PENDING)]


def test_the_survivor_must_be_one_of_the_pair(twins, agent):
    from django.core.exceptions import ValidationError

    dedupe_run()
    with pytest.raises(ValidationError):
        pair_merge(pair=_pair(*twins), survivor_id=999_999, by=agent)


def test_a_decided_pair_cannot_be_merged(twins, agent):
    dedupe_run()
    pair = pair_mark_not_duplicate(pair=_pair(*twins), by=agent)
    with pytest.raises(RapportError):
        pair_merge(pair=pair, survivor_id=twins[0].pk, by=agent)


def test_only_someone_who_sees_both_and_may_write_decides(twins, stranger, reader):
    dedupe_run()
    pair = _pair(*twins)
    with pytest.raises(NotFoundError):
        pair_mark_not_duplicate(pair=pair, by=stranger)
    with pytest.raises(PermissionDeniedError):
        pair_mark_not_duplicate(pair=pair, by=reader)


def test_the_queue_shows_pairs_whose_customers_the_user_sees(twins, other_twins, agent, stranger, admin_user):
    dedupe_run()
    pairs, cursor = pending_pairs(agent)
    assert len(pairs) == 2 and cursor is None
    assert pairs[0].match_probability >= pairs[1].match_probability
    assert pending_pairs(stranger) == ([], None)
    assert len(pending_pairs(admin_user)[0]) == 2
    with pytest.raises(DuplicatePair.DoesNotExist):
        pair_get(stranger, pairs[0].pk)
    assert pair_get(agent, pairs[0].pk) == pairs[0]
    with pytest.raises(DuplicatePair.DoesNotExist):
        pair_get(agent, "nonsense")


def test_the_queue_pages_by_probability(agent, twins, other_twins):
    dedupe_run()
    first, cursor = pending_pairs(agent, size=1)
    assert cursor is not None
    second, end = pending_pairs(agent, cursor=cursor, size=1)
    assert end is None
    assert first[0].pk != second[0].pk
    assert (first[0].match_probability, first[0].pk) >= (second[0].match_probability, second[0].pk)


def test_a_pair_where_one_customer_is_invisible_is_hidden(twins, stranger):
    first, _second = twins
    Customer.objects.filter(pk=first.pk).update(owner=stranger, team=stranger.team)
    dedupe_run()
    assert pending_pairs(stranger) == ([], None)


def test_a_run_over_no_customers_stores_nothing():
    run = dedupe_run()
    assert run.customers == 0 and run.pairs == 0 and run.finished_at is not None
