"""Quick actions: log a touchpoint, add a note, create a task, without leaving the page.

A success answers a blank form (so the next entry starts clean), the timeline's first page out of band
(the new item on top) and a toast. A refusal answers the form with what was typed and its errors (400).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rapport.customers.models import Customer
from rapport.interactions.services import interaction_log, note_add, task_create
from rapport.web.forms import BootstrapForm
from rapport.web.htmx import with_toast
from rapport.web.types import AuthedRequest
from rapport.web.views.customer360.common import customer_view
from rapport.web.views.customer360.forms import InteractionForm, NoteForm, TaskForm, focus
from rapport.web.views.customer360.page import render_timeline_oob


def _form(request: AuthedRequest, customer: Customer, template: str, form: Form, status: int = 200) -> HttpResponse:
    return render(request, template, {"customer": customer, "form": form}, status=status)


def _done(
    request: AuthedRequest, customer: Customer, template: str, blank: Form, message: str
) -> HttpResponse:
    response = _form(request, customer, template, focus(blank))
    response.content = response.content + render_timeline_oob(request, customer).encode()
    return with_toast(response, message)


def _refused(request: AuthedRequest, customer: Customer, template: str, form: BootstrapForm,
             error: ValidationError | None = None) -> HttpResponse:
    if error is not None:
        form.add_service_errors(error)
    return _form(request, customer, template, focus(form), status=400)


@customer_view(methods=("POST",))
def log_interaction(request: AuthedRequest, customer: Customer) -> HttpResponse:
    template = "web/customers/_action_interaction.html"
    form = InteractionForm(request.POST)
    if not form.is_valid():
        return _refused(request, customer, template, form)
    data = form.cleaned_data
    try:
        interaction = interaction_log(
            customer=customer, channel=data["channel"], direction=data["direction"], subject=data["subject"],
            body=data["body"], occurred_at=data["occurred_at"], user=request.user, source="web",
        )
    except ValidationError as error:
        return _refused(request, customer, template, form, error)
    message = _("%(channel)s logged.") % {"channel": interaction.get_channel_display()}
    # Keep the channel and direction just used: a second call in a row is the common case.
    blank = InteractionForm(initial={"channel": data["channel"], "direction": data["direction"]})
    return _done(request, customer, template, blank, message)


@customer_view(methods=("POST",))
def add_note(request: AuthedRequest, customer: Customer) -> HttpResponse:
    template = "web/customers/_action_note.html"
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, customer, template, form)
    try:
        note_add(customer=customer, body=form.cleaned_data["body"], author=request.user)
    except ValidationError as error:
        return _refused(request, customer, template, form, error)
    return _done(request, customer, template, NoteForm(), _("Note added."))


@customer_view(methods=("POST",))
def create_task(request: AuthedRequest, customer: Customer) -> HttpResponse:
    template = "web/customers/_action_task.html"
    form = TaskForm(request.POST, editor=request.user)
    if not form.is_valid():
        return _refused(request, customer, template, form)
    data = form.cleaned_data
    try:
        task_create(
            customer=customer, title=data["title"], description=data["description"], due_at=form.due_at(),
            assignee=data["assignee"], created_by=request.user,
        )
    except ValidationError as error:
        return _refused(request, customer, template, form, error)
    return _done(request, customer, template, TaskForm(editor=request.user), _("Task created."))
