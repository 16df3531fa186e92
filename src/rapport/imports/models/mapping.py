from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.models import TimeStampedModel


class ImportMapping(TimeStampedModel):
    """The column mapping last used for one entity from one source system, offered again next time."""

    source = models.CharField(_("source system"), max_length=64)
    entity = models.CharField(_("entity"), max_length=32)
    # {"Column header as in the file": "field name"}; an empty field name means "ignore this column".
    mapping = models.JSONField(_("mapping"), default=dict)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [models.UniqueConstraint(fields=["source", "entity"], name="importmapping_unique")]

    def __str__(self) -> str:
        return f"{self.source}/{self.entity}"
