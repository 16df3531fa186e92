"""The secondary panels, each loaded by its own request after the page: orders, contact persons, consent."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from rapport.commerce.selectors import order_list
from rapport.core.access import can_write
from rapport.core.keyset import BadCursor, Ordering
from rapport.customers.choices import ConsentChannel, CustomerKind
from rapport.customers.models import Contact, Customer
from rapport.customers.services import consent_record, contact_create, contact_delete, contact_update
from rapport.web.htmx import htmx_refusal, with_toast
from rapport.web.types import AuthedRequest
from rapport.web.views.customer360.common import customer_view
from rapport.web.views.customer360.forms import ConsentForm, ContactForm

ORDER_PAGE = 10
_LATEST_ORDERS = Ordering(field="placed_at", descending=True, nullable=False)


# --- Orders -----------------------------------------------------------------------------------------------


@customer_view()
def orders(request: AuthedRequest, customer: Customer) -> HttpResponse:
    """Latest orders first; "More" continues after the last one shown (keyset on placed_at, id)."""
    # The customer is already known to be visible; order_list keeps the rule in one place all the same.
    rows = order_list(user=request.user).filter(customer_id=customer.pk)
    cursor = request.GET.get("cursor") or None
    try:
        page, next_cursor = _LATEST_ORDERS.page(rows, cursor, ORDER_PAGE)
    except BadCursor as error:
        return htmx_refusal(str(error))
    more_url = ""
    if next_cursor:
        more_url = f"{reverse('web:customer-orders', args=[customer.pk])}?cursor={next_cursor}"
    template = "web/customers/_orders_rows.html" if cursor else "web/customers/_orders.html"
    return render(request, template, {"customer": customer, "orders": page, "more_url": more_url})


# --- Contact persons --------------------------------------------------------------------------------------


def _contact(customer: Customer, contact_pk: int) -> Contact:
    contact = Contact.objects.filter(organisation=customer, pk=contact_pk).first()
    if contact is None:
        raise Http404("No such contact person")
    contact.organisation = customer
    return contact


def _contacts_panel(
    request: AuthedRequest, customer: Customer, form: ContactForm | None = None, status: int = 200
) -> HttpResponse:
    contacts: list[Contact] = []
    if customer.kind == CustomerKind.ORGANISATION:
        contacts = list(Contact.objects.filter(organisation=customer).order_by("-is_primary", "last_name", "id"))
    return render(
        request, "web/customers/_contacts.html",
        {"customer": customer, "contacts": contacts, "can_edit": can_write(request.user),
         "is_organisation": customer.kind == CustomerKind.ORGANISATION,
         "contact_form": form or ContactForm(prefix="new-contact")},
        status=status,
    )


@customer_view(methods=("GET", "POST"))
def contacts(request: AuthedRequest, customer: Customer) -> HttpResponse:
    """The list, and (POST) a new contact person from the form under it."""
    if request.method != "POST":
        return _contacts_panel(request, customer)
    form = ContactForm(request.POST, prefix="new-contact")
    if form.is_valid():
        try:
            contact = contact_create(organisation=customer, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return with_toast(_contacts_panel(request, customer), _("%(name)s added.") % {"name": contact})
    return _contacts_panel(request, customer, form, status=400)


def _row(request: AuthedRequest, customer: Customer, contact: Contact) -> HttpResponse:
    return render(
        request, "web/customers/_contact_row.html",
        {"customer": customer, "contact": contact, "can_edit": can_write(request.user)},
    )


@customer_view()
def contact_row(request: AuthedRequest, customer: Customer, contact_pk: int) -> HttpResponse:
    """One contact person read-only: what Cancel on its edit form comes back to."""
    return _row(request, customer, _contact(customer, contact_pk))


@customer_view(methods=("GET", "POST"), write=True)
def contact_edit(request: AuthedRequest, customer: Customer, contact_pk: int) -> HttpResponse:
    contact = _contact(customer, contact_pk)
    prefix = f"contact-{contact.pk}"
    if request.method != "POST":
        form = ContactForm(initial=ContactForm.initial_for(contact), prefix=prefix)
        context = {"customer": customer, "contact": contact, "form": form}
        return render(request, "web/customers/_contact_form.html", context)
    form = ContactForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            contact = contact_update(contact=contact, data=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return with_toast(_row(request, customer, contact), _("%(name)s saved.") % {"name": contact})
    return render(
        request, "web/customers/_contact_form.html", {"customer": customer, "contact": contact, "form": form},
        status=400,
    )


@customer_view(methods=("POST",))
def contact_remove(request: AuthedRequest, customer: Customer, contact_pk: int) -> HttpResponse:
    contact = _contact(customer, contact_pk)
    name = str(contact)
    contact_delete(contact=contact)
    # An empty answer swapped over the row removes it from the list.
    return with_toast(HttpResponse(""), _("%(name)s removed.") % {"name": name})


# --- Consent ----------------------------------------------------------------------------------------------


def _consents_panel(
    request: AuthedRequest, customer: Customer, bound: ConsentForm | None = None, status: int = 200
) -> HttpResponse:
    current = {c.channel: c for c in customer.consents.all()}
    rows: list[dict[str, Any]] = []
    for value, label in ConsentChannel.choices:
        consent = current.get(value)
        form = bound if bound is not None and bound.prefix == f"consent-{value}" else ConsentForm(
            prefix=f"consent-{value}", initial={"status": consent.status if consent else "granted"}
        )
        rows.append({"channel": value, "label": label, "consent": consent, "form": form})
    return render(
        request, "web/customers/_consents.html",
        {"customer": customer, "rows": rows, "can_edit": can_write(request.user)}, status=status,
    )


@customer_view(methods=("GET", "POST"))
def consents(request: AuthedRequest, customer: Customer) -> HttpResponse:
    """The consent of each channel with when and why; (POST) a change, which must say why."""
    if request.method != "POST":
        return _consents_panel(request, customer)
    channel = request.POST.get("channel", "")
    if channel not in ConsentChannel.values:
        return htmx_refusal(_("Unknown consent channel."))
    form = ConsentForm(request.POST, prefix=f"consent-{channel}")
    if form.is_valid():
        try:
            consent = consent_record(
                customer=customer, channel=channel, status=form.cleaned_data["status"], source="web",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            message = _("%(channel)s consent: %(status)s.") % {
                "channel": consent.get_channel_display(), "status": consent.get_status_display(),
            }
            return with_toast(_consents_panel(request, customer), message)
    return _consents_panel(request, customer, form, status=400)
