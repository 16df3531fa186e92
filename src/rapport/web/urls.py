"""The workspace's URLs, one module per area under ``routes/`` so each area's views and routes sit together."""

from rapport.web.routes import analytics, core, customer360, customers, duplicates, imports, merges, sales, tasks

app_name = "web"

urlpatterns = [
    *core.urlpatterns,
    *customers.urlpatterns,
    *customer360.urlpatterns,
    *tasks.urlpatterns,
    *sales.urlpatterns,
    *merges.urlpatterns,
    *duplicates.urlpatterns,
    *imports.urlpatterns,
    *analytics.urlpatterns,
]
