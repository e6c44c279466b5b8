"""The dashboard's final view (``/dashboards/final/``): the program at its close."""

from django.http import Http404
from django.views.generic import TemplateView

from portal.views import PermissionMixin
from reporting.closing.selectors import closing_overview
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
        return super().get_context_data(
            **closing_overview(user=self.request.user, program=program),
            programs=Program.objects.order_by("-start_date", "code"),
            **kwargs,
        )
