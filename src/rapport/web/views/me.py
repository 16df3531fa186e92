"""The person's own page (language, time zone) and the command palette."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from rapport.accounts.services import user_update_preferences
from rapport.customers import search
from rapport.customers.selectors import customer_list
from rapport.sales.selectors import opportunity_search
from rapport.web.forms import BootstrapForm
from rapport.web.types import AuthedRequest

PALETTE_ROWS = 8


class PreferencesForm(BootstrapForm):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        zones = sorted(available_timezones())
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = [("", _("Server default (%(zone)s)") % {"zone": settings.TIME_ZONE})] + [
            (z, z) for z in zones
        ]


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                user_update_preferences(
                    user=user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                translation.activate(user.language)
                messages.success(request, _("Your preferences are saved."))
                response = redirect("web:profile")
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
                return response
    else:
        form = PreferencesForm(
            initial={"language": user.language or translation.get_language(), "time_zone": user.time_zone}
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/me/profile.html", {"form": form, "nav": "profile"}, status=status)


def _pages() -> list[tuple[str, str]]:
    return [
        (_("Home"), reverse("web:home")),
        (_("Customers"), reverse("web:customer-list")),
        (_("Tasks"), reverse("web:task-list")),
        (_("Pipeline"), reverse("web:pipeline-board")),
        (_("Opportunities"), reverse("web:opportunity-list")),
        (_("Leads"), reverse("web:lead-list")),
        (_("Forecast"), reverse("web:forecast")),
        (_("Profile and language"), reverse("web:profile")),
    ]


@login_required
@require_GET
def palette(request: AuthedRequest) -> HttpResponse:
    """Customers (through the search index), opportunities and pages matching what was typed."""
    text = request.GET.get("q", "").strip()
    pages = [(label, url) for label, url in _pages() if not text or text.lower() in label.lower()]
    customers = []
    opportunities: list[object] = []
    if text:
        customers = list(
            search.search(customer_list(user=request.user), text).order_by("display_name", "id")[:PALETTE_ROWS]
        )
        opportunities = palette_opportunities(request, text)
    return render(
        request, "web/me/_palette.html",
        {"pages": pages, "customers": customers, "opportunities": opportunities, "q": text},
    )


def palette_opportunities(request: AuthedRequest, text: str) -> list[object]:
    return list(opportunity_search(user=request.user, text=text, limit=PALETTE_ROWS))
