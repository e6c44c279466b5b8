"""Dashboard pages under /dashboards/ (app namespace ``dashboards``)."""

from django.urls import path

from . import dashboard_views as views

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("refresh/", views.RefreshView.as_view(), name="refresh"),
    path("heatmap/", views.HeatmapView.as_view(), name="heatmap"),
    path("tasks/", views.TasksView.as_view(), name="tasks"),
    path("reports/", views.ReportRowsView.as_view(), name="report-rows"),
    path("entries/", views.EntryRowsView.as_view(), name="entry-rows"),
]
