"""Writes for pipelines, leads and opportunities. Every function is keyword-only, typed and one transaction.

Opportunities carry a ``version``: an edit or a stage move names the version it started from and is refused
with :class:`StaleEditError` (the customers app's, so the API answers 409 for both) when someone else saved
in between. Closing an opportunity (a won or lost stage) needs a reason; the move is kept in the history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.money import to_amount
from rapport.customers.choices import CustomerKind
from rapport.customers.models import Customer
from rapport.customers.services import StaleEditError, customer_create
from rapport.sales.choices import LeadStatus, OpportunityStatus, StageKind
from rapport.sales.models import Lead, Opportunity, OpportunityStageChange, Pipeline, Stage

__all__ = [
    "DEFAULT_STAGES", "LEAD_EDITABLE_FIELDS", "OPPORTUNITY_EDITABLE_FIELDS", "Conversion", "StageSpec",
    "StaleEditError", "lead_convert", "lead_create", "lead_delete", "lead_disqualify", "lead_qualify",
    "lead_update", "opportunity_create", "opportunity_delete", "opportunity_lose", "opportunity_move",
    "opportunity_update", "opportunity_win", "pipeline_create", "pipeline_default",
]


@dataclass(frozen=True)
class StageSpec:
    name: str
    probability: int
    kind: str = StageKind.OPEN


DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("Qualification", 10),
    StageSpec("Needs analysis", 25),
    StageSpec("Proposal", 50),
    StageSpec("Negotiation", 75),
    StageSpec("Won", 100, StageKind.WON),
    StageSpec("Lost", 0, StageKind.LOST),
)

LEAD_EDITABLE_FIELDS = (
    "first_name", "last_name", "organisation_name", "email", "phone", "source", "status", "notes", "owner", "team",
)
OPPORTUNITY_EDITABLE_FIELDS = (
    "name", "amount", "currency", "probability", "expected_close", "owner", "team", "source", "close_reason",
)


def _stale() -> StaleEditError:
    return StaleEditError(
        _("Someone else changed this opportunity after you opened it. Reload to see their changes."),
        field="version",
    )


# --- Pipelines --------------------------------------------------------------------------------------------


@transaction.atomic
def pipeline_create(
    *, name: str, stages: Sequence[StageSpec] | None = None, is_default: bool | None = None
) -> Pipeline:
    """A pipeline with ``stages`` in the order given (the usual six when none are given).

    The first pipeline becomes the default unless told otherwise; a new default replaces the old one.
    """
    specs = list(stages) if stages else list(DEFAULT_STAGES)
    if not any(s.kind == StageKind.OPEN for s in specs):
        raise ValidationError({"stages": _("A pipeline needs at least one open stage.")})
    if len({s.name.strip() for s in specs}) != len(specs):
        raise ValidationError({"stages": _("Two stages have the same name.")})
    if is_default is None:
        is_default = not Pipeline.objects.filter(is_default=True).exists()
    pipeline = Pipeline(name=name.strip(), is_default=bool(is_default))
    if pipeline.is_default:
        # Before validating: the one-default constraint would otherwise refuse the new default.
        Pipeline.objects.filter(is_default=True).update(is_default=False)
    pipeline.full_clean()
    pipeline.save()
    built = [
        Stage(pipeline=pipeline, name=s.name.strip(), position=i, probability=s.probability, kind=s.kind)
        for i, s in enumerate(specs)
    ]
    for stage in built:
        stage.full_clean(exclude=["pipeline"])
    Stage.objects.bulk_create(built)
    return pipeline


def pipeline_default() -> Pipeline:
    """The default pipeline, created with the usual stages when there is none yet."""
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.order_by("id").first()
    return pipeline or pipeline_create(name=str(_("Sales")), is_default=True)


# --- Leads ------------------------------------------------------------------------------------------------


def _check_lead(lead: Lead) -> None:
    lead.display_name = Lead.compose_display_name(lead.first_name, lead.last_name, lead.organisation_name)[:200]
    if not lead.display_name:
        raise ValidationError({"last_name": _("A lead needs a name or an organisation.")})
    if lead.status == LeadStatus.DISQUALIFIED and not lead.disqualify_reason.strip():
        raise ValidationError({"reason": _("Say why the lead is disqualified.")})
    lead.full_clean()


@transaction.atomic
def lead_create(
    *,
    first_name: str = "",
    last_name: str = "",
    organisation_name: str = "",
    email: str = "",
    phone: str = "",
    source: str = "",
    notes: str = "",
    owner: Any = None,
    team: Any = None,
) -> Lead:
    lead = Lead(
        first_name=first_name.strip(), last_name=last_name.strip(), organisation_name=organisation_name.strip(),
        email=email.strip(), phone=phone.strip(), source=source, notes=notes, owner=owner,
        team=team if team is not None else getattr(owner, "team", None),
    )
    _check_lead(lead)
    lead.save()
    return lead


def _refuse_converted(lead: Lead) -> None:
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": _("This lead is converted already; change the customer instead.")})


@transaction.atomic
def lead_update(*, lead: Lead, data: Mapping[str, Any]) -> Lead:
    unknown = set(data) - set(LEAD_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    _refuse_converted(lead)
    if data.get("status") == LeadStatus.CONVERTED:
        raise ValidationError({"status": _("Convert a lead with the conversion, not by setting its status.")})
    for name, value in data.items():
        setattr(lead, name, value.strip() if isinstance(value, str) and name != "notes" else value)
    _check_lead(lead)
    lead.save()
    return lead


@transaction.atomic
def lead_qualify(*, lead: Lead) -> Lead:
    _refuse_converted(lead)
    lead.status = LeadStatus.QUALIFIED
    lead.disqualify_reason = ""
    lead.save(update_fields=["status", "disqualify_reason", "updated_at"])
    return lead


@transaction.atomic
def lead_disqualify(*, lead: Lead, reason: str) -> Lead:
    _refuse_converted(lead)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lead is disqualified.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason to 300 characters.")})
    lead.status = LeadStatus.DISQUALIFIED
    lead.disqualify_reason = reason
    lead.save(update_fields=["status", "disqualify_reason", "updated_at"])
    return lead


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    customer: Customer
    opportunity: Opportunity


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    customer: Customer | None = None,
    opportunity_name: str = "",
    amount: Decimal | str | int = Decimal("0.00"),
    currency: str,
    pipeline: Pipeline | None = None,
    expected_close: date | None = None,
    by: Any = None,
) -> Conversion:
    """Turn the lead into a customer (a new one, or ``customer`` when it is already known) and an opportunity."""
    _refuse_converted(lead)
    if lead.status == LeadStatus.DISQUALIFIED:
        raise ValidationError({"status": _("Qualify the lead again before converting it.")})
    owner = lead.owner or (by if getattr(by, "pk", None) else None)
    if customer is None:
        is_org = bool(lead.organisation_name) and not (lead.first_name or lead.last_name)
        customer = customer_create(
            kind=CustomerKind.ORGANISATION if is_org else CustomerKind.PERSON,
            first_name="" if is_org else lead.first_name,
            last_name="" if is_org else lead.last_name,
            organisation_name=lead.organisation_name,
            emails=[lead.email] if lead.email else [], phones=[lead.phone] if lead.phone else [],
            source="lead", owner=owner, team=lead.team or getattr(owner, "team", None),
        )
    opportunity = opportunity_create(
        customer=customer, name=opportunity_name.strip() or lead.display_name, amount=amount, currency=currency,
        pipeline=pipeline, expected_close=expected_close, owner=owner, team=lead.team or customer.team,
        source="lead", by=by,
    )
    lead.status = LeadStatus.CONVERTED
    lead.converted_customer = customer
    lead.converted_opportunity = opportunity
    lead.converted_at = timezone.now()
    lead.save(update_fields=[
        "status", "converted_customer", "converted_opportunity", "converted_at", "updated_at",
    ])
    return Conversion(lead=lead, customer=customer, opportunity=opportunity)


@transaction.atomic
def lead_delete(*, lead: Lead) -> None:
    lead.delete()


# --- Opportunities ----------------------------------------------------------------------------------------


def _status_for(stage: Stage) -> str:
    return {StageKind.WON: OpportunityStatus.WON, StageKind.LOST: OpportunityStatus.LOST}.get(
        StageKind(stage.kind), OpportunityStatus.OPEN
    )


def _closing_reason(stage: Stage, reason: str) -> str:
    reason = reason.strip()
    if stage.kind != StageKind.OPEN and not reason:
        message = _("Say why the opportunity was won.") if stage.kind == StageKind.WON else _(
            "Say why the opportunity was lost."
        )
        raise ValidationError({"reason": message})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason to 300 characters.")})
    return reason


@transaction.atomic
def opportunity_create(
    *,
    customer: Customer,
    name: str,
    currency: str,
    amount: Decimal | str | int = Decimal("0.00"),
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    probability: int | None = None,
    expected_close: date | None = None,
    owner: Any = None,
    team: Any = None,
    source: str = "",
    reason: str = "",
    by: Any = None,
) -> Opportunity:
    """A new opportunity, in ``stage`` (default: the pipeline's first open stage).

    The pipeline defaults to the default pipeline, the probability to the stage's, the owner to the
    customer's account manager and the team to the customer's team. Created straight into a won or lost
    stage (old deals imported), it needs a ``reason`` like any close.
    """
    if stage is not None:
        if pipeline is not None and stage.pipeline_id != pipeline.pk:
            raise ValidationError({"stage": _("This stage belongs to another pipeline.")})
        pipeline = stage.pipeline
    pipeline = pipeline or pipeline_default()
    if stage is None:
        stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id").first()
        if stage is None:
            raise ValidationError({"pipeline": _("This pipeline has no open stage.")})
    reason = _closing_reason(stage, reason)
    status = _status_for(stage)
    opportunity = Opportunity(
        customer=customer, name=name.strip(), pipeline=pipeline, stage=stage, amount=to_amount(amount),
        currency=currency.strip().upper(), probability=stage.probability if probability is None else probability,
        expected_close=expected_close, owner=owner if owner is not None else customer.owner,
        team=team if team is not None else customer.team, source=source, status=status,
        closed_at=timezone.now() if status != OpportunityStatus.OPEN else None, close_reason=reason,
    )
    opportunity.full_clean()
    opportunity.save()
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage=None, to_stage=stage, changed_by=by if getattr(by, "pk", None) else None,
        reason=reason,
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *, opportunity: Opportunity, data: Mapping[str, Any], expected_version: int | None = None, by: Any = None
) -> Opportunity:
    """Change the given fields; the stage moves only through :func:`opportunity_move`."""
    unknown = set(data) - set(OPPORTUNITY_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    for name, value in data.items():
        if name == "amount":
            value = to_amount(value)
        elif name == "currency" and isinstance(value, str):
            value = value.strip().upper()
        elif name == "name" and isinstance(value, str):
            value = value.strip()
        setattr(opportunity, name, value)
    opportunity.full_clean()
    current = expected_version if expected_version is not None else opportunity.version
    fields = {name: getattr(opportunity, name) for name in data}
    updated = Opportunity.objects.filter(pk=opportunity.pk, version=current).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise _stale()
    opportunity.refresh_from_db()
    return opportunity


@transaction.atomic
def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: Stage,
    expected_version: int | None = None,
    by: Any = None,
    reason: str = "",
) -> Opportunity:
    """Move to ``stage`` (of this or another pipeline), taking its probability; won and lost need a reason.

    The move is conditional on the version, so two people dragging the same card cannot both win: the
    second is refused and sees the first one's move on reload.
    """
    current = expected_version if expected_version is not None else opportunity.version
    if stage.pk == opportunity.stage_id:
        if current != Opportunity.objects.filter(pk=opportunity.pk).values_list("version", flat=True).first():
            raise _stale()
        return opportunity
    reason = _closing_reason(stage, reason)
    status = _status_for(stage)
    now = timezone.now()
    changes: dict[str, Any] = {
        "pipeline_id": stage.pipeline_id, "stage_id": stage.pk, "status": status, "probability": stage.probability,
        "closed_at": now if status != OpportunityStatus.OPEN else None,
        # A reopened opportunity forgets why it was closed; the history keeps it.
        "close_reason": reason if status != OpportunityStatus.OPEN else "",
    }
    from_stage_id = opportunity.stage_id
    updated = Opportunity.objects.filter(pk=opportunity.pk, version=current).update(
        **changes, version=F("version") + 1, updated_at=now
    )
    if not updated:
        raise _stale()
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage_id=from_stage_id, to_stage=stage, changed_at=now,
        changed_by=by if getattr(by, "pk", None) else None, reason=reason,
    )
    opportunity.refresh_from_db()
    return opportunity


def _closing_stage(opportunity: Opportunity, kind: str) -> Stage:
    stage = Stage.objects.filter(pipeline_id=opportunity.pipeline_id, kind=kind).order_by("position", "id").first()
    if stage is None:
        raise ValidationError({"stage": _("This pipeline has no %(kind)s stage.") % {"kind": StageKind(kind).label}})
    return stage


@transaction.atomic
def opportunity_win(
    *, opportunity: Opportunity, reason: str, expected_version: int | None = None, by: Any = None
) -> Opportunity:
    return opportunity_move(
        opportunity=opportunity, stage=_closing_stage(opportunity, StageKind.WON), expected_version=expected_version,
        by=by, reason=reason,
    )


@transaction.atomic
def opportunity_lose(
    *, opportunity: Opportunity, reason: str, expected_version: int | None = None, by: Any = None
) -> Opportunity:
    return opportunity_move(
        opportunity=opportunity, stage=_closing_stage(opportunity, StageKind.LOST),
        expected_version=expected_version, by=by, reason=reason,
    )


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity) -> None:
    opportunity.delete()
