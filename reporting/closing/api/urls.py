from django.urls import path

from reporting.closing.api import views

urlpatterns = [
    path("dashboards/final/", views.FinalOverviewView.as_view(), name="api-dashboard-final"),
]
