"""Report pages: thin callers of selectors and services."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from consortia.selectors import consortium_get_for
from portal.inputs import is_number
from portal.permissions import can_use_portal
from portal.prepared import Prepared
from portal.security_audit import download_of
from portal.selectors import audit_list_for, audit_target
from portal.uploads import stored_file_response
from portal.views import PermissionMixin
from reporting.periods import services
from reporting.periods.actions import REPORT_ACTIONS
from reporting.periods.comparison import (
    entries_with_tasks,
    report_compare,
    report_entries,
    report_with_period,
)
from reporting.periods.expectations import became_pilot_in_time, not_expected_reason
from reporting.periods.forms import ReopenForm, ReportForm, ReviewCommentForm
from reporting.periods.models import Evidence, ReportingPeriod
from reporting.periods.permissions import (
    can_edit_report,
    can_reopen_period,
    can_submit_report,
    can_take_report_action,
    is_lead_of,
)
from reporting.periods.selectors import (
    period_is_final,
    period_is_open,
    period_lock_date,
    period_statuses,
    pilot_consortia_visible_to,
    report_reviews,
)
from reporting.periods.workflows import STATE_HELP, ReportAction, actions_from


class ReportIndexView(PermissionMixin, TemplateView):
    """Every visible pilot consortium × its program's periods, with each report's state."""

    template_name = "reporting/report_index.html"
    permission = staticmethod(can_use_portal)

    def get_context_data(self, **kwargs):
        consortia = list(
            pilot_consortia_visible_to(user=self.request.user).select_related("program")
        )
        # Each cell: (period, report or None, its status by the one rule: expected or why not,
        # overdue, locked).
        cells: dict[int, list] = {}
        for status in period_statuses(consortia=consortia):
            cells.setdefault(status.consortium.pk, []).append(
                (status.period, status.report, status)
            )
        rows = [{"consortium": c, "cells": cells.get(c.pk, [])} for c in consortia]
        return super().get_context_data(rows=rows, **kwargs)


class ReportMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.consortium = consortium_get_for(user=request.user, pk=kwargs["consortium_pk"])
        if not self.consortium.is_pilot:
            raise Http404
        # The report with its period in one query; the period alone when there is no report.
        self.report = report_with_period(
            consortium=self.consortium.pk,
            program=self.consortium.program_id,
            code=str(kwargs["period"]),
        )
        if self.report is not None:
            self.period = self.report.period
            self.report.consortium = self.consortium  # just read: not read again
        else:
            self.period = get_object_or_404(
                ReportingPeriod, program=self.consortium.program, code=kwargs["period"]
            )
        if self.report is None and period_is_final(self.period):
            # The final period has its own form (reporting/final/).
            return redirect("reporting:final-detail", self.consortium.pk)
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect("reporting:report-detail", self.consortium.pk, self.period.code)


def _collapse_edits(entries) -> list:
    """The history as people read it: a run of saves by one person (autosaves) shows once.
    ``entries``: anything with ``action`` and ``actor_id``, newest first."""
    out = []
    for entry in entries:
        if (
            out
            and entry.action == "report.edit"
            and out[-1].action == "report.edit"
            and out[-1].actor_id == entry.actor_id
        ):
            continue
        out.append(entry)
    return out


# The page reads them on every view: prepared (portal.prepared).
_history_light = Prepared(
    lambda content_type, object_id: audit_list_for(
        content_type=content_type, object_id=object_id
    ).values_list("pk", "action", "actor_id")[:200],
    content_type=int,
    object_id=str,
)


def _history(report) -> list:
    """The report's last 200 audit entries, collapsed (``_collapse_edits``), the first 100 shown.

    A report saved automatically every few seconds has hundreds of entries that collapse to a
    few: the 200 are read as (id, action, actor) only, then the entries shown in full."""
    target = audit_target(report)
    light = [
        SimpleNamespace(pk=pk, action=action, actor_id=actor_id)
        for pk, action, actor_id in _history_light.all(**target)
    ]
    shown = [entry.pk for entry in _collapse_edits(light)[:100]]
    return list(audit_list_for(**target).filter(pk__in=shown)) if shown else []


class ReportDetailView(ReportMixin, TemplateView):
    """The report: the lead's form while it is editable, every field read-only otherwise.

    The form posts everything on the screen, whichever button is pressed: "save", an evidence
    "upload" (the typed text is saved along), "submit" (saved, then the confirmation page) or,
    from the page's script, "autosave" (answered in JSON). Every save carries the revision.
    """

    template_name = "reporting/report_detail.html"

    def form(self, data=None, files=None, entries=None):
        if entries is None:
            entries = report_entries(self.report)
        initial = {
            k: getattr(self.report, k) for k in ("summary", "key_figures", "problems", "requests")
        }
        initial["revision"] = self.report.revision
        return ReportForm(data, files, entries=entries, initial=initial)

    def get_context_data(self, **kwargs):
        for url_kwarg in ("consortium_pk", "period"):
            kwargs.pop(url_kwarg, None)
        user, report = self.request.user, self.report
        lock_date = period_lock_date(period=self.period, consortium=self.consortium)
        is_open = period_is_open(
            period=self.period, consortium=self.consortium, lock_date=lock_date
        )
        context = {
            "consortium": self.consortium,
            "period": self.period,
            "report": report,
            "is_open": is_open,
            "lock_date": lock_date,
            # Not expected for this period (the one rule): say why instead of a start button.
            "not_required": ""
            if report is not None
            else not_expected_reason(consortium=self.consortium, period=self.period)
            if not became_pilot_in_time(consortium=self.consortium, period=self.period)
            else "",
            "can_start": report is None
            and is_open
            and is_lead_of(user, self.consortium)
            and became_pilot_in_time(consortium=self.consortium, period=self.period),
            "can_reopen": bool(can_reopen_period(user)),
            "reopen_form": ReopenForm(
                initial={"consortium": self.consortium.pk, "period": self.period}
            ),
        }
        if report is not None:
            editable = bool(can_edit_report(user, report, period_open=is_open))
            entries = report_entries(report)  # one read for the comparison and the form
            comparison = report_compare(report=report, entries=entries)
            form = kwargs.pop("form", None) or (self.form(entries=entries) if editable else None)
            if form is not None:
                by_number = {t.task.number: t for t in comparison.tasks}
                for row in form.rows:
                    number = row["entry"].task.number
                    task = by_number.get(number)
                    row["unchanged"] = task.unchanged if task else []
                    if task is not None and task.previous is not None:
                        # "Nothing to report" clears in the page what the server clears on save:
                        # the plan and problems only where still carried over unchanged.
                        for name in ("next_plan", "problems"):
                            widget = form.fields[f"t{number}_{name}"].widget
                            widget.attrs["data-previous"] = getattr(task.previous, name)
            context.update(
                state_help=STATE_HELP.get(report.state, ""),
                editable=editable,
                can_submit=editable and bool(can_submit_report(user, report, period_open=is_open)),
                form=form,
                comparison=comparison,
                groups=comparison.groups(),
                actions=[
                    t.action
                    for t in actions_from(report.state)
                    if t.action != ReportAction.SUBMIT  # the lead submits through the form
                    and can_take_report_action(user, report, t.action)
                ],
                reviews=report_reviews(report),
                audit=_history(report),
                comment_form=ReviewCommentForm(),
            )
        return super().get_context_data(**context, **kwargs)

    def wants_json(self) -> bool:
        return "application/json" in self.request.headers.get("Accept", "")

    def post(self, request, *args, **kwargs):
        if self.report is None:
            raise Http404
        intent = request.POST.get("intent", "save")
        autosave = intent == "autosave"
        if autosave and not self.wants_json():
            intent = "save"
        # An autosave answers in JSON, never with the page: its entries without their files.
        entries = entries_with_tasks(self.report) if autosave else None
        form = self.form(request.POST, None if autosave else request.FILES, entries=entries)
        if not form.is_valid():
            if autosave:
                return self.json_refusal(form, status=400)
            return self.render_to_response(self.get_context_data(form=form, unsaved=True))
        try:
            report = services.report_update(
                actor=request.user,
                report=self.report,
                revision=form.cleaned_data["revision"],
                data=form.overall(),
                entries=form.entries(),
                uploads=None if autosave else form.uploads(),
                autosave=autosave,
            )
        except PermissionDenied as exc:
            if autosave:
                return JsonResponse(
                    {"ok": False, "code": "denied", "message": str(exc)}, status=403
                )
            raise
        except ValidationError as exc:
            # Keep everything the user typed on the page: nothing is lost, nothing overwritten.
            form.add_service_error(exc)
            if autosave:
                stale = getattr(exc, "code", None) == "stale"
                return self.json_refusal(form, status=409 if stale else 400, stale=stale)
            if request.FILES:
                form.add_error(
                    None, _("Nothing was saved and no file was uploaded: choose the files again.")
                )
            return self.render_to_response(self.get_context_data(form=form, unsaved=True))
        if autosave:
            saved_at = timezone.localtime().strftime("%H:%M")
            return JsonResponse(
                {
                    "ok": True,
                    "revision": report.revision,
                    "saved_at": saved_at,
                    "message": _("Saved automatically at %(time)s.") % {"time": saved_at},
                }
            )
        self.report = report
        if intent == "submit":
            if blockers := services.report_submit_blockers(report):
                # Saved, but not ready: the same page, the same text, the unanswered tasks marked.
                data = request.POST.copy()
                data["revision"] = report.revision
                form = self.form(data)
                form.is_valid()
                if blockers[0].code == "unanswered":
                    form.add_unanswered(blockers[0].params["tasks"])
                else:
                    form.add_error(None, blockers[0])
                messages.warning(request, _("Report saved. It cannot be submitted yet."))
                return self.render_to_response(self.get_context_data(form=form))
            return redirect("reporting:report-submit", self.consortium.pk, self.period.code)
        uploaded = len(form.uploads())
        messages.success(
            request,
            _("Report saved; evidence uploaded.") if uploaded else _("Report saved."),
        )
        response = self.back()
        if intent.startswith("upload-") and is_number(intent[7:]):
            response["Location"] += f"#task-{intent[7:]}"
        return response

    def json_refusal(self, form, *, status: int, stale: bool = False):
        errors = form.error_links()
        if stale:
            message = _(
                "Not saved: someone else saved this report meanwhile. Your text is still on this "
                "page; copy what you need, then reload the page."
            )
        else:
            message = _("Not saved: %(errors)s") % {"errors": " ".join(e["text"] for e in errors)}
        return JsonResponse(
            {"ok": False, "code": "stale" if stale else "invalid", "message": message},
            status=status,
        )


class ComparisonMixin(ReportMixin):
    """The report beside the same consortium's previous one (submit confirmation, comparison)."""

    def get_context_data(self, **kwargs):
        if self.report is None:
            raise Http404
        for url_kwarg in ("consortium_pk", "period"):
            kwargs.pop(url_kwarg, None)
        comparison = report_compare(report=self.report)
        return super().get_context_data(
            consortium=self.consortium,
            period=self.period,
            report=self.report,
            comparison=comparison,
            groups=comparison.groups(),
            **kwargs,
        )


