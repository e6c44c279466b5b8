"""Consortia and implementation plans under /api/v1/ (see consortia/api/views.py)."""

from django.urls import path

from ..actions import AMENDMENT_ACTIONS, PLAN_ACTIONS
from . import amendment_views as amend
from . import views

plan = "consortia/<int:pk>/plan/"
amendment = f"{plan}amendments/<int:number>/"

urlpatterns = [
    path("consortia/", views.ConsortiumListView.as_view(), name="consortium-list"),
    path("consortia/quota/", views.QuotaView.as_view(), name="consortium-quota"),
    path("consortia/<int:pk>/", views.ConsortiumDetailView.as_view(), name="consortium-detail"),
    path(
        "consortia/<int:pk>/members/", views.MemberListView.as_view(), name="consortium-member-list"
    ),
    path(
        "consortia/<int:pk>/members/<int:member_id>/",
        views.MemberDetailView.as_view(),
        name="consortium-member-detail",
    ),
    path(plan, views.PlanView.as_view(), name="plan-detail"),
    path(f"{plan}tasks/", views.PlanTasksView.as_view(), name="plan-tasks"),
    path(f"{plan}pdf/", views.PlanPdfView.as_view(), name="plan-pdf"),
    path(f"{plan}review-sheet/", views.PlanReviewSheetView.as_view(), name="plan-review-sheet"),
    path(f"{plan}scan/", views.PlanScanView.as_view(), name="plan-scan"),
    # One endpoint per workflow action of the registry (consortia/actions.py).
    *[
        path(
            f"{plan}{a.name}/",
            views.PlanActionView.as_view(action_name=a.name),
            name=f"plan-{a.name}",
        )
        for a in PLAN_ACTIONS
    ],
    path(f"{plan}versions/", views.PlanVersionListView.as_view(), name="plan-version-list"),
    path(
        f"{plan}versions/<int:number>/",
        views.PlanVersionDetailView.as_view(),
        name="plan-version-detail",
    ),
    path(
        f"{plan}versions/<int:number>/pdf/",
        views.PlanVersionFileView.as_view(kind="pdf"),
        name="plan-version-pdf",
    ),
    path(
        f"{plan}versions/<int:number>/scan/",
        views.PlanVersionFileView.as_view(kind="scan"),
        name="plan-version-scan",
    ),
    path(f"{plan}compare/", views.PlanCompareView.as_view(), name="plan-compare"),
    path(f"{plan}audit/", views.PlanAuditView.as_view(), name="plan-audit"),
    # Amendments of the approved plan (完善实施方案).
    path(f"{plan}amendments/", amend.AmendmentListView.as_view(), name="plan-amendment-list"),
    path(amendment, amend.AmendmentDetailView.as_view(), name="plan-amendment-detail"),
    path(
        f"{amendment}members/",
        amend.AmendmentMemberListView.as_view(),
        name="plan-amendment-member-list",
    ),
    path(
        f"{amendment}members/<int:index>/",
        amend.AmendmentMemberDetailView.as_view(),
        name="plan-amendment-member-detail",
    ),
    path(f"{amendment}tasks/", amend.AmendmentTasksView.as_view(), name="plan-amendment-tasks"),
    path(f"{amendment}pdf/", amend.AmendmentPdfView.as_view(), name="plan-amendment-pdf"),
    path(f"{amendment}scan/", amend.AmendmentScanView.as_view(), name="plan-amendment-scan"),
    *[
        path(
            f"{amendment}{a.name}/",
            amend.AmendmentActionView.as_view(action_name=a.name),
            name=f"plan-amendment-{a.name}",
        )
        for a in AMENDMENT_ACTIONS
    ],
    path(
        "deadline-extensions/",
        views.DeadlineExtensionListView.as_view(),
        name="deadline-extension-list",
    ),
]
