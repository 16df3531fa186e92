from django.urls import path

from rapport.web.views import customers

urlpatterns = [
    path("customers/", customers.customer_list_view, name="customer-list"),
    path("customers/export.csv", customers.customer_export, name="customer-export"),
    path("customers/bulk/", customers.customer_bulk, name="customer-bulk"),
    path("customers/views/", customers.saved_view_create, name="saved-view-create"),
    path("customers/views/<int:pk>/delete/", customers.saved_view_remove, name="saved-view-delete"),
]