class ReportSubmitView(ComparisonMixin, TemplateView):
    """The confirmation: what will be sent, tasks unchanged from the previous period flagged.

    Confirming submits the revision shown here; if anyone saved since, nothing is submitted.
    """

    template_name = "reporting/report_submit.html"

    def decision(self):
        if self.report is None:
            raise Http404
        is_open = period_is_open(period=self.period, consortium=self.consortium)
        decision = can_submit_report(self.request.user, self.report, period_open=is_open)
        if not decision:
            if decision.hide:
                raise Http404
            raise PermissionDenied(decision.reason)

    def get(self, request, *args, **kwargs):
        self.decision()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            blockers=services.report_submit_blockers(self.report), **kwargs
        )

    def post(self, request, *args, **kwargs):
        self.decision()
        try:
            report = REPORT_ACTIONS.take(
                ReportAction.SUBMIT,
                actor=request.user,
                obj=self.report,
                data={"revision": request.POST.get("revision")},
            )
        except ValidationError as exc:
            self.report.refresh_from_db()
            return self.render_to_response(self.get_context_data(errors=exc.messages))
        messages.success(request, REPORT_ACTIONS.done_message(ReportAction.SUBMIT, report, ""))
        return self.back()


class ReportCompareView(ComparisonMixin, TemplateView):
    """The report beside the same consortium's previous one: every field, unchanged ones marked."""

    template_name = "reporting/report_compare.html"


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
    """Confirm, return or accept from the report's page (``actions.py``)."""

    def post(self, request, *args, **kwargs):
        action = kwargs["action"]
        entry = REPORT_ACTIONS.get(action)
        if self.report is None or entry is None:
            raise Http404
        if action == ReportAction.SUBMIT:
            # Never submit unseen: a submission goes through the confirmation page.
            return redirect("reporting:report-submit", self.consortium.pk, self.period.code)
        form = entry.form(request.POST)
        form.is_valid()  # a comment is optional text: always valid
        try:
            REPORT_ACTIONS.take(action, actor=request.user, obj=self.report, data=form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                REPORT_ACTIONS.done_message(action, self.report, ReportAction(action).label),
            )
        return self.back()


class EvidenceDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.select_related("entry__report"), pk=pk)
        consortium_get_for(
            user=request.user, pk=evidence.entry.report.consortium_id
        )  # 404 if not visible
        return download_of(
            stored_file_response(
                name=evidence.file.name,
                filename=evidence.original_name,
                content_type=evidence.content_type,
            ),
            evidence,
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
