"""The "1+4+N" deliverables under /api/v1/ (see reporting/registry/api/views.py)."""

from django.urls import path

from reporting.registry.api import views as views

scoped = "consortia/<int:consortium_pk>/deliverables/<str:kind>/"

urlpatterns = [
    path(scoped, views.DeliverableListView.as_view(), name="deliverable-list"),
    path(f"{scoped}<int:id>/", views.DeliverableDetailView.as_view(), name="deliverable-detail"),
    path(
        "deliverables/<str:kind>/",
        views.DeliverableCatalogueView.as_view(),
        name="deliverable-catalogue",
    ),
]
