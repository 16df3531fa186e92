"""The tasks page: my open tasks and my team's in day buckets, recently done, one-click complete with undo."""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from rapport.accounts.models import User
from rapport.accounts.selectors import assignable_owners
from rapport.core.access import SCOPE_ALL, can_see, can_write, scope_of
from rapport.customers import search
from rapport.customers.models import Customer
from rapport.customers.selectors import customer_get, customer_list
from rapport.interactions.models import Task
from rapport.interactions.selectors import (
    TASK_BUCKETS,
    DayBounds,
    TaskBucket,
    TaskPage,
    TaskScope,
    task_get,
    tasks_done,
    tasks_done_count,
    tasks_due,
    tasks_due_count,
)
from rapport.interactions.services import task_complete, task_create, task_reopen
from rapport.web.forms import BootstrapForm
from rapport.web.htmx import htmx_partial, htmx_refusal, with_toast
from rapport.web.types import AuthedRequest

PAGE_ROWS = 20
CUSTOMER_CHOICES = 8
Show = Literal["open", "done"]

BUCKET_LABELS: dict[str, Any] = {
    "overdue": gettext_lazy("Overdue"),
    "today": gettext_lazy("Due today"),
    "upcoming": gettext_lazy("Upcoming"),
    "none": gettext_lazy("No due date"),
    "done": gettext_lazy("Done"),
}


@dataclass
class TaskRow:
    """A task as a row shows it: which day bucket its due date falls in, in the reader's zone."""

    task: Task
    bucket: str


@dataclass
class TaskGroup:
    bucket: str
    label: str
    rows: list[TaskRow]
    count: int
    more_url: str


