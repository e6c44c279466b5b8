"""Final summary pages: thin callers of selectors and services."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.generic import TemplateView

from portal.pdf import pdf_response
from portal.security_audit import download_of
from portal.selectors import audit_list_for_object
from portal.uploads import stored_file_response
from portal.views import PermissionMixin
from reporting.final import services
from reporting.final.actions import FINAL_ACTIONS
from reporting.final.content import final_content
from reporting.final.forms import CaseForm, FinalForm, ReviewForm, ScanForm
from reporting.final.models import TypicalCase
from reporting.final.pdf import final_pdf, final_pdf_filename
from reporting.final.permissions import (
    can_edit_final,
    can_list_finals,
    can_start_final,
    can_submit_final,
    can_take_final_action,
)
from reporting.final.selectors import (
    final_get_for,
    final_list_visible_to,
    final_period_for,
    final_pilots_visible_to,
    final_version_list,
)
from reporting.final.workflows import STATE_HELP, FinalAction, FinalState, actions_from
from reporting.periods.selectors import period_is_open, period_lock_date
from reporting.registry.kinds import kinds_for
from tasks_catalog.models import Program


class FinalListView(PermissionMixin, TemplateView):
    """The program's pilots and the state of each one's final summary (Ministry; a province its
    own)."""

    template_name = "reporting/final/list.html"
    permission = staticmethod(can_list_finals)

    def get_context_data(self, **kwargs):
        programs = [
            p for p in Program.objects.order_by("start_date", "code") if final_period_for(program=p)
        ]
        code = self.request.GET.get("program") or (programs[0].code if programs else "")
        program = next((p for p in programs if p.code == code), None)
        rows = []
        if program is not None:
            user = self.request.user
            reports = {
                r.consortium_id: r for r in final_list_visible_to(user=user, program=program)
            }
            rows = [
                {"consortium": c, "report": reports.get(c.pk)}
                for c in final_pilots_visible_to(user=user, program=program)
            ]
        return super().get_context_data(
            programs=programs,
            program=program,
            period=final_period_for(program=program) if program else None,
            rows=rows,
            states=FinalState,
            **kwargs,
        )


class FinalMixin(LoginRequiredMixin):
    """The consortium (404 unless visible and a pilot), its final period and summary."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.consortium, self.period, self.report = final_get_for(
            user=request.user, consortium_pk=kwargs["consortium_pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def back(self, anchor: str = ""):
        response = redirect("reporting:final-detail", self.consortium.pk)
        if anchor:
            response["Location"] += anchor
        return response

    def require_report(self):
        if self.report is None:
            raise Http404

    def with_models(self) -> bool:
        return "industry_model" in kinds_for(self.consortium.program)


class FinalDetailView(FinalMixin, TemplateView):
    """The final summary: the lead's form while editable, read-only for everyone else; the
    province's opinion and confirmation and the Ministry's review on the same page."""

    template_name = "reporting/final/detail.html"

    def form(self, data=None):
        initial = {"revision": self.report.revision}
        return FinalForm(data, report=self.report, initial=initial)

    def get_context_data(self, **kwargs):
        for key in ("consortium_pk",):
            kwargs.pop(key, None)
        user, report = self.request.user, self.report
        is_open = period_is_open(period=self.period, consortium=self.consortium)
        context = {
            "consortium": self.consortium,
            "period": self.period,
            "report": report,
            "is_open": is_open,
            "lock_date": period_lock_date(period=self.period, consortium=self.consortium),
            "can_start": report is None
            and bool(can_start_final(user, self.consortium, period_open=is_open)),
        }
        if report is not None:
            editable = bool(can_edit_final(user, report, period_open=is_open))
            context.update(
                state_help=STATE_HELP.get(report.state, ""),
                editable=editable,
                can_submit=editable and bool(can_submit_final(user, report, period_open=is_open)),
                form=kwargs.pop("form", None) or (self.form() if editable else None),
                outcomes=report.outcomes.select_related("task__category"),
                figures=report.figures.all(),
                cases=report.cases.prefetch_related("datasets", "industry_models"),
                case_form=kwargs.pop("case_form", None)
                or (
                    CaseForm(consortium=self.consortium, with_models=self.with_models())
                    if editable
                    else None
                ),
                scan_form=ScanForm() if editable else None,
                blockers=services.final_submit_blockers(report),
                actions=[
                    t.action
                    for t in actions_from(report.state)
                    if t.action != FinalAction.SUBMIT
                    and can_take_final_action(user, report, t.action)
                ],
                review_form=ReviewForm(),
                reviews=report.reviews.select_related("reviewer"),
                versions=final_version_list(report=report),
                audit=audit_list_for_object(obj=report)[:100],
            )
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_report()
        intent = request.POST.get("intent", "save")
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, unsaved=True))
        try:
            report = services.final_update(
                actor=request.user,
                report=self.report,
                revision=form.cleaned_data["revision"],
                data=form.texts(),
                outcomes=form.outcome_values(),
                figures=form.figure_values(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
            return self.render_to_response(self.get_context_data(form=form, unsaved=True))
        self.report = report
        if intent == "submit":
            try:
                FINAL_ACTIONS.take(
                    FinalAction.SUBMIT,
                    actor=request.user,
                    obj=report,
                    data={"revision": report.revision},
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                return self.back()
            messages.success(request, FINAL_ACTIONS.done_message(FinalAction.SUBMIT, report, ""))
            return self.back()
        messages.success(request, _("Final summary saved."))
        return self.back()


class FinalStartView(FinalMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            services.final_start(actor=request.user, consortium=self.consortium)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return self.back()


class FinalFiguresView(FinalMixin, View):
    """Pull the registry's figures again."""

    def post(self, request, *args, **kwargs):
        self.require_report()
        try:
            services.final_refresh_figures(
                actor=request.user, report=self.report, revision=request.POST.get("revision")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The figures were pulled from the registry again."))
        return self.back("#figures")


class FinalScanView(FinalMixin, View):
    def post(self, request, *args, **kwargs):
        self.require_report()
        form = ScanForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose the stamped scan (PDF) to upload."))
            return self.back("#scan")
        try:
            services.final_upload_scan(
                actor=request.user, report=self.report, upload=form.cleaned_data["scan"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The stamped scan is uploaded."))
        return self.back("#scan")


class FinalCaseView(FinalMixin, View):
    """Add a typical case (or delete one: ``?delete=<id>``)."""

    def post(self, request, *args, **kwargs):
        self.require_report()
        revision = request.POST.get("revision")
        if public_id := request.POST.get("delete"):
            case = get_object_or_404(TypicalCase, report=self.report, public_id=public_id)
            try:
                services.case_delete(
                    actor=request.user, report=self.report, revision=revision, case=case
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return self.back("#cases")
        form = CaseForm(request.POST, consortium=self.consortium, with_models=self.with_models())
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                separator = pgettext("label separator", ": ")
                text = " ".join(errors)
                messages.error(request, f"{label}{separator}{text}" if label else text)
            return self.back("#cases")
        try:
            services.case_save(
                actor=request.user, report=self.report, revision=revision, data=form.values()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The typical case is saved."))
        return self.back("#cases")


class FinalActionView(FinalMixin, View):
    """Confirm (with the province's opinion), return or accept (``actions.py``)."""

    def post(self, request, *args, **kwargs):
        self.require_report()
        action = kwargs["action"]
        entry = FINAL_ACTIONS.get(action)
        if entry is None or action == FinalAction.SUBMIT:
            raise Http404
        form = entry.form(request.POST)
        form.is_valid()
        try:
            FINAL_ACTIONS.take(action, actor=request.user, obj=self.report, data=form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                FINAL_ACTIONS.done_message(action, self.report, FinalAction(action).label),
            )
        return self.back()


class FinalPdfView(FinalMixin, View):
    """The current form to print and stamp ("草稿" until it can be submitted)."""

    def get(self, request, *args, **kwargs):
        self.require_report()
        draft = bool(services.final_submit_blockers(self.report))
        pdf, digest = final_pdf(self.report, draft=draft, content=final_content(self.report))
        name = final_pdf_filename(self.report, suffix="草稿" if draft else digest[:8])
        return download_of(pdf_response(pdf, name, inline=False), self.report)


class FinalVersionFileView(FinalMixin, View):
    def get(self, request, *args, **kwargs):
        self.require_report()
        version = get_object_or_404(self.report.versions, number=kwargs["number"])
        kind = kwargs["kind"]
        if kind not in ("pdf", "scan"):
            raise Http404
        name = version.pdf.name if kind == "pdf" else version.scan.name
        label = "工作总结报告" if kind == "pdf" else "盖章扫描件"
        return download_of(
            stored_file_response(
                name=name,
                filename=f"{label}-{self.consortium.name}-v{version.number}.pdf",
                content_type="application/pdf",
            ),
            version,
        )
