"""``/audit/``: the audit administrator searches and exports the audit log. Every search and
every export is itself an audit entry (``audit.search``, ``audit.export``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from .audit_log import (
    FORMATS,
    KNOWN_ACTIONS,
    AuditEntryFilter,
    audit_entry_list,
    audit_export,
    audit_log_read,
    search_params,
)
from .listing import page_of
from .permissions import can_read_audit_log
from .security_audit import mark_audited
from .views import PermissionMixin


class AuditLogView(PermissionMixin, TemplateView):
    template_name = "portal/audit_list.html"
    permission = staticmethod(can_read_audit_log)

    def get_context_data(self, **kwargs):
        filterset = AuditEntryFilter(self.request.GET or None, queryset=audit_entry_list())
        valid = filterset.is_valid() if filterset.is_bound else True
        rows = filterset.qs if valid else audit_entry_list().none()
        page = page_of(self.request, rows)
        entries = list(page.object_list)  # read before the search itself is recorded
        params = search_params(self.request.GET)
        audit_log_read(
            actor=self.request.user,
            action="audit.search",
            params=params,
            page=page.number,
            results=page.paginator.count,
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filterset=filterset,
            page_obj=page,
            entries=entries,
            filtered=bool(params),
            known_actions=KNOWN_ACTIONS,
            formats=list(FORMATS),
            query=query.urlencode(),
            **kwargs,
        )


class AuditExportView(PermissionMixin, View):
    permission = staticmethod(can_read_audit_log)

    def get(self, request):
        filterset = AuditEntryFilter(request.GET, queryset=audit_entry_list())
        query = request.GET.copy()
        query.pop("format", None)
        back = redirect(f"{reverse('audit:entry-list')}?{query.urlencode()}")
        if not filterset.is_valid():
            for errors in filterset.errors.values():
                for error in errors:
                    messages.error(request, error)
            return back
        try:
            content, filename, content_type, count = audit_export(
                rows=filterset.qs, fmt=request.GET.get("format", "csv")
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return back
        audit_log_read(
            actor=request.user,
            action="audit.export",
            params=search_params(request.GET),
            format=request.GET.get("format", "csv"),
            rows=count,
            filename=filename,
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return mark_audited(response)
