"""Every write to final summary reports: permission, period lock, workflow, revision check, audit,
notifications; the stamped scan and the frozen version like the plan's (``consortia``)."""

import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.models import Consortium
from consortia.selectors import plan_baseline
from consortia.validators import count_characters
from portal.messages import Message, authority_users_of, leads_of, ministry_reviewers
from portal.models import User
from portal.permissions import require
from portal.services import audit_record
from portal.transitions import locked_for_edit, transition
from portal.uploads import check_pdf_upload, files_cleanup_on_error, store_file
from reporting.final.content import content_digest, final_content
from reporting.final.models import (
    ACHIEVED_MAX_CHARS,
    CASE_EFFECT_MAX_CHARS,
    EVIDENCE_MAX_CHARS,
    NOTE_MAX_CHARS,
    OPINION_MAX_CHARS,
    TEXT_LIMITS,
    Completion,
    FinalReport,
    FinalReportVersion,
    FinalReview,
    OutcomeFigure,
    TaskOutcome,
    TypicalCase,
)
from reporting.final.pdf import final_pdf, final_pdf_page_count
from reporting.final.permissions import (
    can_edit_final,
    can_start_final,
    can_submit_final,
)
from reporting.final.selectors import final_period_for
from reporting.final.workflows import WORKFLOW, FinalAction, FinalState
from reporting.insights.dashboards import consortium_deliverable_figures
from reporting.periods.selectors import period_is_open
from reporting.registry.models import Dataset, KeyIndustryModel
from tasks_catalog import terms
from tasks_catalog.models import ReferenceTask

logger = logging.getLogger(__name__)

TEXT_FIELDS = tuple(TEXT_LIMITS)
OUTCOME_FIELDS = ("completion", "percent", "achieved", "evidence")
CASE_FIELDS = ("title", "scenario", "stage", "effect")


def _open(report: FinalReport) -> bool:
    return period_is_open(period=report.period, consortium=report.consortium)


def final_url(report: FinalReport) -> str:
    return reverse("reporting:final-detail", args=[report.consortium_id])


def _lock_for_edit(*, actor: User, report: FinalReport, revision) -> FinalReport:
    return locked_for_edit(
        WORKFLOW,
        report,
        actor=actor,
        permission=lambda locked: can_edit_final(actor, locked, period_open=_open(locked)),
        revision=revision,
    )


# --- starting: pre-filled from the baseline plan and the registry ---------------------------------


def _baseline_tasks(consortium: Consortium, baseline) -> list[dict]:
    """The tasks selected in the baseline version (its frozen content), else in the plan."""
    if baseline is not None:
        return [t for t in baseline.content.get("tasks", []) if t.get("selected")]
    return [
        {
            "number": s.task.number,
            "responsible": sorted(m.name for m in s.responsible.all()),
            "target": s.target,
        }
        for s in consortium.plan.selections.select_related("task").prefetch_related("responsible")
    ]


def _pull_figures(report: FinalReport) -> None:
    """The "1+4+N" figures as the dashboards count them for this consortium, up to the final
    period; a correction already made stays (the lead sees both)."""
    now = timezone.now()
    figures = consortium_deliverable_figures(consortium=report.consortium, period=report.period)
    for kind, values in figures.items():
        pulled = {k: v for k, v in values.items() if k not in ("kind", "label")}
        OutcomeFigure.objects.update_or_create(
            report=report,
            kind=kind,
            defaults={"pulled_count": values["count"], "pulled": pulled, "pulled_at": now},
        )


