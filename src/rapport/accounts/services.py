from __future__ import annotations

from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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


def user_update_preferences(*, user: User, language: str | None = None, time_zone: str | None = None) -> User:
    """The person's own settings: the language the pages speak and the zone times are shown in."""
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("Choose one of the offered languages.")})
        user.language = language
    if time_zone is not None:
        if time_zone and time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("%(zone)s is not a known time zone.") % {"zone": time_zone}})
        user.time_zone = time_zone
    user.save(update_fields=["language", "time_zone"])
    return user
