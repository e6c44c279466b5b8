"""``/api/v1/``: one router; each app adds its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tasks_catalog.api.views import ProgramViewSet, ReferenceTaskViewSet, ReferenceTermViewSet

from .audit import AuditEntryListView, AuditExportView
from .views import MeView, NotificationViewSet, OrganisationViewSet

router = DefaultRouter()
router.register("programs", ProgramViewSet, basename="program")
router.register("reference-tasks", ReferenceTaskViewSet, basename="reference-task")
router.register("reference-terms", ReferenceTermViewSet, basename="reference-term")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("audit-entries/", AuditEntryListView.as_view(), name="audit-entry-list"),
    path("audit-entries/export/", AuditExportView.as_view(), name="audit-entry-export"),
    path("", include(router.urls)),
]

urlpatterns += [path("", include("consortia.api.urls"))]
urlpatterns += [path("", include("reporting.api.urls"))]
