"""``/reports/deliverables/``, in the "reporting" namespace (see reporting/registry/views.py)."""

from django.urls import path

from reporting.registry import views as views

urlpatterns = [
    path(
        "catalogue/<str:kind>/",
        views.DeliverableCatalogueView.as_view(),
        name="deliverable-catalogue",
    ),
    path("<int:consortium_pk>/", views.DeliverableHomeView.as_view(), name="deliverable-home"),
    path(
        "<int:consortium_pk>/<str:kind>/",
        views.DeliverableListView.as_view(),
        name="deliverable-list",
    ),
    path(
        "<int:consortium_pk>/<str:kind>/<int:pk>/",
        views.DeliverableEditView.as_view(),
        name="deliverable-edit",
    ),
    path(
        "<int:consortium_pk>/<str:kind>/<int:pk>/delete/",
        views.DeliverableDeleteView.as_view(),
        name="deliverable-delete",
    ),
]