def final_start(*, actor: User, consortium: Consortium) -> FinalReport:
    """The lead starts the final summary: one outcome per task selected in the baseline plan (its
    target and responsible units copied), the registry's figures pulled."""
    period = final_period_for(program=consortium.program)
    if period is None:
        raise ValidationError(
            _("This program's calendar has no final summary."), code="no_final_period"
        )
    if not consortium.is_pilot:
        raise ValidationError(_("Only approved pilot consortia report."), code="not_pilot")
    require(
        can_start_final(
            actor, consortium, period_open=period_is_open(period=period, consortium=consortium)
        )
    )
    baseline = plan_baseline(plan=consortium.plan)
    tasks = {t.number: t for t in ReferenceTask.objects.filter(program=consortium.program)}
    try:
        with transaction.atomic():
            report = FinalReport.objects.create(
                consortium=consortium, period=period, baseline=baseline
            )
            for row in _baseline_tasks(consortium, baseline):
                task = tasks.get(row["number"])
                if task is None:
                    continue
                TaskOutcome.objects.create(
                    report=report,
                    task=task,
                    target=row.get("target", ""),
                    responsible=list(row.get("responsible", [])),
                )
            _pull_figures(report)
            audit_record(
                actor=actor,
                action="final.create",
                target=report,
                to_state=report.state,
                data={"baseline_version": baseline.number if baseline else None},
            )
    except IntegrityError:
        # Started a moment ago by someone else (a double click): use that one.
        return FinalReport.objects.get(consortium=consortium, period=period)
    return report


# --- editing ---------------------------------------------------------------------------------------


def _limit_error(limit: int, length: int) -> str:
    return _("At most %(max)s characters (now %(n)s).") % {"max": limit, "n": length}


def _check_text(errors: dict, key: str, value: str, limit: int) -> None:
    n = count_characters(value)
    if n > limit:
        errors.setdefault(key, []).append(_limit_error(limit, n))


def final_update(
    *,
    actor: User,
    report: FinalReport,
    revision: int | None,
    data: dict | None = None,
    outcomes: dict | None = None,
    figures: dict | None = None,
) -> FinalReport:
    """Save the text fields, the outcomes ({task number: {field: value}}) and the figures'
    corrections ({kind: {"corrected_count", "note"}}), all or nothing, based on ``revision``."""
    with transaction.atomic():
        report = _lock_for_edit(actor=actor, report=report, revision=revision)
        errors: dict[str, list[str]] = {}
        changed: list[str] = []
        for field in TEXT_FIELDS:
            if data and data.get(field) is not None and getattr(report, field) != data[field]:
                _check_text(errors, field, data[field], TEXT_LIMITS[field][1])
                setattr(report, field, data[field])
                changed.append(field)
        by_number = {o.task.number: o for o in report.outcomes.select_related("task")}
        dirty = []
        for number, values in (outcomes or {}).items():
            key = f"task_{number}"
            outcome = by_number.get(int(number))
            if outcome is None:
                errors[key] = [
                    _("Task %(n)s is not one of the tasks of the baseline plan.") % {"n": number}
                ]
                continue
            before = [getattr(outcome, f) for f in OUTCOME_FIELDS]
            for field in OUTCOME_FIELDS:
                if field in values and values[field] is not None:
                    setattr(outcome, field, values[field])
            if outcome.completion and outcome.completion not in Completion.values:
                errors.setdefault(key, []).append(_("Choose a completion from the list."))
            if outcome.percent is not None and not 0 <= int(outcome.percent) <= 100:
                errors.setdefault(key, []).append(_("The percentage is between 0 and 100."))
            _check_text(errors, key, outcome.achieved, ACHIEVED_MAX_CHARS)
            _check_text(errors, key, outcome.evidence, EVIDENCE_MAX_CHARS)
            if [getattr(outcome, f) for f in OUTCOME_FIELDS] != before:
                dirty.append(outcome)
                changed.append(key)
        by_kind = {f.kind: f for f in report.figures.all()}
        dirty_figures = []
        for kind, values in (figures or {}).items():
            figure = by_kind.get(kind)
            key = f"figure_{kind}"
            if figure is None:
                errors[key] = [_("Unknown kind of outcome.")]
                continue
            before = (figure.corrected_count, figure.note)
            if "corrected_count" in values:
                count = values["corrected_count"]
                if count not in (None, ""):
                    try:
                        count = int(count)
                    except (TypeError, ValueError):
                        count = -1
                    if count < 0:
                        errors.setdefault(key, []).append(_("Enter a whole number, 0 or more."))
                        continue
                figure.corrected_count = None if count in (None, "") else count
            if values.get("note") is not None:
                figure.note = values["note"]
            _check_text(errors, key, figure.note, NOTE_MAX_CHARS)
            if figure.corrected and not figure.note.strip():
                errors.setdefault(key, []).append(
                    _("Say why the figure differs from the registry's.")
                )
            if (figure.corrected_count, figure.note) != before:
                dirty_figures.append(figure)
                changed.append(key)
        if errors:
            raise ValidationError(errors)
        if not changed:
            return report
        for obj in [*dirty, *dirty_figures]:
            obj.save()
        report.revision += 1
        report.save()
        audit_record(actor=actor, action="final.edit", target=report, data={"fields": changed})
    return report


