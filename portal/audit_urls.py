"""``/audit/``: the audit log for the audit administrator (portal/audit_views.py)."""

from django.urls import path

from . import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.AuditLogView.as_view(), name="entry-list"),
    path("export/", audit_views.AuditExportView.as_view(), name="entry-export"),
]
