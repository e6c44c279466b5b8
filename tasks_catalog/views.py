from django.http import Http404
from django.views.generic import TemplateView

from portal.permissions import can_read_catalog
from portal.views import PermissionMixin

from .models import Program
from .selectors import program_get_catalog, program_list


class ProgramListView(PermissionMixin, TemplateView):
    template_name = "tasks_catalog/program_list.html"
    permission = staticmethod(can_read_catalog)

    def get_context_data(self, **kwargs):
        return super().get_context_data(programs=program_list(), **kwargs)


class ProgramDetailView(PermissionMixin, TemplateView):
    """The reference task table, grouped by category, mandatory tasks marked."""

    template_name = "tasks_catalog/program_detail.html"
    permission = staticmethod(can_read_catalog)

    def get_context_data(self, **kwargs):
        try:
            program = program_get_catalog(code=kwargs["code"])
        except Program.DoesNotExist as exc:
            raise Http404 from exc
        categories = list(program.categories.all())
        tasks = [t for c in categories for t in c.tasks.all()]
        return super().get_context_data(
            program=program,
            categories=categories,
            task_count=len(tasks),
            mandatory_count=sum(t.mandatory for t in tasks),
            **kwargs,
        )
