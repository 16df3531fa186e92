from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.customers.choices import LifecycleStage


class LifecycleChange(models.Model):
    """One move of a customer between lifecycle stages, with who or what moved it and why."""

    access_paths = AccessPaths(owner="customer__owner", team="customer__team")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="lifecycle_changes", verbose_name=_("customer"),
        db_index=False,
    )
    from_stage = models.CharField(_("from"), max_length=16, choices=LifecycleStage.choices, blank=True, default="")
    to_stage = models.CharField(_("to"), max_length=16, choices=LifecycleStage.choices)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("lifecycle change")
        verbose_name_plural = _("lifecycle changes")
        indexes = [
            models.Index(fields=["customer", "-changed_at"], name="lifecycle_customer_idx"),
            models.Index(fields=["-changed_at"], name="lifecycle_changed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_stage} → {self.to_stage}"
