"""Report pages: thin callers of selectors and services."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from consortia.forms import apply_service_error
from consortia.selectors import consortium_get_for
from portal.permissions import can_use_portal
from portal.selectors import audit_list_for_object
from portal.uploads import stored_file_response
from portal.views import PermissionMixin

from . import services
from .forms import EvidenceForm, ReopenForm, ReportForm, ReviewCommentForm
from .models import Evidence, ProgressReport, ReportingPeriod
from .permissions import can_edit_report, can_reopen_period, can_take_report_action, is_lead_of
from .selectors import period_is_open, period_list, period_lock_date, pilot_consortia_visible_to
from .workflows import STATE_HELP, ReportAction, actions_from


class ReportIndexView(PermissionMixin, TemplateView):
    """Every visible pilot consortium × its program's periods, with each report's state."""

    template_name = "reporting/report_index.html"
    permission = staticmethod(can_use_portal)

    def get_context_data(self, **kwargs):
        consortia = list(
            pilot_consortia_visible_to(user=self.request.user).select_related("program")
        )
        reports = {
            (r.consortium_id, r.period_id): r
            for r in ProgressReport.objects.filter(consortium__in=consortia).select_related(
                "period"
            )
        }
        periods_by_program: dict[int, list] = {}
        for period in period_list().filter(program__in={c.program_id for c in consortia}):
            periods_by_program.setdefault(period.program_id, []).append(period)
        rows = [
            {
                "consortium": c,
                "cells": [
                    (p, reports.get((c.pk, p.pk))) for p in periods_by_program.get(c.program_id, [])
                ],
            }
            for c in consortia
        ]
        return super().get_context_data(rows=rows, **kwargs)


class ReportMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.consortium = consortium_get_for(user=request.user, pk=kwargs["consortium_pk"])
        if not self.consortium.is_pilot:
            raise Http404
        self.period = get_object_or_404(
            ReportingPeriod, program=self.consortium.program, code=kwargs["period"]
        )
        self.report = ProgressReport.objects.filter(
            consortium=self.consortium, period=self.period
        ).first()
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect("reporting:report-detail", self.consortium.pk, self.period.code)


class ReportDetailView(ReportMixin, TemplateView):
    template_name = "reporting/report_detail.html"

    def form(self, data=None):
        entries = list(self.report.entries.select_related("task").prefetch_related("evidence"))
        initial = {
            k: getattr(self.report, k) for k in ("summary", "key_figures", "problems", "requests")
        }
        initial["revision"] = self.report.revision
        return ReportForm(data, entries=entries, initial=initial)

    def get_context_data(self, **kwargs):
        for url_kwarg in ("consortium_pk", "period"):
            kwargs.pop(url_kwarg, None)
        user, report = self.request.user, self.report
        is_open = period_is_open(period=self.period, consortium=self.consortium)
        context = {
            "consortium": self.consortium,
            "period": self.period,
            "report": report,
            "is_open": is_open,
            "lock_date": period_lock_date(period=self.period, consortium=self.consortium),
            "can_start": report is None and is_open and is_lead_of(user, self.consortium),
            "can_reopen": bool(can_reopen_period(user)),
            "reopen_form": ReopenForm(
                initial={"consortium": self.consortium.pk, "period": self.period}
            ),
        }
        if report is not None:
            editable = bool(can_edit_report(user, report, period_open=is_open))
            context.update(
                state_help=STATE_HELP.get(report.state, ""),
                editable=editable,
                form=kwargs.pop("form", None) or (self.form() if editable else None),
                entries=report.entries.select_related("task").prefetch_related("evidence"),
                actions=[
                    t.action
                    for t in actions_from(report.state)
                    if can_take_report_action(user, report, t.action)
                ],
                reviews=report.reviews.select_related("reviewer"),
                audit=audit_list_for_object(obj=report)[:100],
                evidence_form=EvidenceForm(),
                comment_form=ReviewCommentForm(),
            )
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.report is None:
            raise Http404
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.report_update(
                actor=request.user,
                report=self.report,
                revision=form.cleaned_data["revision"],
                data=form.overall(),
                entries=form.entries(),
            )
        except ValidationError as exc:
            # Keep everything the user typed on the page: nothing is lost, nothing overwritten.
            apply_service_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Report saved."))
        return self.back()


class ReportStartView(ReportMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            services.report_start(
                actor=request.user, consortium=self.consortium, period=self.period
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return self.back()


class ReportActionView(ReportMixin, View):
    def post(self, request, *args, **kwargs):
        action = kwargs["action"]
        if self.report is None or action not in ReportAction.values:
            raise Http404
        comment = request.POST.get("comment", "")
        handlers = {
            ReportAction.SUBMIT: lambda: services.report_submit(
                actor=request.user, report=self.report
            ),
            ReportAction.CONFIRM: lambda: services.report_confirm(
                actor=request.user, report=self.report, comment=comment
            ),
            ReportAction.RETURN: lambda: services.report_return(
                actor=request.user, report=self.report, comment=comment
            ),
            ReportAction.ACCEPT: lambda: services.report_accept(
                actor=request.user, report=self.report, comment=comment
            ),
        }
        try:
            handlers[action]()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": ReportAction(action).label}
            )
        return self.back()


class EvidenceUploadView(ReportMixin, View):
    def post(self, request, *args, **kwargs):
        if self.report is None:
            raise Http404
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return self.back()
        try:
            services.report_add_evidence(
                actor=request.user,
                report=self.report,
                task_number=kwargs["task"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Evidence uploaded."))
        return self.back()


class EvidenceDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.select_related("entry__report"), pk=pk)
        consortium_get_for(
            user=request.user, pk=evidence.entry.report.consortium_id
        )  # 404 if not visible
        return stored_file_response(
            name=evidence.file.name,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )


class PeriodReopenView(ReportMixin, View):
    def post(self, request, *args, **kwargs):
        if not can_reopen_period(request.user):
            raise PermissionDenied(can_reopen_period(request.user).reason)
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.period_reopen(
                    actor=request.user,
                    consortium=self.consortium,
                    period=self.period,
                    locks_on=form.cleaned_data["locks_on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The period is reopened for this consortium."))
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return self.back()