def final_refresh_figures(*, actor: User, report: FinalReport, revision: int | None) -> FinalReport:
    """Pull the registry's figures again (the lead recorded more deliverables meanwhile)."""
    with transaction.atomic():
        report = _lock_for_edit(actor=actor, report=report, revision=revision)
        _pull_figures(report)
        report.revision += 1
        report.save()
        audit_record(actor=actor, action="final.figures_pull", target=report)
    return report


def _case_values(report: FinalReport, data: dict) -> tuple[dict, list, list]:
    errors: dict[str, list[str]] = {}
    values = {f: (data.get(f) or "").strip() for f in CASE_FIELDS}
    for field in ("title", "scenario", "effect"):
        if not values[field]:
            errors[field] = [_("This field is required.")]
    if values["stage"] not in dict(terms.choices(terms.STAGE)):
        errors["stage"] = [_("Choose a key stage from the list.")]
    for field, limit in (("title", 200), ("scenario", 200)):
        if len(values[field]) > limit:
            errors.setdefault(field, []).append(_limit_error(limit, len(values[field])))
    _check_text(errors, "effect", values["effect"], CASE_EFFECT_MAX_CHARS)
    consortium = report.consortium

    def owned(model, ids, field):
        ids = [int(i) for i in ids or []]
        found = list(model.objects.filter(consortium=consortium, pk__in=ids))
        if len(found) != len(set(ids)):
            errors[field] = [_("Choose only the consortium's own deliverables.")]
        return found

    datasets = owned(Dataset, data.get("datasets"), "datasets")
    models_ = owned(KeyIndustryModel, data.get("industry_models"), "industry_models")
    if errors:
        raise ValidationError(errors)
    return values, datasets, models_


def case_save(
    *,
    actor: User,
    report: FinalReport,
    revision: int | None,
    data: dict,
    case: TypicalCase | None = None,
) -> TypicalCase:
    """Add a typical case, or change ``case``; the summary's revision moves on."""
    with transaction.atomic():
        report = _lock_for_edit(actor=actor, report=report, revision=revision)
        values, datasets, models_ = _case_values(report, data)
        if case is None:
            case = TypicalCase(
                report=report,
                consortium=report.consortium,
                sort_order=report.cases.count() + 1,
            )
        elif case.report_id != report.pk:
            raise PermissionDenied(_("This case belongs to another final summary."))
        for field, value in values.items():
            setattr(case, field, value)
        case.save()
        case.datasets.set(datasets)
        case.industry_models.set(models_)
        report.revision += 1
        report.save()
        audit_record(
            actor=actor,
            action="final.case_save",
            target=report,
            data={"case": str(case.public_id), "title": case.title},
        )
    return case


def case_delete(*, actor: User, report: FinalReport, revision: int | None, case: TypicalCase):
    with transaction.atomic():
        report = _lock_for_edit(actor=actor, report=report, revision=revision)
        if case.report_id != report.pk:
            raise PermissionDenied(_("This case belongs to another final summary."))
        audit_record(
            actor=actor,
            action="final.case_delete",
            target=report,
            data={"case": str(case.public_id), "title": case.title},
        )
        case.datasets.clear()
        case.industry_models.clear()
        case.delete()
        report.revision += 1
        report.save()
    return report


# --- the stamped scan ----------------------------------------------------------------------------


