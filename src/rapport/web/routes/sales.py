from django.urls import path

from rapport.web.views.home import placeholder

urlpatterns = [
    path("sales/leads/", placeholder, name="lead-list"),
    path("sales/opportunities/", placeholder, name="opportunity-list"),
    path("sales/opportunities/<int:pk>/", placeholder, name="opportunity-detail"),
    path("sales/pipeline/", placeholder, name="pipeline-board"),
    path("sales/forecast/", placeholder, name="forecast"),
]
urlpatterns.append(path("sales/home-panel/", placeholder, name="sales-home-panel"))
