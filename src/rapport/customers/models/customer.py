from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import SourcedModel, TimeStampedModel
from rapport.customers.choices import CustomerKind, LifecycleStage, RelationshipLevel

country_code_validator = RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO 3166 country code, e.g. MY."))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel, SourcedModel):
    """A person or an organisation the business serves: the one record every touchpoint lands on."""

    access_paths = AccessPaths(owner="owner", team="team")

    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    first_name = models.CharField(_("first name"), max_length=100, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=100, blank=True, default="")
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True, default="")
    # Kept by the services from the fields above: lists sort and search on one indexed column.
    display_name = models.CharField(_("name"), max_length=200, editable=False)
    # The primary e-mail and phone, copied from the contact points so that lists need no join.
    primary_email = models.CharField(_("e-mail"), max_length=254, blank=True, default="", editable=False)
    primary_phone = models.CharField(_("phone"), max_length=32, blank=True, default="", editable=False)

    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    country = models.CharField(
        _("country"), max_length=2, blank=True, default="", validators=[country_code_validator]
    )
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    attributes = models.JSONField(
        _("attributes"), default=dict, blank=True, help_text=_("Preferences and psychographics, free form")
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")

    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=16, choices=LifecycleStage.choices, default=LifecycleStage.PROSPECT
    )
    relationship_level = models.PositiveSmallIntegerField(
        _("relationship level"), choices=RelationshipLevel.choices, default=RelationshipLevel.UTILITY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="owned_customers", db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="customers", db_index=False,
    )
    # Lower-cased name, e-mails, phone digits and external ids, kept by the services: the one column the
    # search index covers (FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL; see docs/decisions/0007).
    search_document = models.TextField(_("search text"), blank=True, default="", editable=False)
    # Optimistic concurrency: an edit carries the version it started from and is refused if stale.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["display_name", "id"], name="customer_name_idx"),
            models.Index(fields=["owner", "display_name", "id"], name="customer_owner_name_idx"),
            models.Index(fields=["team", "display_name", "id"], name="customer_team_name_idx"),
            models.Index(fields=["lifecycle_stage", "display_name", "id"], name="customer_stage_name_idx"),
            models.Index(fields=["-created_at", "-id"], name="customer_created_idx"),
            models.Index(fields=["primary_email"], name="customer_email_idx"),
            models.Index(fields=["primary_phone"], name="customer_phone_idx"),
            models.Index(fields=["country", "city"], name="customer_place_idx"),
            # The list filtered by stage within a scope: both the page (ordered by name) and its capped count
            # read only the index, whatever the table's size.
            models.Index(fields=["team", "lifecycle_stage", "display_name", "id"], name="customer_team_stage_idx"),
            models.Index(fields=["owner", "lifecycle_stage", "display_name", "id"], name="customer_owner_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @staticmethod
    def compose_display_name(kind: str, first_name: str, last_name: str, organisation_name: str) -> str:
        if kind == CustomerKind.ORGANISATION:
            return organisation_name.strip()
        return " ".join(part for part in (first_name.strip(), last_name.strip()) if part)
