from django.urls import path

from rapport.web.views.sales import board, leads, opportunities

urlpatterns = [
    path("sales/leads/", leads.lead_list_view, name="lead-list"),
    path("sales/leads/new/", leads.lead_create_view, name="lead-create"),
    path("sales/leads/<int:pk>/", leads.lead_detail_view, name="lead-detail"),
    path("sales/leads/<int:pk>/qualify/", leads.lead_qualify_view, name="lead-qualify"),
    path("sales/leads/<int:pk>/disqualify/", leads.lead_disqualify_view, name="lead-disqualify"),
    path("sales/leads/<int:pk>/convert/", leads.lead_convert_view, name="lead-convert"),
    path("sales/opportunities/", opportunities.opportunity_list_view, name="opportunity-list"),
    path("sales/opportunities/new/", opportunities.opportunity_create_view, name="opportunity-create"),
    path("sales/opportunities/<int:pk>/", opportunities.opportunity_detail_view, name="opportunity-detail"),
    path("sales/opportunities/<int:pk>/edit/", opportunities.opportunity_edit_view, name="opportunity-edit"),
    path("sales/opportunities/<int:pk>/close/", opportunities.opportunity_close_view, name="opportunity-close"),
    path("sales/opportunities/<int:pk>/move/", board.move_view, name="opportunity-move"),
    path("sales/customer-picker/", opportunities.customer_picker_view, name="sales-customer-picker"),
    path("sales/pipeline/", board.board_view, name="pipeline-board"),
    path("sales/forecast/", board.forecast_view, name="forecast"),
    path("sales/home-panel/", board.home_panel_view, name="sales-home-panel"),
]
