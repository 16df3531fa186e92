from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.core.access import AccessPaths
from rapport.core.models import TimeStampedModel


class Task(TimeStampedModel):
    access_paths = AccessPaths(owner="customer__owner", team="customer__team")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tasks", verbose_name=_("customer"),
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assigned_tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="created_tasks",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="task_timeline_idx"),
            # The tasks page reads open tasks by due date and done ones by completion, per assignee ("My
            # tasks") or across everything the user may see ("My team's tasks"); each page is a range read of
            # one of these, and the open ones are partial so they stay as small as the open list.
            models.Index(
                fields=["assignee", "due_at", "id"], name="task_mine_open_idx", condition=Q(done_at__isnull=True)
            ),
            models.Index(fields=["due_at", "id"], name="task_open_idx", condition=Q(done_at__isnull=True)),
            models.Index(
                fields=["assignee", "done_at", "id"], name="task_mine_done_idx", condition=Q(done_at__isnull=False)
            ),
            models.Index(fields=["done_at", "id"], name="task_done_idx", condition=Q(done_at__isnull=False)),
        ]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def __str__(self) -> str:
        return self.title
