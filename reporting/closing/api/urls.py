from django.urls import path

from reporting.closing.api import views

urlpatterns = [
    path("dashboards/final/", views.FinalOverviewView.as_view(), name="api-dashboard-final"),
    path("dashboards/final/export/", views.ClosingExportView.as_view(), name="api-closing-export"),
    path(
        "dashboards/final/closing/",
        views.ClosingDocumentListView.as_view(),
        name="api-closing-documents",
    ),
    path(
        "dashboards/final/closing/<int:pk>/download/",
        views.ClosingDocumentDownloadView.as_view(),
        name="api-closing-download",
    ),
]
