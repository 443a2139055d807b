"""Reporting's pages, under /programme/ (the paths predate the app): counts only."""

from django.urls import path

from coachroom.reporting import capacity_views, completion_views, dashboard_views
from coachroom.reporting.insights import views as insight_views

app_name = "reporting"

urlpatterns = [
    path("capacity/", capacity_views.capacity, name="capacity"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("trust/", dashboard_views.trust_dashboard, name="trust-dashboard"),
    path("completion/", completion_views.completion, name="completion"),
    path("completion/download.csv", completion_views.completion_csv, name="completion-csv"),
    path("insights/", insight_views.insights, name="insights"),
    path("trust/insights/", insight_views.trust_insights, name="trust-insights"),
]
