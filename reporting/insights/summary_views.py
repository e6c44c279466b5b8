"""Pages for summary PDFs and dashboard exports under /dashboards/. Thin callers of
``reporting.insights.summaries`` and ``reporting.insights.exports``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from portal.jobs import any_active
from portal.models import Organisation
from portal.permissions import is_ministry
from portal.selectors import scoped_to_province
from portal.views import PermissionMixin
from reporting.insights.dashboards import scope_for
from reporting.insights.exports.services import (
    ExportFile,
    export_download,
    export_list_for,
    export_table,
)
from reporting.insights.exports.tables import TABLES
from reporting.insights.models import JobStatus
from reporting.insights.permissions import can_use_dashboards
from reporting.insights.summaries import (
    summary_download,
    summary_list_for,
    summary_request,
)
from reporting.periods.models import ReportingPeriod
from tasks_catalog.models import Program

REFRESH_SECONDS = 3


def bad_request(request, exc: ValidationError) -> HttpResponse:
    """400 with the service's translated messages."""
    return render(
        request,
        "reporting/summaries/bad_request.html",
        {"messages_list": exc.messages},
        status=400,
    )


class SummaryRequestForm(forms.Form):
    """Program, period and province (a province user's is fixed; Ministry: empty = national)."""

    program = forms.ChoiceField(label=gettext_lazy("Program"))
    period = forms.ChoiceField(label=gettext_lazy("Reporting period"))
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        programs = list(Program.objects.order_by("start_date", "code"))
        self.fields["program"].choices = [(p.code, p.name) for p in programs]
        names = {p.pk: p.name for p in programs}
        periods = ReportingPeriod.objects.order_by("program__start_date", "due_date")
        self.fields["period"].choices = [
            (p.code, f"{p.name} · {names.get(p.program_id, '')}") for p in periods
        ]
        provinces = Organisation.objects.filter(
            kind=Organisation.Kind.PROVINCIAL_AUTHORITY
        ).order_by("sort_order", "code")
        if is_ministry(user):
            self.fields["province"].choices = [("", _("National summary"))] + [
                (o.code, o.region_name) for o in provinces
            ]
        else:
            own = scoped_to_province(provinces, user=user, field="pk")
            self.fields["province"].choices = [(o.code, o.region_name) for o in own]
            self.fields["province"].disabled = True
            self.fields["province"].initial = user.organisation.code if own else ""


class SummaryListView(PermissionMixin, TemplateView):
    """The summaries the user may see, and the form to ask for one."""

    template_name = "reporting/summaries/list.html"
    permission = staticmethod(can_use_dashboards)

    def get_context_data(self, **kwargs):
        documents = list(summary_list_for(user=self.request.user)[:100])
        kwargs.setdefault("form", SummaryRequestForm(user=self.request.user))
        return super().get_context_data(
            documents=documents,
            refresh=REFRESH_SECONDS if any_active(documents) else None,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = SummaryRequestForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        params = {k: form.cleaned_data.get(k) or "" for k in ("program", "period", "province")}
        try:
            scope = scope_for(user=request.user, params=params)
            document = summary_request(actor=request.user, scope=scope)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        document.refresh_from_db()  # rendered already when Celery runs eagerly
        if document.status == JobStatus.DONE:
            messages.success(request, _("The summary is ready."))
        else:
            messages.success(request, _("The summary is being generated; this page refreshes."))
        return redirect("dashboards:summary-list")


class SummaryDownloadView(PermissionMixin, View):
    permission = staticmethod(can_use_dashboards)

    def get(self, request, pk: int):
        return summary_download(user=request.user, pk=pk)  # 404 unless visible and ready


class ExportView(PermissionMixin, View):
    """``/dashboards/export/<table>/?<filters>&format=csv|xlsx``: the table as a file, or a job."""

    permission = staticmethod(can_use_dashboards)

    def get(self, request, table: str):
        params = {k: v for k, v in request.GET.items() if k != "format"}
        fmt = request.GET.get("format", "csv")
        try:
            export = export_table(actor=request.user, table=table, fmt=fmt, params=params)
        except ValidationError as exc:
            return bad_request(request, exc)
        if not isinstance(export, ExportFile):
            messages.info(
                request, _("The export is being prepared; it will be listed here when ready.")
            )
            return redirect("dashboards:export-list")
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response


class ExportListView(PermissionMixin, TemplateView):
    """The user's own export jobs."""

    template_name = "reporting/summaries/exports.html"
    permission = staticmethod(can_use_dashboards)

    def get_context_data(self, **kwargs):
        jobs = list(export_list_for(user=self.request.user)[:100])
        labels = {key: spec.label for key, spec in TABLES.items()}
        return super().get_context_data(
            jobs=[(job, labels.get(job.table, job.table)) for job in jobs],
            refresh=REFRESH_SECONDS if any_active(jobs) else None,
            **kwargs,
        )


class ExportDownloadView(PermissionMixin, View):
    permission = staticmethod(can_use_dashboards)

    def get(self, request, pk: int):
        return export_download(user=request.user, pk=pk)  # someone else's or not ready: 404
