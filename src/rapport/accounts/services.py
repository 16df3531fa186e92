from __future__ import annotations

from django.db import transaction

from rapport.accounts.choices import Role
from rapport.accounts.models import Team, User


@transaction.atomic
def team_create(*, name: str) -> Team:
    team = Team(name=name)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    role: str = Role.AGENT,
    team: Team | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> User:
    # Administrators run the Django admin, which checks model permissions: they hold them all.
    is_admin = is_superuser or role == Role.ADMIN
    user = User(
        username=username, role=role, team=team, email=email, first_name=first_name, last_name=last_name,
        is_superuser=is_admin, is_staff=is_admin,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user
