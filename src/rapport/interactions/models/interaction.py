from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import SourcedModel, TimeStampedModel
from rapport.interactions.choices import Channel, Direction


class Interaction(TimeStampedModel, SourcedModel):
    """One touchpoint, whatever the channel: the unit of the customer's timeline."""

    access_paths = AccessPaths(owner="customer__owner", team="customer__team")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="interactions", verbose_name=_("customer"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True, default="")
    body = models.TextField(_("body"), blank=True, default="")
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="interactions",
    )
    # What the interaction is about (an order, later a ticket or an opportunity), when anything.
    related_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("concerns type")
    )
    related_id = models.PositiveBigIntegerField(_("concerns id"), null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="interaction_timeline_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="interaction_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"
