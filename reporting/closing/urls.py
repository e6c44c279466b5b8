"""``/dashboards/final/`` (namespace ``closing``)."""

from django.urls import path

from reporting.closing import views

app_name = "closing"

urlpatterns = [
    path("", views.FinalView.as_view(), name="final"),
    path("closing/", views.ClosingRequestView.as_view(), name="closing-request"),
    path("export.xlsx", views.ClosingExportView.as_view(), name="closing-export"),
    path(
        "closing/<int:pk>/download/",
        views.ClosingDownloadView.as_view(),
        name="closing-download",
    ),
]
