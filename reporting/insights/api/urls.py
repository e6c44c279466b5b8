"""Dashboards, summary PDFs and dashboard exports under /api/v1/."""

from django.urls import path

from reporting.insights.api import dashboards, summaries

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
    path("summaries/", summaries.SummaryListView.as_view(), name="api-summaries"),
    path("summaries/<int:pk>/", summaries.SummaryDetailView.as_view(), name="api-summary"),
    path(
        "summaries/<int:pk>/download/",
        summaries.SummaryDownloadView.as_view(),
        name="api-summary-download",
    ),
    path(
        "dashboards/export/<slug:table>/",
        summaries.ExportTableView.as_view(),
        name="api-dashboard-export",
    ),
    path("exports/", summaries.ExportListView.as_view(), name="api-exports"),
    path("exports/<int:pk>/", summaries.ExportDetailView.as_view(), name="api-export"),
    path(
        "exports/<int:pk>/download/",
        summaries.ExportDownloadView.as_view(),
        name="api-export-download",
    ),
]
