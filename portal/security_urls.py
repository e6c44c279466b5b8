"""``/security/``: the security administrator's pages (lockouts, API tokens)."""

from django.urls import path

from . import security_views as views

app_name = "security"

urlpatterns = [
    path("", views.SecurityHomeView.as_view(), name="home"),
    path("lockouts/", views.LockoutListView.as_view(), name="lockout-list"),
    path("lockouts/clear/", views.LockoutClearView.as_view(), name="lockout-clear"),
    path("tokens/", views.TokenListView.as_view(), name="token-list"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
]
