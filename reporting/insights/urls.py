"""/dashboards/ (app namespace ``dashboards``): dashboard pages, summary PDFs and exports."""

from django.urls import path

from reporting.insights import summary_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("refresh/", views.RefreshView.as_view(), name="refresh"),
    path("heatmap/", views.HeatmapView.as_view(), name="heatmap"),
    path("tasks/", views.TasksView.as_view(), name="tasks"),
    path("reports/", views.ReportRowsView.as_view(), name="report-rows"),
    path("entries/", views.EntryRowsView.as_view(), name="entry-rows"),
    path("summaries/", summary_views.SummaryListView.as_view(), name="summary-list"),
    path(
        "summaries/<int:pk>/download/",
        summary_views.SummaryDownloadView.as_view(),
        name="summary-download",
    ),
    path("export/<slug:table>/", summary_views.ExportView.as_view(), name="export"),
    path("exports/", summary_views.ExportListView.as_view(), name="export-list"),
    path(
        "exports/<int:pk>/download/",
        summary_views.ExportDownloadView.as_view(),
        name="export-download",
    ),
]
