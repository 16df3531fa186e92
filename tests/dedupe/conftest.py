"""Fixtures for the duplicate tests: customers made through the services, in two teams."""

from __future__ import annotations

import pytest

from tests.factories import make_customer, make_user


@pytest.fixture
def twins(agent):
    """The same woman entered twice: once in Latin letters, once in Persian, with the phone written otherwise."""
    first = make_customer(owner=agent, first_name="Maryam", last_name="Hosseini", emails=["maryam.h@gmail.com"],
                          phones=["+98 912 345 6789"], country="IR")
    second = make_customer(owner=agent, first_name="مریم", last_name="حسینی", emails=["Maryam.H@gmail.com"],
                           phones=["0912 345 6789"], country="IR")
    return first, second


@pytest.fixture
def other_twins(agent):
    first = make_customer(owner=agent, first_name="Piotr", last_name="Nowak", emails=["piotr.nowak@wp.pl"],
                          country="PL")
    second = make_customer(owner=agent, first_name="Nowak", last_name="Piotr", emails=["Piotr.Nowak@wp.pl"],
                           country="PL")
    return first, second


@pytest.fixture
def stranger(other_team):
    return make_user(role="agent", team=other_team, username="stranger")


@pytest.fixture
def reader(team):
    return make_user(role="read_only", team=team, username="reader")
