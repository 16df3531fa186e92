from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import TimeStampedModel


class Note(TimeStampedModel):
    access_paths = AccessPaths(owner="customer__owner", team="customer__team")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="notes", verbose_name=_("customer"),
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="notes",
    )
    body = models.TextField(_("note"))

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["customer", "-created_at", "-id"], name="note_timeline_idx")]

    def __str__(self) -> str:
        return self.body[:60]
