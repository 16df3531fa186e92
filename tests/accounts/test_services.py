import pytest

from rapport.accounts.services import user_create
from rapport.core.access import SCOPE_ALL, SCOPE_OWN, SCOPE_TEAM

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "scope", "writes"),
    [("admin", SCOPE_ALL, True), ("analyst", SCOPE_ALL, False), ("manager", SCOPE_TEAM, True),
     ("read_only", SCOPE_TEAM, False), ("agent", SCOPE_OWN, True)],
)
def test_each_role_has_its_visibility_and_write_rights(team, role, scope, writes):
    user = user_create(username=f"u-{role}", role=role, team=team)
    assert user.visibility_scope == scope
    assert user.can_write is writes


def test_an_administrator_may_use_the_admin_site():
    user = user_create(username="root2", role="admin", password="x-long-password")
    assert user.is_staff and user.is_superuser and user.check_password("x-long-password")


def test_a_user_without_password_cannot_sign_in():
    assert not user_create(username="nopass").has_usable_password()