class TaskForm(BootstrapForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    due = forms.DateTimeField(
        label=gettext_lazy("Due"), required=False,
        # The browser's own date-time picker; the value is read in the user's zone (the middleware activates it).
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assignee"), queryset=User.objects.none(), required=False,
        empty_label=gettext_lazy("Nobody yet"),
    )
    # Rendered by hand as the search-as-you-type radio list (templates/web/tasks/_customer_options.html).
    customer = forms.IntegerField(
        label=gettext_lazy("Customer"), error_messages={"required": gettext_lazy("Pick a customer.")}
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = assignable_owners(user=user)
        self.fields["customer"].widget = forms.HiddenInput()

    def clean_customer(self) -> Customer:
        try:
            return customer_get(user=self.user, pk=self.cleaned_data["customer"])
        except Http404:
            raise ValidationError(_("Pick a customer from the list."), code="invalid") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer, assignee = data.get("customer"), data.get("assignee")
        # A task its assignee may not see would sit in nobody's list: say so instead of saving it.
        if customer is not None and assignee is not None and not can_see(assignee, customer):
            self.add_error(
                "assignee", _("%(name)s cannot see this customer, so would never see the task.") % {"name": assignee}
            )
        return data

    def picked_customer(self) -> Customer | None:
        """The customer to show as chosen when the form is drawn again (after an error, or preselected)."""
        if self.is_bound:
            value = self.cleaned_data.get("customer") if hasattr(self, "cleaned_data") else None
            return value if isinstance(value, Customer) else None
        value = self.initial.get("customer")
        return value if isinstance(value, Customer) else None


def _scope(request: HttpRequest) -> TaskScope:
    return "team" if request.GET.get("scope") == "team" else "mine"


def _show(request: HttpRequest) -> Show:
    return "done" if request.GET.get("show") == "done" else "open"


def task_rows(tasks: list[Task], bounds: DayBounds) -> list[TaskRow]:
    return [TaskRow(task=task, bucket=bounds.bucket_of(task.due_at)) for task in tasks]


def _list_url(**params: str) -> str:
    return f"{reverse('web:task-list')}?{urlencode(params)}"


def _group(
    *, user: Any, scope: TaskScope, show: Show, bucket: str, bounds: DayBounds, after: str | None, count: bool
) -> TaskGroup:
    page: TaskPage
    if bucket == "done":
        page = tasks_done(user=user, scope=scope, after=after, limit=PAGE_ROWS)
        total = tasks_done_count(user=user, scope=scope) if count else 0
    else:
        typed: TaskBucket = bucket  # type: ignore[assignment]  # checked against TASK_BUCKETS by the callers
        page = tasks_due(user=user, scope=scope, bucket=typed, after=after, limit=PAGE_ROWS, bounds=bounds)
        total = tasks_due_count(user=user, scope=scope, bucket=typed, bounds=bounds) if count else 0
    more = _list_url(scope=scope, show=show, bucket=bucket, after=page.next_cursor) if page.next_cursor else ""
    return TaskGroup(
        bucket=bucket, label=str(BUCKET_LABELS[bucket]), rows=task_rows(page.rows, bounds), count=total,
        more_url=more,
    )


def _board(request: AuthedRequest, scope: TaskScope, show: Show) -> dict[str, Any]:
    bounds = DayBounds.now()
    buckets = ("done",) if show == "done" else TASK_BUCKETS
    # Without HTMX a "more" link reloads the page with that one group starting at the cursor.
    start_bucket, after = request.GET.get("bucket"), request.GET.get("after")
    groups = [
        _group(
            user=request.user, scope=scope, show=show, bucket=b, bounds=bounds,
            after=after if b == start_bucket else None, count=True,
        )
        for b in buckets
    ]
    # Someone who sees every customer (an administrator) gets everyone's tasks on the second tab.
    team_label = _("All tasks") if scope_of(request.user) == SCOPE_ALL else _("My team's tasks")
    return {
        "scope": scope, "show": show, "groups": groups, "can_write": can_write(request.user),
        "board_url": _list_url(scope=scope, show=show),
        "tabs": [
            (key, label, _list_url(scope=key, show=show))
            for key, label in (("mine", _("My tasks")), ("team", team_label))
        ],
        "views": [
            (key, label, _list_url(scope=scope, show=key)) for key, label in (("open", _("Open")), ("done", _("Done")))
        ],
    }


@login_required
@require_GET
def task_list(request: AuthedRequest) -> HttpResponse:
    scope, show = _scope(request), _show(request)
    bucket = request.GET.get("bucket", "")
    if htmx_partial(request) and bucket in (*TASK_BUCKETS, "done"):
        # "More" in one group: the next rows and the next "more" link, nothing else.
        group = _group(
            user=request.user, scope=scope, show=show, bucket=bucket, bounds=DayBounds.now(),
            after=request.GET.get("after"), count=False,
        )
        return render(request, "web/tasks/_rows.html", {"group": group, "can_write": can_write(request.user)})
    context = _board(request, scope, show)
    if htmx_partial(request):
        return render(request, "web/tasks/_board.html", context)
    initial: dict[str, Any] = {"assignee": request.user.pk}
    if request.GET.get("customer"):
        # Preselected from a customer page ("add a task for this customer").
        with suppress(Http404):
            initial["customer"] = customer_get(user=request.user, pk=request.GET["customer"])
    context.update(nav="tasks", form=TaskForm(user=request.user, initial=initial))
    return render(request, "web/tasks/list.html", context)


def _read_only(request: AuthedRequest) -> HttpResponse | None:
    if can_write(request.user):
        return None
    return htmx_refusal(_("Your role may look at tasks but not change them."), status=403)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("web:task-list")


def _row_response(request: AuthedRequest, task: Task, message: str) -> HttpResponse:
    if not htmx_partial(request):
        messages.success(request, message)
        return redirect(_next_url(request))
    row = TaskRow(task=task, bucket=DayBounds.now().bucket_of(task.due_at))
    response = render(
        request, "web/tasks/_row.html",
        # ``focus`` puts the keyboard on the row's new button (Undo or Done), so Enter twice undoes.
        {"row": row, "can_write": True, "focus": True, "undo": task.done_at is not None},
    )
    return with_toast(response, message)


@login_required
@require_POST
def task_complete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    refused = _read_only(request)
    if refused:
        return refused
    task = task_get(user=request.user, pk=pk)
    if task.done_at is None:
        task = task_complete(task=task)
    return _row_response(request, task, _("“%(title)s” is done.") % {"title": task.title})


@login_required
@require_POST
def task_reopen_view(request: AuthedRequest, pk: int) -> HttpResponse:
    refused = _read_only(request)
    if refused:
        return refused
    task = task_reopen(task=task_get(user=request.user, pk=pk))
    return _row_response(request, task, _("“%(title)s” is open again.") % {"title": task.title})


@login_required
@require_POST
def task_create_view(request: AuthedRequest) -> HttpResponse:
    refused = _read_only(request)
    if refused:
        return refused
    form = TaskForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = task_create(
                customer=data["customer"], title=data["title"], due_at=data["due"], assignee=data["assignee"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            message = _("Task “%(title)s” added.") % {"title": task.title}
            if not htmx_partial(request):
                messages.success(request, message)
                return redirect("web:task-list")
            fresh = TaskForm(user=request.user, initial={"assignee": data["assignee"].pk if data["assignee"] else ""})
            response = render(request, "web/tasks/_form.html", {"form": fresh})
            # The board listens for this and redraws itself, so the task shows in its group with fresh counts.
            response["HX-Trigger"] = json.dumps({"tasks-changed": True})
            return with_toast(response, message)
    if htmx_partial(request):
        return render(request, "web/tasks/_form.html", {"form": form}, status=400)
    context = _board(request, "mine", "open")
    context.update(nav="tasks", form=form)
    return render(request, "web/tasks/list.html", context, status=400)


@login_required
@require_GET
def task_customer_search(request: AuthedRequest) -> HttpResponse:
    """The customer picker's choices: the one already chosen, then up to eight matches through the search index."""
    text = request.GET.get("customer_q", "").strip()
    picked: Customer | None = None
    if request.GET.get("customer"):
        try:
            picked = customer_get(user=request.user, pk=request.GET["customer"])
        except Http404:
            picked = None
    matches: list[Customer] = []
    if text:
        found = search.search(customer_list(user=request.user), text)
        if picked is not None:
            found = found.exclude(pk=picked.pk)
        matches = list(found.order_by("display_name", "id")[:CUSTOMER_CHOICES])
    return render(
        request, "web/tasks/_customer_options.html", {"picked": picked, "matches": matches, "q": text}
    )
