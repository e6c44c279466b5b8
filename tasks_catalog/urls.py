from django.urls import path

from . import views

app_name = "tasks_catalog"

urlpatterns = [
    path("", views.ProgramListView.as_view(), name="program-list"),
    path("<slug:code>/", views.ProgramDetailView.as_view(), name="program-detail"),
]
