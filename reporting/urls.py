from django.urls import include, path

app_name = "reporting"

urlpatterns = [
    path("deliverables/", include("reporting.deliverable_urls")),
]