def final_upload_scan(*, actor: User, report: FinalReport, upload) -> FinalReport:
    """Check the stamped scan against the generated form (the plan's checks) and keep it for the
    next submission. A refused file leaves nothing behind."""
    now = FinalReport.objects.select_related("consortium", "period").get(pk=report.pk)
    require(can_edit_final(actor, now, period_open=_open(now)))
    checked = check_pdf_upload(upload=upload, min_pages=final_pdf_page_count(now))
    with files_cleanup_on_error(), transaction.atomic():
        report = _lock_for_edit(actor=actor, report=report, revision=None)
        old = report.scan.name
        report.scan.name = store_file(
            content=checked.content, path=f"final/scans/{report.pk}/{checked.sha256}.pdf"
        )
        report.scan_sha256 = checked.sha256
        report.scan_pages = checked.page_count
        report.scan_uploaded_at = timezone.now()
        report.scan_content_sha256 = content_digest(final_content(report))
        report.save()
        audit_record(
            actor=actor,
            action="final.scan_upload",
            target=report,
            data={"sha256": checked.sha256, "pages": checked.page_count, "bytes": checked.size},
        )
    if old and old != report.scan.name:
        transaction.on_commit(lambda: _delete_quietly(old))
    return report


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # pragma: no cover - a leftover file is harmless
        logger.warning("could not delete %s", name)


# --- workflow ----------------------------------------------------------------------------------------


def final_submit_blockers(report: FinalReport) -> list[ValidationError]:
    """What stops the summary from being submitted as saved now (empty: it can be)."""
    blockers = []
    missing = [o.task.number for o in report.outcomes.select_related("task") if not o.answered]
    if missing:
        blockers.append(
            ValidationError(
                _(
                    "Give the outcome of every task before submitting (a completion and what was "
                    "achieved): tasks %(numbers)s."
                )
                % {"numbers": "、".join(map(str, missing))},
                code="unanswered",
                params={"tasks": missing},
            )
        )
    if not report.paths_mechanisms.strip():
        blockers.append(
            ValidationError(
                _("Summarise the effective paths, mechanisms and experience before submitting."),
                code="paths_missing",
            )
        )
    return blockers


def _scan_blocker(report: FinalReport, content: dict) -> ValidationError | None:
    if not report.scan:
        return ValidationError(
            _("Upload the stamped scan of the final summary before submitting."), code="no_scan"
        )
    if report.scan_content_sha256 != content_digest(content):
        return ValidationError(
            _(
                "The final summary has changed since the stamped scan was uploaded. Download the "
                "form again, print, stamp and scan it, and upload the new scan."
            ),
            code="scan_outdated",
        )
    return None


def final_submit(*, actor: User, report: FinalReport, revision: int | None = None) -> FinalReport:
    """Submit as saved: a version is frozen (content, generated PDF, stamped scan, SHA-256 each)."""
    with (
        files_cleanup_on_error(),
        transition(
            WORKFLOW,
            report,
            action=FinalAction.SUBMIT,
            actor=actor,
            revision=revision,
            stale_message=_(
                "The final summary was changed after you reviewed it. Nothing was submitted: "
                "review the current version and submit again."
            ),
            permission=lambda locked: can_submit_final(actor, locked, period_open=_open(locked)),
        ) as step,
    ):
        report = step.obj
        if blockers := final_submit_blockers(report):
            raise blockers[0]
        content = final_content(report)
        if blocker := _scan_blocker(report, content):
            raise blocker
        pdf, digest = final_pdf(report, draft=False, content=content)
        with default_storage.open(report.scan.name, "rb") as fh:
            scan = fh.read()
        if hashlib.sha256(scan).hexdigest() != report.scan_sha256:
            raise ValidationError(
                _("The stored scan is damaged. Upload it again."), code="scan_damaged"
            )
        number = report.versions.count() + 1
        pdf_sha = hashlib.sha256(pdf).hexdigest()
        now = timezone.now()
        version = FinalReportVersion(
            report=report,
            number=number,
            content=content,
            content_sha256=digest,
            pdf_sha256=pdf_sha,
            scan_sha256=report.scan_sha256,
            scan_pages=report.scan_pages or 0,
            submitted_at=now,
            submitted_by=actor,
        )
        version.pdf.name = store_file(
            content=pdf, path=f"final/versions/{report.pk}/v{number}-form-{pdf_sha}.pdf"
        )
        version.scan.name = store_file(
            content=scan,
            path=f"final/versions/{report.pk}/v{number}-scan-{report.scan_sha256}.pdf",
        )
        version.save()
        draft_scan = report.scan.name
        report.scan.name = ""
        report.scan_sha256 = report.scan_content_sha256 = ""
        report.scan_pages = report.scan_uploaded_at = None
        report.submitted_at = now
        step.on_commit(lambda: _delete_quietly(draft_scan))
        step.data = {
            "version": number,
            "content_sha256": digest,
            "pdf_sha256": pdf_sha,
            "scan_sha256": version.scan_sha256,
            "scan_pages": version.scan_pages,
        }
        step.notify(
            _message(
                report,
                "final.submit",
                gettext_lazy("Final summary submitted: “%(name)s”"),
            ),
            authority_users_of(report.consortium),
        )
    return report


