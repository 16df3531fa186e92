from django.contrib import admin

from rapport.commerce.models import Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "price", "currency", "is_active"]
    list_filter = ["category", "currency", "is_active"]
    search_fields = ["sku", "name__istartswith"]
    show_full_result_count = False


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "customer", "placed_at", "channel", "status", "total", "currency"]
    list_filter = ["status", "channel", "currency"]
    search_fields = ["external_id"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline]
    show_full_result_count = False
