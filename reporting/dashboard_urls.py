"""Dashboard pages under /dashboards/ (a placeholder until the dashboard views land)."""

from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [path("", RedirectView.as_view(url="/"), name="overview")]
