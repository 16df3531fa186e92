"""The warning before creating a customer: index lookups only, scored like the nightly run."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.dedupe.check import likely_duplicates
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def maryam(agent):
    return make_customer(owner=agent, first_name="Maryam", last_name="Hosseini", emails=["maryam.h@gmail.com"],
                        phones=["+98 912 345 6789"], country="IR", birth_date=date(1988, 4, 2))


def test_the_same_email_in_other_case_is_found(agent, maryam):
    found = likely_duplicates(user=agent, first_name="Maryam", last_name="Hosseini", email="Maryam.H@Gmail.com")
    assert [c.customer for c in found] == [maryam]
    assert found[0].probability >= 0.9
    assert "Same e-mail address" in [e["text"] for e in found[0].evidence]


def test_a_phone_written_otherwise_and_a_name_in_persian_are_found(agent, maryam):
    found = likely_duplicates(user=agent, first_name="مریم", last_name="حسینی", phone="0912 345 6789",
                              country="IR")
    assert [c.customer for c in found] == [maryam]
    assert {"name_sounds_alike", "phone_exact"} <= {e["level"] for e in found[0].evidence}


def test_a_name_and_birth_date_are_found_through_the_name_index(agent, maryam):
    found = likely_duplicates(user=agent, first_name="maryam", last_name="hosseini", birth_date=date(1988, 4, 2))
    assert [c.customer for c in found] == [maryam]


def test_a_swapped_name_is_found(agent, maryam):
    found = likely_duplicates(user=agent, first_name="Hosseini", last_name="Maryam", email="maryam.h@gmail.com")
    assert [c.customer for c in found] == [maryam]


def test_someone_else_with_the_same_name_is_not_a_likely_duplicate(agent, maryam):
    assert likely_duplicates(user=agent, first_name="Maryam", last_name="Hosseini",
                             email="m.hosseini@yahoo.com", birth_date=date(1990, 1, 1)) == []


def test_customers_the_user_may_not_see_are_never_named(maryam, stranger):
    assert likely_duplicates(user=stranger, first_name="Maryam", last_name="Hosseini",
                             email="maryam.h@gmail.com") == []


def test_nothing_to_look_up_finds_nothing(agent, maryam):
    assert likely_duplicates(user=agent) == []


def test_the_check_reads_a_bounded_number_of_queries(agent, maryam):
    for n in range(30):
        make_customer(owner=agent, first_name="Maryam", last_name=f"Hosseini{n}", emails=[f"m{n}@example.com"])
    with CaptureQueriesContext(connection) as queries:
        likely_duplicates(user=agent, first_name="Maryam", last_name="Hosseini", email="maryam.h@gmail.com",
                          phone="+989123456789")
    # e-mail, phone, four name prefixes (each in two cases), the candidates, their contact points and
    # addresses, the model's parameters: never one per candidate.
    assert len(queries) <= 16
