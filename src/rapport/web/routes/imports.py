from django.urls import path

from rapport.web.views import imports

urlpatterns = [
    path("imports/", imports.import_list, name="import-list"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
    path("imports/<int:pk>/start/", imports.import_start, name="import-start"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import-progress"),
    path("imports/<int:pk>/report.csv", imports.import_report, name="import-report"),
    path("imports/<int:pk>/rollback/", imports.import_rollback, name="import-rollback"),
]
