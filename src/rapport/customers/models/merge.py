"""The record of one merge of two customers: enough to tell who merged what, and to undo it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths


class CustomerMerge(models.Model):
    """The discarded customer's row and deleted rows, the moved rows' ids and the survivor's before-image.

    Written by ``rapport.customers.merging``; nothing else changes it but the undo, which sets ``undone_*``.
    """

    # A merge is seen by whoever sees the customer that absorbed the other.
    access_paths = AccessPaths(owner="survivor__owner", team="survivor__team")

    # No database constraint, and the merge deletes the discarded customer with plain SQL: when the survivor
    # is itself merged into a third customer later, this record keeps naming it (the history stays true, and
    # undoing the later merge brings it back with its id). Deleting a customer through the ORM still cascades
    # here, so the snapshots of the customers it absorbed go with it.
    survivor = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, db_constraint=False, related_name="absorbed_merges",
        verbose_name=_("survivor"), db_index=False,
    )
    discarded_id = models.BigIntegerField(_("discarded customer id"), db_index=True)
    discarded_name = models.CharField(_("discarded customer"), max_length=200, blank=True, default="")
    # {"customer": {column: value}, "deleted": {relation key: [rows]}, "demoted": {relation key: [ids]},
    #  "filled": {column: value given to the survivor}}
    discarded_snapshot = models.JSONField(_("discarded record"), default=dict)
    # {relation key (the model label, ".field" unless the field is "customer"): [ids moved to the survivor]}
    moved = models.JSONField(_("moved records"), default=dict)
    # {column: the survivor's value before the merge filled it}
    survivor_before = models.JSONField(_("survivor before the merge"), default=dict)
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merged by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("undone by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        indexes = [
            # The survivor's timeline walks (customer, at DESC, id DESC) like every timeline source.
            models.Index(fields=["survivor", "-merged_at", "-id"], name="merge_timeline_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.discarded_id} → #{self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
