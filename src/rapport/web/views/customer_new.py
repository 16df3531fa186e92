"""Adding a customer by hand, with a warning before a likely duplicate is created.

The check runs on the typed name, e-mail, phone and birth date (``rapport.dedupe.check``). When it finds
someone likely to be the same customer the form comes back with those candidates, links to them, and a box
to tick to create the new record all the same; what the user typed is kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rapport.core.access import can_write
from rapport.core.errors import RapportError
from rapport.customers.choices import CustomerKind
from rapport.customers.services import customer_create
from rapport.dedupe.check import likely_duplicates
from rapport.web.forms import BootstrapForm
from rapport.web.types import AuthedRequest


class CustomerForm(BootstrapForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CustomerKind.choices, initial=CustomerKind.PERSON,
                             widget=forms.RadioSelect)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100, required=False)
    organisation_name = forms.CharField(label=gettext_lazy("Organisation name"), max_length=200, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    birth_date = forms.DateField(label=gettext_lazy("Birth date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    country = forms.CharField(label=gettext_lazy("Country"), max_length=2, required=False,
                              help_text=gettext_lazy("Two-letter ISO code, e.g. MY"))
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False,
                                 choices=[("", "—"), *settings.LANGUAGES])
    allow_duplicate = forms.BooleanField(
        label=gettext_lazy("This is a different customer: create it anyway"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        for name in ("email", "phone", "country"):
            self.fields[name].widget.attrs["dir"] = "ltr"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == CustomerKind.ORGANISATION:
            if not data.get("organisation_name", "").strip():
                self.add_error("organisation_name", _("Give the organisation's name."))
        elif not (data.get("first_name", "").strip() or data.get("last_name", "").strip()):
            self.add_error("last_name", _("Give a first or a last name."))
        return data


def _candidates(request: AuthedRequest, data: dict[str, Any]) -> list[dict[str, Any]]:
    person = data["kind"] != CustomerKind.ORGANISATION
    found = likely_duplicates(
        user=request.user,
        first_name=data["first_name"] if person else "", last_name=data["last_name"] if person else "",
        organisation_name="" if person else data["organisation_name"],
        email=data["email"], phone=data["phone"], birth_date=data["birth_date"], country=data["country"],
    )
    # The evidence for the match, strongest first: what a person checks before deciding.
    return [{
        "customer": c.customer, "percent": min(99, round(c.probability * 100)),
        "reasons": [e["text"] for e in c.evidence if float(e.get("weight") or 0) > 0][:3],
    } for c in found]


@login_required
@require_http_methods(["GET", "POST"])
def customer_new(request: AuthedRequest) -> HttpResponse:
    if not can_write(request.user):
        raise PermissionDenied(_("Your role may read customers but not add them."))
    form = CustomerForm(request.POST or None)
    context: dict[str, Any] = {"nav": "customers", "form": form, "candidates": []}
    if request.method != "POST":
        return render(request, "web/customers/new.html", context)
    if form.is_valid():
        data = form.cleaned_data
        candidates = [] if data["allow_duplicate"] else _candidates(request, data)
        if candidates:
            context["candidates"] = candidates
            return render(request, "web/customers/new.html", context, status=409)
        person = data["kind"] != CustomerKind.ORGANISATION
        try:
            customer = customer_create(
                kind=data["kind"], first_name=data["first_name"] if person else "",
                last_name=data["last_name"] if person else "",
                organisation_name="" if person else data["organisation_name"],
                emails=[data["email"]] if data["email"] else [], phones=[data["phone"]] if data["phone"] else [],
                birth_date=data["birth_date"], country=data["country"], city=data["city"],
                language=data["language"], owner=request.user, team=request.user.team, source="web",
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except RapportError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": customer.display_name})
            return redirect("web:customer-detail", pk=customer.pk)
    return render(request, "web/customers/new.html", context, status=400)
