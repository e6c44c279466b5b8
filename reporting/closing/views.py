"""The dashboard's final view (``/dashboards/final/``): the program at its close."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from portal.permissions import is_ministry
from portal.views import PermissionMixin
from reporting.closing.exports import XLSX, closing_workbook
from reporting.closing.selectors import closing_cached, closing_overview
from reporting.closing.services import closing_download, closing_list_for, closing_request
from reporting.insights.permissions import can_use_dashboards
from tasks_catalog.models import Program


def program_from(params) -> Program:
    """``?program=<code>``, else the newest program (404 for an unknown or odd code)."""
    code = (params.get("program") or "").strip()
    programs = Program.objects.order_by("-start_date", "code")
    program = programs.filter(code=code).first() if code else programs.first()
    if program is None:
        raise Http404
    return program


class FinalView(PermissionMixin, TemplateView):
    """Ministry staff see every pilot; a provincial authority its own province's."""

    template_name = "reporting/closing/final.html"

    def check_permission(self):
        return can_use_dashboards(self.request.user)

    def get_context_data(self, **kwargs):
        program = program_from(self.request.GET)
        user = self.request.user

        def body() -> str:  # the figures: rendered apart, cached (closing_cached)
            values = {**closing_overview(user=user, program=program), "program": program}
            return str(render_to_string("reporting/closing/_final_body.html", values))

        html = closing_cached("page", user=user, program=program, compute=body)
        return super().get_context_data(
            program=program,
            body=mark_safe(html),  # noqa: S308 - rendered by the template engine
            programs=Program.objects.order_by("-start_date", "code"),
            documents=list(closing_list_for(user=user, program=program)[:20]),
            can_request=is_ministry(user),
            **kwargs,
        )


class ClosingRequestView(PermissionMixin, View):
    """POST ``program``: generate the program's closing document (Ministry staff)."""

    def check_permission(self):
        return can_use_dashboards(self.request.user)

    def post(self, request):
        program = program_from(request.POST)
        closing_request(actor=request.user, program=program)  # PermissionDenied: 403
        messages.success(
            request,
            _("The closing document is being generated; it is listed below when ready."),
        )
        return redirect(f"{reverse('closing:final')}?program={program.code}")


class ClosingExportView(PermissionMixin, View):
    """Every table of the final view as one Excel workbook, in the user's scope."""

    def check_permission(self):
        return can_use_dashboards(self.request.user)

    def get(self, request):
        content, name = closing_workbook(user=request.user, program=program_from(request.GET))
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ClosingDownloadView(PermissionMixin, View):
    def check_permission(self):
        return can_use_dashboards(self.request.user)

    def get(self, request, pk: int):
        return closing_download(user=request.user, pk=pk)  # 404 unless visible and ready
