from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import TimeStampedModel
from rapport.sales.choices import LeadSource, LeadStatus


class Lead(TimeStampedModel):
    """Someone who may become a customer; converted into a customer and an opportunity once qualified."""

    access_paths = AccessPaths(owner="owner", team="team")

    first_name = models.CharField(_("first name"), max_length=100, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=100, blank=True, default="")
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True, default="")
    # Kept by the services from the fields above: the list sorts on one indexed column.
    display_name = models.CharField(_("name"), max_length=200, editable=False, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    disqualify_reason = models.CharField(_("disqualification reason"), max_length=300, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_leads", db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="leads", db_index=False,
    )
    converted_customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("converted into customer"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="converted_leads",
    )
    converted_opportunity = models.ForeignKey(
        "sales.Opportunity", verbose_name=_("converted into opportunity"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="converted_leads",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            # The list: newest first or by name, optionally per status, narrowed by owner or team.
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_created_idx"),
            models.Index(fields=["owner", "status", "-created_at", "-id"], name="lead_owner_idx"),
            models.Index(fields=["team", "status", "-created_at", "-id"], name="lead_team_idx"),
            models.Index(fields=["display_name", "id"], name="lead_name_idx"),
            models.Index(fields=["email"], name="lead_email_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email or f"#{self.pk}"

    @staticmethod
    def compose_display_name(first_name: str, last_name: str, organisation_name: str) -> str:
        person = " ".join(p for p in (first_name.strip(), last_name.strip()) if p)
        organisation = organisation_name.strip()
        if person and organisation:
            return f"{person} ({organisation})"
        return person or organisation
