import pytest

from tests.factories import make_team, make_user


@pytest.fixture
def team(db):
    return make_team("North")


@pytest.fixture
def other_team(db):
    return make_team("South")


@pytest.fixture
def admin_user(db):
    return make_user(role="admin", username="boss")


@pytest.fixture
def agent(team):
    return make_user(role="agent", team=team, username="agent")


@pytest.fixture
def manager(team):
    return make_user(role="manager", team=team, username="manager")


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in another language leaves that language active in the thread (LocaleMiddleware activates it and
    nothing deactivates it); the next test's messages would then be in Malay or Hebrew."""
    from django.utils import translation

    yield
    translation.deactivate()
