from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import ROLE_SCOPE, WRITING_ROLES, Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    # An IANA zone name such as Asia/Kuala_Lumpur; empty means the server's TIME_ZONE.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # the stubs do not declare it
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def visibility_scope(self) -> str:
        return ROLE_SCOPE[Role(self.role)]

    @property
    def can_write(self) -> bool:
        return self.is_superuser or self.role in WRITING_ROLES

    def __str__(self) -> str:
        return self.get_full_name() or self.username
