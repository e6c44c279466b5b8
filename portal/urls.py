from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import otp_views, views

portal_patterns = (
    [
        path("", views.HomeRedirectView.as_view(), name="home"),
        path("home/ministry/", views.HomeView.as_view(area="ministry"), name="home-ministry"),
        path("home/province/", views.HomeView.as_view(area="province"), name="home-province"),
        path("home/consortium/", views.HomeView.as_view(area="consortium"), name="home-consortium"),
        path("home/security/", views.HomeView.as_view(area="security"), name="home-security"),
        path("home/audit/", views.HomeView.as_view(area="audit"), name="home-audit"),
        # The second factor (portal/otp.py): one's own, then the security administrator's tools.
        path("accounts/two-factor/", otp_views.StatusView.as_view(), name="otp-status"),
        path("accounts/two-factor/verify/", otp_views.VerifyView.as_view(), name="otp-verify"),
        path("accounts/two-factor/enrol/", otp_views.EnrolView.as_view(), name="otp-enrol"),
        path("security/two-factor/", otp_views.DeviceListView.as_view(), name="otp-device-list"),
        path(
            "security/two-factor/<int:pk>/reset/",
            otp_views.DeviceResetView.as_view(),
            name="otp-device-reset",
        ),
        path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("catalog/", include("tasks_catalog.urls")),
    path("consortia/", include("consortia.urls")),
    path("reports/", include("reporting.periods.urls")),
    path("dashboards/final/", include("reporting.closing.urls")),
    path("dashboards/", include("reporting.insights.urls")),
    path("evaluations/", include("reporting.evaluation.urls")),
    path("security/", include("portal.security_urls")),
    path("audit/", include("portal.audit_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Redoc (styled-components) writes its style sheets into <style> elements as it renders, and
    # runs its search in a worker made from a blob: this one page also allows inline style and
    # blob workers. Never inline script (settings CONTENT_SECURITY_POLICY).
    path(
        "api/redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema")
        ),
        name="api-redoc",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

# Errors outside any view's own handling: JSON under /api/, the error pages elsewhere.
handler404 = "portal.api.exceptions.handler404"
handler500 = "portal.api.exceptions.handler500"
