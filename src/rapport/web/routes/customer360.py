from django.urls import path

from rapport.web.views.home import placeholder

urlpatterns = [
    path("customers/<int:pk>/", placeholder, name="customer-detail"),
]
