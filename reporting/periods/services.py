"""Every write to progress reports: permission, period lock, workflow, revision check, audit, e-mail."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.models import Consortium
from portal.events import FIGURES_CHANGED, announce
from portal.messages import Message, authority_users_of, leads_of
from portal.models import User
from portal.permissions import require
from portal.services import audit_record
from portal.transitions import locked_for_edit, transition
from portal.uploads import files_cleanup_on_error, store_file
from reporting.periods.comparison import entries_with_tasks, previous_report
from reporting.periods.evidence import CheckedFile, check_evidence_upload
from reporting.periods.expectations import became_pilot_in_time, not_expected_reason
from reporting.periods.models import (
    Evidence,
    PeriodReopening,
    ProgressReport,
    ReportingPeriod,
    ReportReview,
    TaskProgress,
)
from reporting.periods.permissions import (
    can_edit_report,
    can_reopen_period,
    can_submit_report,
    can_view_reports,
    is_lead_of,
)
from reporting.periods.selectors import period_is_final, period_is_open
from reporting.periods.workflows import WORKFLOW, ReportAction, ReportState

FINAL_PERIOD_MESSAGE = gettext_lazy(
    "This is the program's final summary period: it is reported with the final summary form, "
    "not the progress report form."
)
OVERALL_FIELDS = ["summary", "key_figures", "problems", "requests"]
ENTRY_FIELDS = ["nothing_to_report", "status", "percent", "work_done", "next_plan", "problems"]


def _open(report: ProgressReport) -> bool:
    return period_is_open(period=report.period, consortium=report.consortium)


def _lock_for_edit(*, actor: User, report: ProgressReport, revision) -> ProgressReport:
    """The report locked for a change by its lead while its period is open, based on
    ``revision`` (inside ``atomic``)."""
    return locked_for_edit(
        WORKFLOW,
        report,
        actor=actor,
        permission=lambda locked: can_edit_report(actor, locked, period_open=_open(locked)),
        revision=revision,
    )


def report_url(report: ProgressReport) -> str:
    return reverse("reporting:report-detail", args=[report.consortium_id, report.period.code])


def report_start(*, actor: User, consortium: Consortium, period: ReportingPeriod) -> ProgressReport:
    """The lead starts the period's report: one entry per selected task, pre-filled from the previous period."""
    require(can_view_reports(actor, consortium))
    if not is_lead_of(actor, consortium):
        raise PermissionDenied(_("Only the consortium lead edits its reports."))
    if not consortium.is_pilot:
        raise ValidationError(_("Only approved pilot consortia report."), code="not_pilot")
    if period.program_id != consortium.program_id:
        raise ValidationError(_("This period belongs to another program."), code="period")
    if period_is_final(period):
        raise ValidationError(FINAL_PERIOD_MESSAGE, code="final_period")
    if not became_pilot_in_time(consortium=consortium, period=period):
        # The one rule (reporting.periods.expectations): not expected for this period.
        raise ValidationError(
            not_expected_reason(consortium=consortium, period=period), code="not_expected"
        )
    if not period_is_open(period=period, consortium=consortium):
        raise ValidationError(
            _("Entry for this period is closed. Ask the Ministry administrator to reopen it."),
            code="locked",
        )
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(consortium=consortium, period=period)
            previous = previous_report(consortium=consortium, period=period)
            before = {e.task_id: e for e in previous.entries.all()} if previous else {}
            if previous:
                for field in OVERALL_FIELDS:
                    setattr(report, field, getattr(previous, field))
                report.save()
            for selection in consortium.plan.selections.select_related("task"):
                old = before.get(selection.task_id)
                TaskProgress.objects.create(
                    report=report,
                    task=selection.task,
                    **({f: getattr(old, f) for f in ENTRY_FIELDS} if old else {}),
                )
            audit_record(
                actor=actor,
                action="report.create",
                target=report,
                to_state=report.state,
                data={"prefilled_from": previous.period.code if previous else None},
            )
            announce(FIGURES_CHANGED, action="report.create", target=report)
    except IntegrityError:
        # Started a moment ago by someone else (a double click): use that one.
        return ProgressReport.objects.get(consortium=consortium, period=period)
    return report


