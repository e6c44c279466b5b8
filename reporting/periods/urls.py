from django.urls import include, path

from reporting.periods import list_views as report_list_views
from reporting.periods import print_views as report_print_views
from reporting.periods import views

app_name = "reporting"

urlpatterns = [
    path("", report_list_views.ReportIndexView.as_view(), name="report-index"),
    path("bulk/", report_list_views.ReportBulkView.as_view(), name="report-bulk"),
    path(
        "<int:consortium_pk>/<slug:period>/pdf/",
        report_print_views.ReportPdfView.as_view(),
        name="report-pdf",
    ),
    path("deliverables/", include("reporting.registry.urls")),
    path("final/", include("reporting.final.urls")),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence-download"),
    path(
        "<int:consortium_pk>/<slug:period>/", views.ReportDetailView.as_view(), name="report-detail"
    ),
    path(
        "<int:consortium_pk>/<slug:period>/start/",
        views.ReportStartView.as_view(),
        name="report-start",
    ),
    path(
        "<int:consortium_pk>/<slug:period>/action/<slug:action>/",
        views.ReportActionView.as_view(),
        name="report-action",
    ),
    path(
        "<int:consortium_pk>/<slug:period>/submit/",
        views.ReportSubmitView.as_view(),
        name="report-submit",
    ),
    path(
        "<int:consortium_pk>/<slug:period>/compare/",
        views.ReportCompareView.as_view(),
        name="report-compare",
    ),
    path(
        "<int:consortium_pk>/<slug:period>/reopen/",
        views.PeriodReopenView.as_view(),
        name="period-reopen",
    ),
]
