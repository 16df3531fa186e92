from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import SourcedModel, TimeStampedModel
from rapport.core.money import CurrencyField, amount_field, to_amount
from rapport.sales.choices import OpportunityStatus


class Opportunity(TimeStampedModel, SourcedModel):
    """A possible sale to a customer, moving through the stages of a pipeline."""

    access_paths = AccessPaths(owner="owner", team="team")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="opportunities", verbose_name=_("customer"),
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=200)
    pipeline = models.ForeignKey(
        "sales.Pipeline", on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("pipeline"),
        db_index=False,
    )
    stage = models.ForeignKey(
        "sales.Stage", on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage"), db_index=False,
    )
    amount = amount_field(_("amount"), default=0)
    currency = CurrencyField()
    probability = models.PositiveSmallIntegerField(
        _("probability"), default=0, validators=[MaxValueValidator(100)], help_text=_("Per cent")
    )
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_opportunities", db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="opportunities", db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=8, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason won or lost"), max_length=300, blank=True, default="")
    # Optimistic concurrency: an edit or a move carries the version it started from and is refused if stale.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="opportunity_probability_max_100"),
        ]
        indexes = [
            # Board: the aggregate per stage, the open cards by expected close, the closed cards newest first.
            models.Index(fields=["pipeline", "stage", "status"], name="opp_board_idx"),
            models.Index(fields=["stage", "expected_close", "id"], name="opp_stage_close_idx"),
            models.Index(fields=["stage", "-closed_at", "-id"], name="opp_stage_closed_idx"),
            # Lists and forecasts, whole-company, per owner and per team.
            models.Index(fields=["status", "expected_close", "id"], name="opp_status_close_idx"),
            models.Index(fields=["status", "closed_at"], name="opp_status_closed_idx"),
            models.Index(fields=["owner", "status", "expected_close"], name="opp_owner_idx"),
            models.Index(fields=["team", "status", "expected_close"], name="opp_team_idx"),
            models.Index(fields=["name", "id"], name="opp_name_idx"),
            models.Index(fields=["amount", "id"], name="opp_amount_idx"),
            models.Index(fields=["expected_close", "id"], name="opp_close_idx"),
            models.Index(fields=["-created_at", "-id"], name="opp_created_idx"),
            # The customer's timeline (customers.timeline walks (customer, at DESC, id DESC)).
            models.Index(fields=["customer", "-created_at", "-id"], name="opp_timeline_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_amount(self) -> Decimal:
        return to_amount(Decimal(self.amount) * self.probability / 100)

    @property
    def is_open(self) -> bool:
        return self.status == OpportunityStatus.OPEN


class OpportunityStageChange(models.Model):
    """One move of an opportunity between stages: who moved it, when, and why (for won and lost)."""

    access_paths = AccessPaths(owner="opportunity__owner", team="opportunity__team")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("opportunity"),
        db_index=False,
    )
    from_stage = models.ForeignKey(
        "sales.Stage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("from")
    )
    to_stage = models.ForeignKey(
        "sales.Stage", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("to")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["opportunity", "-changed_at", "-id"], name="opp_stage_change_idx")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"
