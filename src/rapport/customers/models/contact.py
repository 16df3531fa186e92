from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import TimeStampedModel


class Contact(TimeStampedModel):
    """A contact person at an organisation customer."""

    access_paths = AccessPaths(owner="organisation__owner", team="organisation__team")

    organisation = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation"),
        db_index=False,
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=120, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        indexes = [models.Index(fields=["organisation", "last_name"], name="contact_org_idx")]

    def __str__(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)
