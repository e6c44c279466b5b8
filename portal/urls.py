from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from . import views

portal_patterns = (
    [
        path("", views.HomeRedirectView.as_view(), name="home"),
        path("home/ministry/", views.HomeView.as_view(area="ministry"), name="home-ministry"),
        path("home/province/", views.HomeView.as_view(area="province"), name="home-province"),
        path("home/consortium/", views.HomeView.as_view(area="consortium"), name="home-consortium"),
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
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

# Errors outside any view's own handling: JSON under /api/, the error pages elsewhere.
handler404 = "portal.api.exceptions.handler404"
handler500 = "portal.api.exceptions.handler500"
