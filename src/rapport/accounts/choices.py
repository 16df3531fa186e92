from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.access import SCOPE_ALL, SCOPE_OWN, SCOPE_TEAM


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    ANALYST = "analyst", _("Analyst")
    READ_ONLY = "read_only", _("Read-only")


# Which customers each role sees: all of them, its team's (and its own), or only its own.
ROLE_SCOPE = {
    Role.ADMIN: SCOPE_ALL,
    Role.ANALYST: SCOPE_ALL,
    Role.MANAGER: SCOPE_TEAM,
    Role.READ_ONLY: SCOPE_TEAM,
    Role.AGENT: SCOPE_OWN,
}
WRITING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.AGENT})
