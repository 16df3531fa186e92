"""The profile card: read view, inline edit guarded by the record's version, e-mails and phones, tags."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rapport.core.access import can_write
from rapport.customers.models import Customer
from rapport.customers.services import (
    StaleEditError,
    contact_point_add,
    contact_point_remove,
    customer_add_tags,
    customer_set_tags,
    customer_update,
)
from rapport.web.htmx import with_toast
from rapport.web.types import AuthedRequest
from rapport.web.views.customer360.common import (
    customer_view,
    fresh_customer,
    header_context,
    header_oob,
    split_points,
)
from rapport.web.views.customer360.forms import ContactPointForm, ProfileForm, TagForm, focus


def _with_header(request: AuthedRequest, response: HttpResponse, customer: Customer) -> HttpResponse:
    """Append the refreshed page header: a save may change the name, badges, owner or primary e-mail."""
    response.content = response.content + header_oob(request, customer).encode()
    return response


def _profile_read(request: AuthedRequest, customer: Customer, *, focus_edit: bool = False) -> HttpResponse:
    return render(
        request, "web/customers/_profile.html",
        {"customer": customer, "can_edit": can_write(request.user), "focus_edit": focus_edit},
    )


@customer_view()
def profile(request: AuthedRequest, customer: Customer) -> HttpResponse:
    """The read view; Cancel on the edit form comes back here."""
    return _profile_read(request, customer, focus_edit=True)


@customer_view(methods=("GET", "POST"), write=True)
def profile_edit(request: AuthedRequest, customer: Customer) -> HttpResponse:
    if request.method != "POST":
        form = ProfileForm(initial=ProfileForm.initial_for(customer), customer=customer, editor=request.user)
        return render(request, "web/customers/_profile_form.html", {"customer": customer, "form": focus(form)})
    form = ProfileForm(request.POST, customer=customer, editor=request.user)
    status = 400
    if form.is_valid():
        try:
            customer = customer_update(
                customer=customer, data=form.changes(), expected_version=form.cleaned_data["version"],
                by=request.user, reason=form.cleaned_data["stage_reason"],
            )
        except StaleEditError as error:
            # Nothing was written: the form goes back with what the user typed, and they decide.
            form.add_error(None, error.message)
            status = 409
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            response = _profile_read(request, fresh_customer(request, customer), focus_edit=True)
            return with_toast(_with_header(request, response, customer), _("Profile saved."))
    response = render(
        request, "web/customers/_profile_form.html", {"customer": customer, "form": focus(form)}, status=status
    )
    if status == 409:
        with_toast(response, _("Not saved: someone else changed this customer."), "error")
    return response


def _points_response(
    request: AuthedRequest, customer: Customer, form: ContactPointForm | None = None, status: int = 200
) -> HttpResponse:
    points = split_points(customer.contact_points.all())
    return render(
        request, "web/customers/_contact_points.html",
        {"customer": customer, "points": points, "can_edit": can_write(request.user),
         "point_form": focus(form or ContactPointForm())},
        status=status,
    )


@customer_view(methods=("POST",))
def contact_point_create(request: AuthedRequest, customer: Customer) -> HttpResponse:
    form = ContactPointForm(request.POST)
    if form.is_valid():
        try:
            contact_point_add(
                customer=customer, kind=form.cleaned_data["kind"], value=form.cleaned_data["value"], source="web"
            )
        except ValidationError as error:
            # The service names its list ("emails", "phones"); here the one input is "value".
            form.add_error("value", error.messages)
        else:
            response = _points_response(request, customer)
            return with_toast(_with_header(request, response, customer), _("Added."))
    return _points_response(request, customer, form, status=400)


@customer_view(methods=("POST",))
def contact_point_delete(request: AuthedRequest, customer: Customer, point_pk: int) -> HttpResponse:
    point = customer.contact_points.filter(pk=point_pk).first()
    if point is None:
        raise Http404("No such e-mail or phone")
    point.customer = customer
    contact_point_remove(point=point)
    response = _points_response(request, customer)
    return with_toast(_with_header(request, response, customer), _("Removed %(value)s.") % {"value": point.value})


def _tags_response(
    request: AuthedRequest, customer: Customer, form: TagForm | None = None, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = header_context(customer, list(customer.tags.order_by("name")), can_write(request.user))
    context["tag_form"] = focus(form or TagForm())
    return render(request, "web/customers/_tags.html", context, status=status)


@customer_view(methods=("POST",))
def tag_add(request: AuthedRequest, customer: Customer) -> HttpResponse:
    form = TagForm(request.POST)
    if not form.is_valid():
        return _tags_response(request, customer, form, status=400)
    customer_add_tags(customer=customer, names=form.names())
    return with_toast(_tags_response(request, customer), _("Tagged."))


@customer_view(methods=("POST",))
def tag_remove(request: AuthedRequest, customer: Customer, tag_pk: int) -> HttpResponse:
    names = dict(customer.tags.values_list("pk", "name"))
    if tag_pk not in names:
        raise Http404("No such tag on this customer")
    removed = names.pop(tag_pk)
    customer_set_tags(customer=customer, names=names.values())
    return with_toast(_tags_response(request, customer), _("Tag %(name)s removed.") % {"name": removed})
