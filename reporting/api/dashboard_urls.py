"""Dashboard endpoints under /api/v1/."""

from django.urls import path

from . import dashboards

urlpatterns = [
    path(
        "dashboards/overview/",
        dashboards.DashboardOverviewView.as_view(),
        name="api-dashboard-overview",
    ),
    path("dashboards/tasks/", dashboards.DashboardTasksView.as_view(), name="api-dashboard-tasks"),
    path(
        "dashboards/heatmap/",
        dashboards.DashboardHeatmapView.as_view(),
        name="api-dashboard-heatmap",
    ),
    path(
        "dashboards/reports/",
        dashboards.DashboardReportRowsView.as_view(),
        name="api-dashboard-reports",
    ),
    path(
        "dashboards/entries/",
        dashboards.DashboardEntryRowsView.as_view(),
        name="api-dashboard-entries",
    ),
    path(
        "dashboards/status/", dashboards.DashboardStatusView.as_view(), name="api-dashboard-status"
    ),
    path(
        "dashboards/refresh/",
        dashboards.DashboardRefreshView.as_view(),
        name="api-dashboard-refresh",
    ),
]
