"""``/api/v1/``: one route per resource, plus the token endpoint."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from rapport.api.v1.analytics import CustomerScoresApi
from rapport.api.v1.auth import TokenObtainView
from rapport.api.v1.commerce import OrderViewSet, ProductViewSet
from rapport.api.v1.customers import ContactViewSet, CustomerViewSet
from rapport.api.v1.interactions import InteractionViewSet, NoteViewSet, TaskViewSet
from rapport.api.v1.merges import CustomerMergeApi, CustomerMergeViewSet
from rapport.api.v1.sales import LeadViewSet, OpportunityViewSet, PipelineViewSet

app_name = "api-v1"

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("notes", NoteViewSet, basename="note")
router.register("tasks", TaskViewSet, basename="task")
router.register("products", ProductViewSet, basename="product")
router.register("orders", OrderViewSet, basename="order")
router.register("leads", LeadViewSet, basename="lead")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("pipelines", PipelineViewSet, basename="pipeline")
router.register("merges", CustomerMergeViewSet, basename="merge")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("customers/<int:pk>/merge/", CustomerMergeApi.as_view(), name="customer-merge"),
    path("customers/<int:pk>/scores/", CustomerScoresApi.as_view(), name="customer-scores"),
    *router.urls,
]
