"""``/api/v1/``: one router; each app adds its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tasks_catalog.api.views import ProgramViewSet, ReferenceTaskViewSet, ReferenceTermViewSet

from .audit import AuditEntryListView, AuditExportView
from .security import ApiTokenViewSet, LockoutViewSet, TokenRevokeView, TokenView
from .views import (
    MeView,
    NotificationViewSet,
    OrganisationViewSet,
    RecoveryCodesView,
    TwoFactorListView,
    TwoFactorResetView,
)

router = DefaultRouter()
router.register("programs", ProgramViewSet, basename="program")
router.register("reference-tasks", ReferenceTaskViewSet, basename="reference-task")
router.register("reference-terms", ReferenceTermViewSet, basename="reference-term")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("security/lockouts", LockoutViewSet, basename="security-lockout")
router.register("security/tokens", ApiTokenViewSet, basename="security-token")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path(
        "me/two-factor/recovery-codes/", RecoveryCodesView.as_view(), name="api-otp-recovery-codes"
    ),
    path("security/two-factor/", TwoFactorListView.as_view(), name="api-otp-device-list"),
    path(
        "security/two-factor/<int:pk>/reset/",
        TwoFactorResetView.as_view(),
        name="api-otp-device-reset",
    ),
    path("audit-entries/", AuditEntryListView.as_view(), name="audit-entry-list"),
    path("audit-entries/export/", AuditExportView.as_view(), name="audit-entry-export"),
    path("", include(router.urls)),
]

urlpatterns += [path("", include("consortia.api.urls"))]
urlpatterns += [path("", include("reporting.api.urls"))]
