from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rapport.customers.models import (
    Address,
    Consent,
    Contact,
    ContactPoint,
    Customer,
    CustomerMerge,
    ExternalIdentifier,
    Tag,
)


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["kind", "value", "label", "is_primary", "source"]


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


class IdentifierInline(admin.TabularInline):
    model = ExternalIdentifier
    extra = 0


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    fk_name = "organisation"
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "display_name", "kind", "primary_email", "primary_phone", "country", "city", "lifecycle_stage",
        "relationship_level", "owner", "team",
    ]
    list_filter = ["kind", "lifecycle_stage", "relationship_level", "team", "language", "country"]
    list_select_related = ["owner", "team"]
    # Prefix searches use the indexes; the admin is for administrators, the workspace does full search.
    search_fields = ["display_name__istartswith", "primary_email__istartswith", "identifiers__external_id"]
    raw_id_fields = ["owner", "team"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["display_name", "primary_email", "primary_phone", "version", "created_at", "updated_at"]
    inlines = [ContactPointInline, AddressInline, IdentifierInline, ConsentInline, ContactInline]
    show_full_result_count = False  # no exact COUNT(*) over a million rows on every page
    list_per_page = 50


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "job_title", "email", "phone", "is_primary"]
    search_fields = ["last_name__istartswith", "email__istartswith"]
    raw_id_fields = ["organisation"]
    list_select_related = ["organisation"]
    show_full_result_count = False


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "customer", "is_primary", "source"]
    list_filter = ["kind"]
    search_fields = ["normalized__startswith"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "customer", "postal_code"]
    list_filter = ["kind", "country"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(ExternalIdentifier)
class ExternalIdentifierAdmin(admin.ModelAdmin):
    list_display = ["source", "external_id", "customer"]
    list_filter = ["source"]
    search_fields = ["external_id"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["customer", "channel", "status", "recorded_at", "source"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(CustomerMerge)
class CustomerMergeAdmin(admin.ModelAdmin):
    """Read only: a merge is made and undone through the services, which keep the record consistent."""

    list_display = ["__str__", "discarded_name", "merged_by", "merged_at", "undone_at"]
    list_filter = ["merged_at", "undone_at"]
    search_fields = ["discarded_name__istartswith"]
    list_select_related = ["merged_by"]
    raw_id_fields = ["survivor"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
