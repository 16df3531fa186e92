"""Fixtures for the sales suite: the default pipeline, and customers of the agent and of a stranger."""

from __future__ import annotations

import pytest

from rapport.sales.services import pipeline_create
from tests.factories import make_customer, make_user


@pytest.fixture
def pipeline(db):
    return pipeline_create(name="Sales")


@pytest.fixture
def stages(pipeline):
    """The default pipeline's stages by name."""
    return {s.name: s for s in pipeline.stages.all()}


@pytest.fixture
def stranger(other_team):
    return make_user(role="agent", team=other_team, username="stranger")


@pytest.fixture
def mine(agent):
    return make_customer(owner=agent, first_name="Mine")


@pytest.fixture
def theirs(stranger):
    return make_customer(owner=stranger, first_name="Theirs")
