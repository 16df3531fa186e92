"""Runs and pairs in the admin, read-only: decisions go through the services (and the review page)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rapport.dedupe.models import DedupeRun, DuplicatePair


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DedupeRun)
class DedupeRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "customers", "pairs", "new_pairs", "threshold", "seconds", "by"]
    date_hierarchy = "started_at"


@admin.register(DuplicatePair)
class DuplicatePairAdmin(ReadOnlyAdmin):
    list_display = ["customer_a", "customer_b", "match_probability", "status", "found_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["customer_a", "customer_b", "decided_by"]
    raw_id_fields = ["customer_a", "customer_b", "run", "decided_by"]
    ordering = ["-match_probability", "-id"]
