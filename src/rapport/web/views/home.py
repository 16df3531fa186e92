from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import get_format
from django.views.decorators.http import require_GET

from rapport.core.access import can_write
from rapport.customers.selectors import lifecycle_changes_of_my_customers
from rapport.interactions.selectors import DayBounds, interaction_recent, task_list_open_for, week_start
from rapport.web.types import AuthedRequest
from rapport.web.views.tasks import task_rows

HOME_TASKS = 10
HOME_ROWS = 10


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The signed-in person's day: their open tasks, their customers' stage moves this week, the team's activity.

    Three queries after the session and the user, whatever the row counts; the sales card loads on its own.
    """
    user = request.user
    bounds = DayBounds.now()
    # Overdue first, then today, then later, then undated: the order task_list_open_for already gives.
    tasks = list(task_list_open_for(user=user)[: HOME_TASKS + 1])
    # The week starts on the day the reader's locale says (Sunday in en-US, Monday in most of Europe).
    since = week_start(first_weekday=int(get_format("FIRST_DAY_OF_WEEK")))
    return render(request, "web/home.html", {
        "nav": "home",
        "task_rows": task_rows(tasks[:HOME_TASKS], bounds),
        "more_tasks": len(tasks) > HOME_TASKS,
        "can_write": can_write(user),
        "changes": lifecycle_changes_of_my_customers(user=user, since=since, limit=HOME_ROWS),
        "week_start": since,
        "activity": interaction_recent(user=user, limit=HOME_ROWS),
    })


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
