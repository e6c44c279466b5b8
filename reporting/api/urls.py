"""Reporting under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("", include("reporting.api.deliverable_urls")),
]
