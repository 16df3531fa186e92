from django.contrib import admin

from rapport.sales.models import Lead, Opportunity, OpportunityStageChange, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    ordering = ["position", "id"]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "created_at"]
    inlines = [StageInline]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["display_name", "email", "status", "source", "owner", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["display_name__istartswith", "email"]
    raw_id_fields = ["owner", "converted_customer", "converted_opportunity"]
    list_select_related = ["owner"]
    readonly_fields = ["display_name", "converted_at"]
    show_full_result_count = False


class StageChangeInline(admin.TabularInline):
    model = OpportunityStageChange
    extra = 0
    raw_id_fields = ["changed_by"]
    readonly_fields = ["from_stage", "to_stage", "changed_at", "changed_by", "reason"]
    can_delete = False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "pipeline", "stage", "amount", "currency", "probability", "expected_close",
                    "owner", "status"]
    list_filter = ["status", "pipeline", "currency"]
    search_fields = ["name__istartswith"]
    raw_id_fields = ["customer", "owner"]
    list_select_related = ["customer", "pipeline", "stage", "owner"]
    readonly_fields = ["version", "closed_at"]
    inlines = [StageChangeInline]
    show_full_result_count = False
