from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team", "is_active", "is_staff"]
    list_select_related = ["team"]
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), (_("Rapport"), {"fields": ("role", "team", "language")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, (_("Rapport"), {"fields": ("role", "team")}))