def final_submit_as_sent(
    *,
    actor: User,
    report: FinalReport,
    revision: int | None,
    data: dict | None = None,
    outcomes: dict | None = None,
) -> FinalReport:
    """The submit action: with fields sent, those saved and that version submitted in one
    transaction (nothing saved if it cannot be submitted)."""
    if not (data or outcomes):
        return final_submit(actor=actor, report=report, revision=revision)
    with transaction.atomic():
        report = final_update(
            actor=actor, report=report, revision=revision, data=data, outcomes=outcomes
        )
        return final_submit(actor=actor, report=report, revision=report.revision)


def _reviewed(step, *, actor: User, stage: str, comment: str, subject, recipients, body=""):
    FinalReview.objects.create(
        report=step.obj, action=step.action, stage=stage, comment=comment, reviewer=actor
    )
    step.notify(_message(step.obj, f"final.{step.action}", subject, body), recipients)


def _check_opinion(comment: str) -> None:
    n = count_characters(comment)
    if n > OPINION_MAX_CHARS:
        raise ValidationError({"comment": _limit_error(OPINION_MAX_CHARS, n)})


def final_confirm(*, actor: User, report: FinalReport, comment: str = "") -> FinalReport:
    """The province confirms, with its opinion (推荐单位意见), kept on the summary."""
    with transition(
        WORKFLOW, report, action=FinalAction.CONFIRM, actor=actor, comment=comment
    ) as step:
        _check_opinion(comment)
        if not (comment or "").strip():
            raise ValidationError({"comment": _("Give the province's opinion.")})
        step.obj.province_opinion = comment
        _reviewed(
            step,
            actor=actor,
            stage="province",
            comment=comment,
            subject=gettext_lazy("The province confirmed the final summary of “%(name)s”"),
            recipients=leads_of(step.obj.consortium) + ministry_reviewers(),
        )
    return step.obj


def final_return(*, actor: User, report: FinalReport, comment: str) -> FinalReport:
    with transition(
        WORKFLOW, report, action=FinalAction.RETURN, actor=actor, comment=comment
    ) as step:
        if not (comment or "").strip():
            raise ValidationError({"comment": _("Say what has to be revised.")})
        _check_opinion(comment)
        consortium = step.obj.consortium
        by_province = step.obj.state == FinalState.SUBMITTED
        _reviewed(
            step,
            actor=actor,
            stage="province" if by_province else "ministry",
            comment=comment,
            subject=gettext_lazy("The final summary of “%(name)s” was returned for revision"),
            recipients=leads_of(consortium)
            + ([] if by_province else authority_users_of(consortium)),
            body=comment,
        )
    return step.obj


def final_accept(*, actor: User, report: FinalReport, comment: str = "") -> FinalReport:
    with transition(
        WORKFLOW, report, action=FinalAction.ACCEPT, actor=actor, comment=comment
    ) as step:
        consortium = step.obj.consortium
        _reviewed(
            step,
            actor=actor,
            stage="ministry",
            comment=comment,
            subject=gettext_lazy("The Ministry accepted the final summary of “%(name)s”"),
            recipients=leads_of(consortium) + authority_users_of(consortium),
        )
    return step.obj


def _message(report: FinalReport, kind: str, subject, body: str = "") -> Message:
    return Message(
        kind=kind,
        subject=subject,
        body=body,
        params=lambda: {"name": report.consortium.name},
        url=final_url(report),
    )
