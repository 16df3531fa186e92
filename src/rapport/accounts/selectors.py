from django.db.models import QuerySet

from rapport.accounts.models import Team, User


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def user_list_active() -> QuerySet[User]:
    return User.objects.filter(is_active=True).select_related("team").order_by("username")
