"""Import batches in the admin, read-only: batches are made, run and rolled back through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rapport.imports.models import ImportBatch, ImportMapping


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "entity", "source", "filename", "status", "created", "updated", "unchanged", "rejected",
                    "user", "created_at")
    list_filter = ("status", "entity")
    search_fields = ("filename", "source")
    list_select_related = ("user",)


@admin.register(ImportMapping)
class ImportMappingAdmin(ReadOnlyAdmin):
    list_display = ("source", "entity", "updated_at")
