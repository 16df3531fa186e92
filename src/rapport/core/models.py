"""Abstract model mixins shared by every domain app."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SourcedModel(models.Model):
    """A customer-facing fact remembers where it came from (data rules in the architecture brief)."""

    source = models.CharField(
        _("source"), max_length=64, blank=True, default="", help_text=_("Channel or system the record came from")
    )

    class Meta:
        abstract = True


class BulkJSONField(models.JSONField):
    """A JSON column filled in bulk by Rapport's own code, which builds and tests the texts it writes.

    On SQLite Django guards a JSONField with ``CHECK (JSON_VALID(...))``, which parses every value again on insert:
    on a million analytics scores that was a fifth of the write. PostgreSQL's jsonb validates on its own either way.
    Reads and writes through the ORM behave exactly as for ``JSONField``.
    """

    def db_check(self, connection: Any) -> str | None:
        return None
