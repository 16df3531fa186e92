from django.contrib import admin

from rapport.interactions.models import Interaction, Note, Task


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "customer", "channel", "direction", "subject", "user"]
    list_filter = ["channel", "direction"]
    search_fields = ["subject__istartswith"]
    raw_id_fields = ["customer", "user"]
    list_select_related = ["customer", "user"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "customer", "author", "__str__"]
    raw_id_fields = ["customer", "author"]
    list_select_related = ["customer", "author"]
    show_full_result_count = False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "assignee", "due_at", "done_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["title__istartswith"]
    raw_id_fields = ["customer", "assignee", "created_by"]
    list_select_related = ["customer", "assignee"]
    show_full_result_count = False
