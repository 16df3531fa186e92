import pytest

from rapport.core.access import can_see, can_write, visible_to
from rapport.customers.models import Customer
from rapport.interactions.models import Interaction
from rapport.interactions.services import interaction_log
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(team, other_team):
    """Two teams, each with a manager and two agents, each agent owning one customer."""
    people = {}
    for t in (team, other_team):
        people[t.name] = {
            "manager": make_user(role="manager", team=t),
            "agents": [make_user(role="agent", team=t) for _ in range(2)],
        }
        people[t.name]["customers"] = [make_customer(owner=a) for a in people[t.name]["agents"]]
    return people


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_an_agent_sees_only_own_customers(book):
    agent = book["North"]["agents"][0]
    assert ids(visible_to(agent, Customer.objects.all())) == {book["North"]["customers"][0].pk}


def test_a_manager_sees_the_whole_team_and_nothing_else(book):
    manager = book["North"]["manager"]
    assert ids(visible_to(manager, Customer.objects.all())) == {c.pk for c in book["North"]["customers"]}


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_admins_and_analysts_see_everyone(book, role):
    assert visible_to(make_user(role=role), Customer.objects.all()).count() == 4


def test_inactive_and_anonymous_users_see_nothing(book):
    from django.contrib.auth.models import AnonymousUser

    user = make_user(role="admin")
    user.is_active = False
    assert not visible_to(user, Customer.objects.all()).exists()
    assert not visible_to(AnonymousUser(), Customer.objects.all()).exists()


def test_related_records_follow_their_customer(book):
    mine, theirs = book["North"]["customers"][0], book["South"]["customers"][0]
    for c in (mine, theirs):
        interaction_log(customer=c, channel="email", direction="outbound", subject="hello")
    agent = book["North"]["agents"][0]
    assert {i.customer_id for i in visible_to(agent, Interaction.objects.all())} == {mine.pk}
    assert can_see(agent, mine) and not can_see(agent, theirs)


def test_read_only_and_analyst_roles_cannot_write(team):
    assert can_write(make_user(role="agent", team=team))
    assert not can_write(make_user(role="read_only", team=team))
    assert not can_write(make_user(role="analyst"))


def test_a_model_without_access_paths_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from rapport.accounts.models import Team

    with pytest.raises(ImproperlyConfigured):
        visible_to(make_user(role="admin"), Team.objects.all())
