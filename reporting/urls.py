from django.urls import include, path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="report-index"),
    path("deliverables/", include("reporting.deliverable_urls")),
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
        "<int:consortium_pk>/<slug:period>/evidence/<int:task>/",
        views.EvidenceUploadView.as_view(),
        name="evidence-upload",
    ),
    path(
        "<int:consortium_pk>/<slug:period>/reopen/",
        views.PeriodReopenView.as_view(),
        name="period-reopen",
    ),
]
