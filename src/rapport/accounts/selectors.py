from django.db.models import QuerySet

from rapport.accounts.models import Team, User


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def user_list_active() -> QuerySet[User]:
    return User.objects.filter(is_active=True).select_related("team").order_by("username")


def assignable_owners(*, user: User) -> QuerySet[User]:
    """The people ``user`` may hand customers to: everyone for an all-seeing role, else their own team."""
    people = user_list_active()
    if user.visibility_scope == "all" or user.is_superuser:
        return people
    if user.team_id is None:
        return people.filter(pk=user.pk)
    return people.filter(team_id=user.team_id)
