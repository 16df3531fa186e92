from django.urls import path

from rapport.web.views import customer_new, customers

urlpatterns = [
    path("customers/", customers.customer_list_view, name="customer-list"),
    path("customers/new/", customer_new.customer_new, name="customer-new"),
    path("customers/export.csv", customers.customer_export, name="customer-export"),
    path("customers/export.xlsx", customers.customer_export, {"file_format": "xlsx"}, name="customer-export-xlsx"),
    path("customers/bulk/", customers.customer_bulk, name="customer-bulk"),
    path("customers/views/", customers.saved_view_create, name="saved-view-create"),
    path("customers/views/<int:pk>/delete/", customers.saved_view_remove, name="saved-view-delete"),
]
