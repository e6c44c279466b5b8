from django.urls import path

from . import amendment_views as amend
from . import print_views, views

app_name = "consortia"

urlpatterns = [
    path("", views.ConsortiumListView.as_view(), name="consortium-list"),
    path("new/", views.ConsortiumCreateView.as_view(), name="consortium-create"),
    path("extensions/", views.ExtensionView.as_view(), name="extensions"),
    path("<int:pk>/", views.ConsortiumDetailView.as_view(), name="consortium-detail"),
    path("<int:pk>/edit/", views.ConsortiumEditView.as_view(), name="consortium-edit"),
    path("<int:pk>/members/", views.MembersView.as_view(), name="members"),
    path("<int:pk>/members/<int:member_pk>/", views.MembersView.as_view(), name="member-edit"),
    path(
        "<int:pk>/members/<int:member_pk>/delete/",
        views.MemberDeleteView.as_view(),
        name="member-delete",
    ),
    path("<int:pk>/plan/", views.PlanSectionsView.as_view(), name="plan-edit"),
    path("<int:pk>/tasks/", views.TaskSelectionView.as_view(), name="tasks-edit"),
    path("<int:pk>/plan.pdf", views.PlanPdfView.as_view(), name="plan-pdf"),
    path("<int:pk>/review-sheet.pdf", print_views.ReviewSheetView.as_view(), name="review-sheet"),
    path("<int:pk>/scan/", views.ScanUploadView.as_view(), name="scan"),
    path("<int:pk>/action/<slug:action>/", views.PlanActionView.as_view(), name="plan-action"),
    path(
        "<int:pk>/versions/<int:number>/<slug:kind>.pdf",
        views.VersionFileView.as_view(),
        name="version-file",
    ),
    path("<int:pk>/compare/", views.CompareView.as_view(), name="compare"),
    # Amendments of an approved plan (完善实施方案).
    path(
        "<int:pk>/amendments/new/", amend.AmendmentProposeView.as_view(), name="amendment-propose"
    ),
    path(
        "<int:pk>/amendments/<int:number>/",
        amend.AmendmentDetailView.as_view(),
        name="amendment-detail",
    ),
    path(
        "<int:pk>/amendments/<int:number>/plan/",
        amend.AmendmentSectionsView.as_view(),
        name="amendment-edit",
    ),
    path(
        "<int:pk>/amendments/<int:number>/members/",
        amend.AmendmentMembersView.as_view(),
        name="amendment-members",
    ),
    path(
        "<int:pk>/amendments/<int:number>/members/<int:index>/",
        amend.AmendmentMembersView.as_view(),
        name="amendment-member-edit",
    ),
    path(
        "<int:pk>/amendments/<int:number>/members/<int:index>/delete/",
        amend.AmendmentMemberDeleteView.as_view(),
        name="amendment-member-delete",
    ),
    path(
        "<int:pk>/amendments/<int:number>/tasks/",
        amend.AmendmentTasksView.as_view(),
        name="amendment-tasks",
    ),
    path(
        "<int:pk>/amendments/<int:number>/form.pdf",
        amend.AmendmentPdfView.as_view(),
        name="amendment-pdf",
    ),
    path(
        "<int:pk>/amendments/<int:number>/scan/",
        amend.AmendmentScanView.as_view(),
        name="amendment-scan",
    ),
    path(
        "<int:pk>/amendments/<int:number>/action/<slug:action>/",
        amend.AmendmentActionView.as_view(),
        name="amendment-action",
    ),
]
