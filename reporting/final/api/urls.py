"""The final summary under /api/v1/ (see reporting/final/api/views.py)."""

from django.urls import path

from reporting.final.api import views

scoped = "consortia/<int:consortium_pk>/final-summary/"

urlpatterns = [
    path("final-summaries/", views.FinalListView.as_view(), name="api-final-list"),
    path(scoped, views.FinalDetailView.as_view(), name="api-final"),
    path(f"{scoped}start/", views.FinalStartView.as_view(), name="api-final-start"),
    path(f"{scoped}figures/", views.FinalFiguresView.as_view(), name="api-final-figures"),
    path(f"{scoped}scan/", views.FinalScanView.as_view(), name="api-final-scan"),
    path(f"{scoped}pdf/", views.FinalPdfView.as_view(), name="api-final-pdf"),
    path(f"{scoped}cases/", views.FinalCaseListView.as_view(), name="api-final-cases"),
    path(
        f"{scoped}cases/<uuid:case_id>/",
        views.FinalCaseDetailView.as_view(),
        name="api-final-case",
    ),
    path(f"{scoped}submit/", views.FinalSubmitView.as_view(), name="api-final-submit"),
    path(f"{scoped}<slug:action>/", views.FinalActionView.as_view(), name="api-final-action"),
]
