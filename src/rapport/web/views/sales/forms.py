"""Forms of the sales pages. They check the shape of the input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.core.money import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS, currency_codes
from rapport.sales.choices import LeadSource, LeadStatus, OpportunityStatus
from rapport.web.forms import BootstrapForm

DEFAULT_CURRENCY = "MYR"


def _amount_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, min_value=0, **kwargs
    )


class CurrencyInput(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Currency"))
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("help_text", _("ISO 4217 code, e.g. MYR, EUR, USD."))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        code = str(super().clean(value) or "").strip().upper()
        if code and code not in currency_codes():
            raise forms.ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": code})
        return code


class LeadForm(BootstrapForm):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *LeadSource.choices], required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(n) or "").strip() for n in ("first_name", "last_name", "organisation_name")):
            self.add_error("last_name", _("A lead needs a name or an organisation."))
        return data


class LeadFilterForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *LeadStatus.choices],
                               required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("-created_at", _("Newest first")), ("created_at", _("Oldest first")), ("display_name", _("Name")),
    ])

    def __init__(self, *args: Any, owners: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [("", _("Anyone")), ("me", _("Me")), *(owners or [])]


class DisqualifyForm(BootstrapForm):
    reason = forms.CharField(label=_("Why is the lead disqualified?"), max_length=300)


class ConvertForm(BootstrapForm):
    target = forms.ChoiceField(
        label=_("Customer"), widget=forms.RadioSelect, initial="new",
        choices=[("new", _("Create a new customer from the lead")), ("existing", _("Link an existing customer"))],
    )
    customer = forms.IntegerField(label=_("Existing customer"), required=False, min_value=1, widget=forms.HiddenInput)
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False,
                                       help_text=_("Defaults to the lead's name."))
    amount = _amount_field(label=_("Amount"), initial=0)
    currency = CurrencyInput(initial=DEFAULT_CURRENCY)
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, required=False)
    expected_close = forms.DateField(label=_("Expected close"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, pipelines: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pipeline"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(pipelines or [])
        self.fields["target"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == "existing" and not data.get("customer"):
            self.add_error("customer", _("Pick the customer to link."))
        return data


class OpportunityForm(BootstrapForm):
    """Create: the customer comes from the search-as-you-type picker, by id."""

    customer = forms.IntegerField(label=_("Customer"), min_value=1, widget=forms.HiddenInput,
                                  error_messages={"required": _("Pick a customer.")})
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = _amount_field(label=_("Amount"), initial=0)
    currency = CurrencyInput(initial=DEFAULT_CURRENCY)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False,
                                   help_text=_("Defaults to the first stage of the default pipeline."))
    expected_close = forms.DateField(label=_("Expected close"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100, required=False,
                                     help_text=_("Defaults to the stage's probability."))

    def __init__(self, *args: Any, stages: list[tuple[str, list[tuple[int, str]]]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("First stage")), *(stages or [])]


class OpportunityEditForm(BootstrapForm):
    """Inline edit: carries the version the edit started from."""

    name = forms.CharField(label=_("Name"), max_length=200)
    amount = _amount_field(label=_("Amount"))
    currency = CurrencyInput()
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100)
    expected_close = forms.DateField(label=_("Expected close"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class CloseForm(BootstrapForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[
        (status.value, status.label) for status in (OpportunityStatus.WON, OpportunityStatus.LOST)
    ])
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             error_messages={"required": _("Say why it was won or lost.")})
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class OpportunityFilterForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *OpportunityStatus.choices])
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, required=False)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("-created_at", _("Newest first")), ("expected_close", _("Closing soonest")),
        ("-expected_close", _("Closing latest")), ("-amount", _("Largest amount")),
        ("amount", _("Smallest amount")), ("name", _("Name")),
    ])

    def __init__(self, *args: Any, pipelines: list[tuple[int, str]], stages: list[tuple[str, list[tuple[int, str]]]],
                 owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("pipeline", [("", _("Any pipeline")), *pipelines]),
                              ("stage", [("", _("Any stage")), *stages]),
                              ("owner", [("", _("Anyone")), ("me", _("Me")), *owners])):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


class ForecastForm(BootstrapForm):
    months = forms.TypedChoiceField(label=_("Months"), coerce=int, required=False, initial=6,
                                    choices=[(n, str(n)) for n in (3, 6, 9, 12, 18, 24)])
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, required=False)

    def __init__(self, *args: Any, pipelines: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pipeline"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All pipelines")), *pipelines]
