"""The forms of the customer 360 page. Each one only checks its input; the services decide the rules."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import User
from rapport.accounts.selectors import user_list_active
from rapport.customers.choices import (
    ConsentStatus,
    ContactPointKind,
    CustomerKind,
    LifecycleStage,
    RelationshipLevel,
)
from rapport.customers.models import Customer
from rapport.interactions.choices import Channel, Direction
from rapport.web.forms import BootstrapForm

# A touchpoint logged a little ahead of the server's clock is a clock difference, not a future call.
FUTURE_SLACK = timedelta(minutes=5)


def assignable_users(user: Any, *, include: Any = None) -> QuerySet[User]:
    """Who ``user`` may give a customer or a task to: active members of their team, everyone for an admin.

    ``include`` (a user id) keeps the current owner choosable even when they left the team, so that saving
    an unrelated field does not fail on an owner the editor cannot pick.
    """
    users = user_list_active()
    if getattr(user, "is_superuser", False):
        return users
    mine = Q(pk=user.pk) | (Q(team_id=user.team_id) if user.team_id else Q())
    if include:
        mine |= Q(pk=include)
    return users.filter(mine)


def focus(form: forms.Form) -> forms.Form:
    """Mark the field a keyboard user should land on after a swap: the first one in error, else the first.

    HTMX focuses an ``autofocus`` element of swapped-in content; only answers to an action set it, so the
    page's first load does not steal the focus.
    """
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    names = [name for name in form.fields if name in form.errors] or [f.name for f in form.visible_fields()]
    if names:
        form.fields[names[0]].widget.attrs["autofocus"] = True
    return form


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def _languages(current: str) -> list[tuple[str, str]]:
    choices = [("", "—"), *settings.LANGUAGES]
    if current and current not in dict(settings.LANGUAGES):
        choices.append((current, current))  # an imported code the workspace does not speak stays as it was
    return choices


class ProfileForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    country = forms.CharField(
        label=_("Country"), max_length=2, required=False, help_text=_("Two-letter ISO code, e.g. MY")
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices)
    stage_reason = forms.CharField(
        label=_("Reason for a stage change"), max_length=200, required=False,
        help_text=_("Kept in the customer's lifecycle history"),
    )
    relationship_level = forms.TypedChoiceField(
        label=_("Relationship level"), coerce=int,
        choices=[(level.value, f"{level.value} · {level.label}") for level in RelationshipLevel],
    )
    owner = UserChoiceField(label=_("Account manager"), queryset=User.objects.none(), required=False)

    # Fields handed to customer_update, in the order they are shown.
    PROFILE_FIELDS = (
        "first_name", "last_name", "organisation_name", "language", "country", "city", "birth_date",
        "lifecycle_stage", "relationship_level", "owner",
    )

    def __init__(self, *args: Any, customer: Customer, editor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        if customer.kind == CustomerKind.ORGANISATION:
            del self.fields["first_name"], self.fields["last_name"]
        else:
            del self.fields["organisation_name"]
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = _languages(customer.language)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = assignable_users(editor, include=customer.owner_id)
        self.fields["country"].widget.attrs.update({"dir": "ltr", "autocapitalize": "characters"})

    @classmethod
    def initial_for(cls, customer: Customer) -> dict[str, Any]:
        return {
            "version": customer.version, "first_name": customer.first_name, "last_name": customer.last_name,
            "organisation_name": customer.organisation_name, "language": customer.language,
            "country": customer.country, "city": customer.city, "birth_date": customer.birth_date,
            "lifecycle_stage": customer.lifecycle_stage, "relationship_level": customer.relationship_level,
            "owner": customer.owner_id,
        }

    def changes(self) -> dict[str, Any]:
        """The profile fields as customer_update takes them (all of them: the version guards the rest)."""
        data = {name: self.cleaned_data[name] for name in self.PROFILE_FIELDS if name in self.cleaned_data}
        data["country"] = (data.get("country") or "").upper()
        owner = data.get("owner")
        if owner is not None and owner.pk != self.customer.owner_id and owner.team_id:
            # As with the bulk hand-over: the customer follows its new owner's team, so that team's
            # manager sees it.
            data["team"] = owner.team
        return data


class ContactPointForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Type"), choices=ContactPointKind.choices)
    value = forms.CharField(label=_("E-mail address or phone number"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "point")
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs.update({"dir": "ltr", "autocomplete": "off"})


class TagForm(BootstrapForm):
    name = forms.CharField(
        label=_("New tag"), max_length=200, help_text=_("Separate several tags with commas")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "tag")
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({
            "autocomplete": "off", "class": "form-control form-control-sm", "placeholder": _("Add a tag"),
        })

    def names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["name"].split(",") if name.strip()]

    def clean_name(self) -> str:
        value: str = self.cleaned_data["name"]
        if not any(part.strip() for part in value.split(",")):
            raise forms.ValidationError(_("Give the tag a name."))
        if any(len(part.strip()) > 64 for part in value.split(",")):
            raise forms.ValidationError(_("A tag is at most 64 characters long."))
        return value


class InteractionForm(BootstrapForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("What was said"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    occurred_at = forms.DateTimeField(
        label=_("When"), required=False, help_text=_("Leave empty for now"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "touch")
        super().__init__(*args, **kwargs)

    def clean_occurred_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("occurred_at")
        if value is not None and value > timezone.now() + FUTURE_SLACK:
            raise forms.ValidationError(_("A touchpoint cannot be logged in the future; plan a task instead."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("subject") or "").strip() and not (data.get("body") or "").strip():
            self.add_error("subject", _("Give a subject or write what was said."))
        return data


class NoteForm(BootstrapForm):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write the note first."))
        return body.strip()


class TaskForm(BootstrapForm):
    title = forms.CharField(label=_("Task title"), max_length=200)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    assignee = UserChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, editor: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "task")
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = assignable_users(editor)
        assignee.empty_label = str(_("Nobody yet"))
        if not self.is_bound:
            self.initial.setdefault("assignee", editor.pk)

    def due_at(self) -> datetime | None:
        """A task due on a day is late only once that day is over where the user is."""
        day = self.cleaned_data.get("due_date")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59)), timezone.get_current_timezone())


class ContactForm(BootstrapForm):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)

    FIELDS = ("first_name", "last_name", "job_title", "email", "phone", "is_primary")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("email", "phone"):
            self.fields[name].widget.attrs["dir"] = "ltr"

    @classmethod
    def initial_for(cls, contact: Any) -> dict[str, Any]:
        return {name: getattr(contact, name) for name in cls.FIELDS}


class ConsentForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Status"), choices=ConsentStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, help_text=_("Why it changes, e.g. what the customer said and where")
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the consent changes."))
        return reason
