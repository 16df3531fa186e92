from django.urls import path

from rapport.web.views import analytics

urlpatterns = [
    path("analytics/", analytics.dashboard, name="analytics-dashboard"),
]