def _clear_nothing_to_report(entry: TaskProgress, previous: TaskProgress | None) -> None:
    """ "Nothing to report this period": no status, percent or work done for the period, and the
    plan and problems carried over unchanged from the previous period go too (new text stays)."""
    entry.status, entry.percent, entry.work_done = "", None, ""
    for name in ("next_plan", "problems"):
        if previous is not None and getattr(entry, name).strip() == getattr(previous, name).strip():
            setattr(entry, name, "")


def _check_uploads(uploads: dict | None) -> dict[int, tuple[str, CheckedFile]]:
    """Check every evidence file before anything is saved: a bad file refuses the whole save."""
    checked, errors = {}, {}
    for number, upload in (uploads or {}).items():
        try:
            checked[int(number)] = (
                getattr(upload, "name", "evidence"),
                check_evidence_upload(upload=upload),
            )
        except ValidationError as exc:
            errors[f"evidence_{number}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return checked


def report_update(
    *,
    actor: User,
    report: ProgressReport,
    revision: int | None,
    data: dict | None = None,
    entries: dict | None = None,
    uploads: dict | None = None,
    autosave: bool = False,
) -> ProgressReport:
    """Save the overall fields, task entries ({task number: {field: value}}) and evidence files
    ({task number: upload}) of a draft, all or nothing. A save that changes nothing keeps the
    revision (an idle autosave never makes someone else's save look stale)."""
    checked = _check_uploads(uploads)  # outside the lock: reading a PDF takes a moment
    with files_cleanup_on_error(), transaction.atomic():
        return _report_update(
            actor=actor,
            report=report,
            revision=revision,
            data=data,
            entries=entries,
            checked=checked,
            autosave=autosave,
        )


def _report_update(*, actor, report, revision, data, entries, checked, autosave) -> ProgressReport:
    report = _lock_for_edit(actor=actor, report=report, revision=revision)
    changed = []
    for field in OVERALL_FIELDS:
        if (
            data
            and field in data
            and data[field] is not None
            and getattr(report, field) != data[field]
        ):
            setattr(report, field, data[field])
            changed.append(field)
    by_number = {e.task.number: e for e in entries_with_tasks(report)}
    errors = {}
    previous_entries = None
    for number, values in (entries or {}).items():
        entry = by_number.get(int(number))
        if entry is None:
            errors[f"task_{number}"] = [
                _("Task %(n)s is not one of the consortium's tasks.") % {"n": number}
            ]
            continue
        before = [getattr(entry, f) for f in ENTRY_FIELDS]
        for field in ENTRY_FIELDS:
            if field in values and values[field] is not None:
                setattr(entry, field, values[field])
        if entry.nothing_to_report:
            # The previous period's plan and problems are asked only if there is one to clear
            # (an empty one stays empty: no read for a task already cleared).
            if previous_entries is None and (entry.next_plan or entry.problems):
                previous = previous_report(consortium=report.consortium, period=report.period)
                previous_entries = (
                    {e.task_id: e for e in previous.entries.all()} if previous else {}
                )
            _clear_nothing_to_report(entry, (previous_entries or {}).get(entry.task_id))
        # An entry as it was read holds the database's constraints already: only a changed one
        # has them checked (a query each; an autosave changes one entry of twenty).
        as_read = [getattr(entry, f) for f in ENTRY_FIELDS] == before
        try:
            entry.full_clean(exclude=["report", "task"], validate_constraints=not as_read)
        except ValidationError as exc:
            errors[f"task_{number}"] = exc.messages
            continue
        if [getattr(entry, f) for f in ENTRY_FIELDS] != before:
            entry.save()
            changed.append(f"task_{number}")
    for number in checked:
        if number not in by_number:
            errors[f"evidence_{number}"] = [
                _("Task %(n)s is not one of the consortium's tasks.") % {"n": number}
            ]
    if errors:
        raise ValidationError(errors)
    for number, (name, file) in checked.items():
        _attach_evidence(
            actor=actor, report=report, entry=by_number[number], name=name, checked=file
        )
    if not changed:
        return report
    report.revision += 1
    report.save()
    audit_record(
        actor=actor,
        action="report.edit",
        target=report,
        data={"fields": changed, **({"autosave": True} if autosave else {})},
    )
    return report


def _attach_evidence(
    *, actor: User, report: ProgressReport, entry: TaskProgress, name: str, checked: CheckedFile
) -> Evidence:
    stored = store_file(
        content=checked.content, path=f"reports/evidence/{report.pk}/{checked.sha256}"
    )
    evidence = Evidence(
        entry=entry,
        original_name=(name or "evidence")[:255],
        sha256=checked.sha256,
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    evidence.file.name = stored
    evidence.save()
    audit_record(
        actor=actor,
        action="report.evidence",
        target=report,
        data={"task": entry.task.number, "file": evidence.original_name, "sha256": checked.sha256},
    )
    return evidence


def report_add_evidence(
    *, actor: User, report: ProgressReport, task_number: int, upload
) -> Evidence:
    report_now = ProgressReport.objects.select_related("consortium", "period").get(pk=report.pk)
    require(can_edit_report(actor, report_now, period_open=_open(report_now)))
    checked = check_evidence_upload(upload=upload)
    with files_cleanup_on_error(), transaction.atomic():
        report = _lock_for_edit(actor=actor, report=report, revision=None)
        entry = report.entries.select_related("task").filter(task__number=task_number).first()
        if entry is None:
            raise ValidationError(
                _("Task %(n)s is not one of the consortium's tasks.") % {"n": task_number}
            )
        return _attach_evidence(
            actor=actor,
            report=report,
            entry=entry,
            name=getattr(upload, "name", "evidence"),
            checked=checked,
        )


def _unanswered(report: ProgressReport) -> list[int]:
    return [e.task.number for e in report.entries.select_related("task") if not e.answered]


def report_submit_blockers(report: ProgressReport) -> list[ValidationError]:
    """What stops the report from being submitted as it is saved now (empty: it can be)."""
    if period_is_final(report.period):
        # A progress report started for the final period before it had its own form.
        return [ValidationError(FINAL_PERIOD_MESSAGE, code="final_period")]
    if missing := _unanswered(report):
        return [
            ValidationError(
                _(
                    "Answer every task before submitting (a status, or “nothing to report this period”): "
                    "tasks %(numbers)s."
                )
                % {"numbers": ", ".join(map(str, missing))},
                code="unanswered",
                params={"tasks": missing},
            )
        ]
    return []


def report_submit(
    *, actor: User, report: ProgressReport, revision: int | None = None
) -> ProgressReport:
    """Submit the report as saved. Pages and API pass the ``revision`` the user reviewed: if
    anyone saved since, nothing is submitted (the user reviews the new version first)."""
    with transition(
        WORKFLOW,
        report,
        action=ReportAction.SUBMIT,
        actor=actor,
        revision=revision,
        stale_message=_(
            "The report was changed after you reviewed it. Nothing was submitted: "
            "review the current version and confirm again."
        ),
        # Submitting also needs the period open.
        permission=lambda locked: can_submit_report(actor, locked, period_open=_open(locked)),
    ) as step:
        report = step.obj
        if blockers := report_submit_blockers(report):
            raise blockers[0]
        report.submitted_at = timezone.now()
        if report.first_submitted_at is None:
            report.first_submitted_at = report.submitted_at
        step.notify(
            _report_message(
                report,
                "report.submit",
                gettext_lazy("Progress report submitted: “%(name)s”, %(period)s"),
            ),
            authority_users_of(report.consortium),
        )
    return report


def report_submit_as_sent(
    *,
    actor: User,
    report: ProgressReport,
    revision: int | None,
    data: dict | None = None,
    entries: dict | None = None,
) -> ProgressReport:
    """The submit action (``reporting/periods/actions.py``): the revision the user reviewed, and
    with fields sent, those saved and that version submitted in one transaction."""
    if data or entries:
        return report_save_and_submit(
            actor=actor, report=report, revision=revision, data=data, entries=entries
        )
    return report_submit(actor=actor, report=report, revision=revision)


@transaction.atomic
def report_save_and_submit(
    *,
    actor: User,
    report: ProgressReport,
    revision: int,
    data: dict | None = None,
    entries: dict | None = None,
) -> ProgressReport:
    """Save exactly what the user sends (revision-checked) and submit that version, or nothing."""
    report = report_update(
        actor=actor, report=report, revision=revision, data=data, entries=entries
    )
    return report_submit(actor=actor, report=report, revision=report.revision)


def _reviewed(step, *, actor: User, stage: str, comment: str, subject, recipients, body=""):
    """A review step inside its transition: the review row, and the e-mail about it."""
    ReportReview.objects.create(
        report=step.obj, action=step.action, stage=stage, comment=comment, reviewer=actor
    )
    step.notify(_report_message(step.obj, f"report.{step.action}", subject, body), recipients)


def report_confirm(*, actor: User, report: ProgressReport, comment: str = "") -> ProgressReport:
    with transition(
        WORKFLOW, report, action=ReportAction.CONFIRM, actor=actor, comment=comment
    ) as step:
        _reviewed(
            step,
            actor=actor,
            stage="province",
            comment=comment,
            subject=gettext_lazy("The province confirmed the report of “%(name)s”, %(period)s"),
            recipients=leads_of(step.obj.consortium),
        )
    return step.obj


def report_return(*, actor: User, report: ProgressReport, comment: str) -> ProgressReport:
    with transition(
        WORKFLOW, report, action=ReportAction.RETURN, actor=actor, comment=comment
    ) as step:
        if not (comment or "").strip():
            raise ValidationError({"comment": _("Say what has to be revised.")})
        consortium = step.obj.consortium
        by_province = step.obj.state == ReportState.SUBMITTED
        _reviewed(
            step,
            actor=actor,
            stage="province" if by_province else "ministry",
            comment=comment,
            subject=gettext_lazy("The report of “%(name)s”, %(period)s, was returned for revision"),
            # Returned by the Ministry: the province hears of it too.
            recipients=leads_of(consortium)
            + ([] if by_province else authority_users_of(consortium)),
            body=comment,
        )
    return step.obj


def report_accept(*, actor: User, report: ProgressReport, comment: str = "") -> ProgressReport:
    with transition(
        WORKFLOW, report, action=ReportAction.ACCEPT, actor=actor, comment=comment
    ) as step:
        consortium = step.obj.consortium
        _reviewed(
            step,
            actor=actor,
            stage="ministry",
            comment=comment,
            subject=gettext_lazy("The Ministry accepted the report of “%(name)s”, %(period)s"),
            recipients=leads_of(consortium) + authority_users_of(consortium),
        )
    return step.obj


@transaction.atomic
def period_reopen(
    *, actor: User, consortium: Consortium, period: ReportingPeriod, locks_on: dt.date, reason: str
) -> PeriodReopening:
    require(can_reopen_period(actor))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for reopening the period.")})
    if locks_on < timezone.localdate():
        raise ValidationError({"locks_on": _("The new lock date cannot be in the past.")})
    if period.program_id != consortium.program_id:
        raise ValidationError({"period": _("This period belongs to another program.")})
    reopening = PeriodReopening.objects.create(
        consortium=consortium, period=period, locks_on=locks_on, reason=reason, granted_by=actor
    )
    audit_record(
        actor=actor,
        action="period.reopen",
        target=reopening,
        comment=reason,
        data={"consortium": consortium.pk, "period": period.code, "locks_on": locks_on.isoformat()},
    )
    return reopening


def _report_message(report: ProgressReport, kind: str, subject, body: str = "") -> Message:
    """About ``report``: each recipient reads the subject (and the period's name) in their own
    language; the reviewer's comment stays as written."""
    return Message(
        kind=kind,
        subject=subject,
        body=body,
        params=lambda: {"name": report.consortium.name, "period": report.period.name},
        url=report_url(report),
    )
