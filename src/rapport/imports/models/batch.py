"""One import run (a batch) and its committed chunks: what makes an import resumable and reversible.

See docs/decisions/0009-import-batches.md: every chunk of rows is written and recorded in one transaction,
with the id ranges of the rows it created and the before-image of the rows it changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Stopped by an error")
    REJECTED = "rejected", _("Rejected as a whole")
    ROLLED_BACK = "rolled_back", _("Rolled back")


RESUMABLE = frozenset({BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.FAILED})
ROLLBACKABLE = frozenset({BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.RUNNING})


class ImportBatch(models.Model):
    # A batch is seen by whoever started it, their team's managers and the administrators.
    access_paths = AccessPaths(owner="user", team="user__team")

    entity = models.CharField(_("entity"), max_length=32)
    source = models.CharField(_("source system"), max_length=64)
    filename = models.CharField(_("file name"), max_length=255)
    # Where the file is kept (uploads are stored under the var directory) so the batch can be resumed.
    file_path = models.CharField(_("file path"), max_length=1000, blank=True, default="")
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    file_format = models.CharField(_("format"), max_length=8, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    # Reading and matching options (encoding, delimiter, create_missing, match_email, strict, region, ...).
    options = models.JSONField(_("options"), default=dict, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    rows_total = models.PositiveBigIntegerField(_("rows (estimate)"), null=True, blank=True)
    rows_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    created = models.PositiveBigIntegerField(_("created"), default=0)
    updated = models.PositiveBigIntegerField(_("updated"), default=0)
    unchanged = models.PositiveBigIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveBigIntegerField(_("rejected"), default=0)
    # Side effects beside the entity's own rows, e.g. {"customers_created": 3} with --create-missing.
    extra = models.JSONField(_("other changes"), default=dict, blank=True)
    report_path = models.CharField(_("report"), max_length=1000, blank=True, default="")
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        indexes = [models.Index(fields=["-created_at", "-id"], name="importbatch_recent_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.entity} {self.filename}"

    @property
    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected}


class ImportChunk(models.Model):
    """One committed slice of a batch, written in the same transaction as the rows it describes."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("batch"), db_index=False,
    )
    number = models.PositiveIntegerField(_("number"))
    rows = models.PositiveIntegerField(_("rows"))  # data rows consumed by this chunk, good and bad
    rows_before = models.PositiveBigIntegerField(_("rows before"))  # rows consumed by the earlier chunks
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # {db_table: [first id, last id]}: the bulk writer hands out contiguous ids, so a range per table says
    # exactly which rows this chunk created (ids are never reused, see rapport.imports.writes).
    created_ids = models.JSONField(_("created ids"), default=dict)
    # {db_table: {"columns": [...], "rows": [[id, value, ...], ...]}} for the rows it changed, and the same
    # shape under "deleted" for rows it removed (an order's replaced lines): what a rollback puts back.
    before = models.JSONField(_("before-image"), default=dict)
    report_bytes = models.PositiveBigIntegerField(_("report size"), default=0)
    extra = models.JSONField(_("other changes"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("committed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import chunk")
        verbose_name_plural = _("import chunks")
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="importchunk_unique_number")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.number}"
