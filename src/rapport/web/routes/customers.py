from django.urls import path

from rapport.web.views.home import placeholder

urlpatterns = [
    path("customers/", placeholder, name="customer-list"),
]
