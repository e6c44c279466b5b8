"""Summary PDFs and exports under /dashboards/ (app namespace ``dashboards``)."""

from django.urls import path

from . import summary_views as views

urlpatterns = [
    path("summaries/", views.SummaryListView.as_view(), name="summary-list"),
    path(
        "summaries/<int:pk>/download/",
        views.SummaryDownloadView.as_view(),
        name="summary-download",
    ),
    path("export/<slug:table>/", views.ExportView.as_view(), name="export"),
    path("exports/", views.ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
]
