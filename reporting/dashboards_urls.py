"""/dashboards/: the Ministry's and the provinces' dashboards, summary PDFs and exports."""

from django.urls import include, path

app_name = "dashboards"

urlpatterns = [
    path("", include("reporting.dashboard_urls")),
    path("", include("reporting.summary_urls")),
]
