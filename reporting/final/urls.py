"""``/reports/final/``, in the "reporting" namespace (see reporting/final/views.py)."""

from django.urls import path

from reporting.final import views

urlpatterns = [
    path("", views.FinalListView.as_view(), name="final-list"),
    path("<int:consortium_pk>/", views.FinalDetailView.as_view(), name="final-detail"),
    path("<int:consortium_pk>/start/", views.FinalStartView.as_view(), name="final-start"),
    path("<int:consortium_pk>/figures/", views.FinalFiguresView.as_view(), name="final-figures"),
    path("<int:consortium_pk>/scan/", views.FinalScanView.as_view(), name="final-scan"),
    path("<int:consortium_pk>/cases/", views.FinalCaseView.as_view(), name="final-case"),
    path("<int:consortium_pk>/pdf/", views.FinalPdfView.as_view(), name="final-pdf"),
    path(
        "<int:consortium_pk>/versions/<int:number>/<slug:kind>/",
        views.FinalVersionFileView.as_view(),
        name="final-version-file",
    ),
    path(
        "<int:consortium_pk>/action/<slug:action>/",
        views.FinalActionView.as_view(),
        name="final-action",
    ),
]
