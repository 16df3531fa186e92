from django.urls import path

from rapport.web.views import duplicates

urlpatterns = [
    path("duplicates/", duplicates.duplicate_queue, name="duplicate-queue"),
    path("duplicates/run/", duplicates.duplicate_run, name="duplicate-run"),
    path("duplicates/<int:pk>/merge/", duplicates.pair_merge_view, name="duplicate-merge"),
    path("duplicates/<int:pk>/not-duplicate/", duplicates.pair_dismiss_view, name="duplicate-dismiss"),
]
