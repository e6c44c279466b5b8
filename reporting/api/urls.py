"""Reporting under /api/v1/."""

from django.urls import include, path

from reporting.periods.api import reports, review

urlpatterns = [
    path("periods/", reports.PeriodListView.as_view(), name="api-periods"),
    path("reports/", reports.ReportListView.as_view(), name="api-reports"),
    path("reporting-status/", review.ReportRowListView.as_view(), name="api-reporting-status"),
    path("reports/bulk/", review.ReportBulkView.as_view(), name="api-reports-bulk"),
    path("reports/remind/", review.ReportRemindView.as_view(), name="api-reports-remind"),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/pdf/",
        review.ReportPdfView.as_view(),
        name="api-report-pdf",
    ),
    path("period-reopenings/", reports.PeriodReopenView.as_view(), name="api-period-reopen"),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/",
        reports.ReportDetailView.as_view(),
        name="api-report",
    ),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/start/",
        reports.ReportStartView.as_view(),
        name="api-report-start",
    ),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/evidence/<int:task>/",
        reports.EvidenceUploadView.as_view(),
        name="api-report-evidence",
    ),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/submit/",
        reports.ReportSubmitView.as_view(),
        name="api-report-submit",
    ),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/preview/",
        reports.ReportPreviewView.as_view(),
        name="api-report-preview",
    ),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/compare/",
        reports.ReportCompareView.as_view(),
        name="api-report-compare",
    ),
    path(
        "consortia/<int:consortium_pk>/reports/<slug:period>/<slug:action>/",
        reports.ReportActionView.as_view(),
        name="api-report-action",
    ),
    path("", include("reporting.registry.api.urls")),
    path("", include("reporting.insights.api.urls")),
    path("", include("reporting.final.api.urls")),
    path("", include("reporting.evaluation.api.urls")),
    path("", include("reporting.closing.api.urls")),
]
