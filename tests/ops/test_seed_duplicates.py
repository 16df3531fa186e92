import pytest

from rapport.customers.models import Customer
from rapport.dedupe.models import DuplicatePair
from rapport.dedupe.services import dedupe_run
from rapport.ops.seed_duplicates import SOURCE, seed_demo_duplicates
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_demo_gets_customers_recorded_twice_that_the_search_pairs(team):
    agent = make_user(role="agent", team=team)
    made = seed_demo_duplicates(records=60, seed=3)
    assert made == Customer.objects.filter(source=SOURCE).count() == 60
    assert set(Customer.objects.values_list("owner", flat=True)) == {agent.pk}
    dedupe_run()
    assert DuplicatePair.objects.count() >= 5
