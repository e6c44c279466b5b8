"""``/dashboards/final/`` (namespace ``closing``)."""

from django.urls import path

from reporting.closing import views

app_name = "closing"

urlpatterns = [path("", views.FinalView.as_view(), name="final")]
