"""Summary PDFs and dashboard exports under /api/v1/."""

from django.urls import path

from . import summaries as views

urlpatterns = [
    path("summaries/", views.SummaryListView.as_view(), name="api-summaries"),
    path("summaries/<int:pk>/", views.SummaryDetailView.as_view(), name="api-summary"),
    path(
        "summaries/<int:pk>/download/",
        views.SummaryDownloadView.as_view(),
        name="api-summary-download",
    ),
    path(
        "dashboards/export/<slug:table>/",
        views.ExportTableView.as_view(),
        name="api-dashboard-export",
    ),
    path("exports/", views.ExportListView.as_view(), name="api-exports"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="api-export"),
    path(
        "exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="api-export-download"
    ),
]
