"""What a customer record holds besides its own columns: contact points, addresses, ids, consent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import SourcedModel, TimeStampedModel
from rapport.customers.choices import AddressKind, ConsentChannel, ConsentStatus, ContactPointKind

_customer_paths = AccessPaths(owner="customer__owner", team="customer__team")


class ContactPoint(TimeStampedModel, SourcedModel):
    """An e-mail address or a phone number; a customer may have several of each."""

    access_paths = _customer_paths

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="contact_points", verbose_name=_("customer"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ContactPointKind.choices)
    value = models.CharField(_("value"), max_length=254)
    # Lower-cased e-mail or digits-only phone: what matching and search use.
    normalized = models.CharField(_("normalised value"), max_length=254, editable=False, db_index=True)
    label = models.CharField(_("label"), max_length=32, blank=True, default="")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "normalized"], name="contactpoint_unique_value"),
        ]
        # No index of its own on (customer, kind) or customer: the unique constraint's index leads with both.

    def __str__(self) -> str:
        return self.value


class Address(TimeStampedModel, SourcedModel):
    access_paths = _customer_paths

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="addresses", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices, default=AddressKind.HOME)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    region = models.CharField(_("region"), max_length=100, blank=True, default="")
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, blank=True, default="")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.city, self.country) if p)


class ExternalIdentifier(TimeStampedModel):
    """The customer's id in a source system (a shop, a core banking system, a previous CRM)."""

    access_paths = _customer_paths

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("customer")
    )
    source = models.CharField(_("source system"), max_length=64)
    external_id = models.CharField(_("external id"), max_length=128)

    class Meta:
        verbose_name = _("external identifier")
        verbose_name_plural = _("external identifiers")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="identifier_unique_per_source"),
        ]
        indexes = [models.Index(fields=["external_id"], name="identifier_external_id_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class Consent(models.Model):
    """The current consent for one channel; changes are recorded in place with when and where from."""

    access_paths = _customer_paths

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consents", verbose_name=_("customer"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=8, choices=ConsentChannel.choices)
    status = models.CharField(_("status"), max_length=12, choices=ConsentStatus.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=64, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="consent_one_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.status}"
