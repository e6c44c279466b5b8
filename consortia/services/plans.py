"""Writes to a plan: its sections and tasks, the stamped scan, and every workflow action
(submit, withdraw, reopen, return, reject, approve), each through the transition kernel
(``portal/transitions.py``): lock, who may (``consortia/workflows.py``), audit, e-mail."""

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.events import FIGURES_CHANGED, announce
from portal.messages import Message, authority_users_of, ministry_reviewers
from portal.models import Organisation, User
from portal.permissions import require
from portal.services import audit_record
from portal.transitions import locked_for_edit, transition
from portal.uploads import check_pdf_upload, files_cleanup_on_error, store_file

from ..content import (
    SECTIONS,
    clean_targets,
    content_digest,
    plan_content,
    raise_if_incomplete,
    scan_digest,
)
from ..models import Plan, PlanReview, PlanVersion, TaskSelection
from ..pdf import plan_pdf, plan_pdf_page_count
from ..permissions import can_edit_plan
from ..selectors import plan_deadline_for, quota_used
from ..workflows import QUOTA_STATES, WORKFLOW, PlanAction
from .accounts import pilot_accounts_open

logger = logging.getLogger(__name__)

PLAN_TEXT_FIELDS = ["work_foundation", "implementation_plan", "authority_opinion"]


def plan_lock_for_edit(*, actor: User, plan: Plan, revision: int | None) -> Plan:
    """The plan locked for a change of its content by its authority, based on ``revision``
    (inside ``atomic``); every content edit starts here and ends with ``plan_bump``."""
    return locked_for_edit(
        WORKFLOW,
        plan,
        actor=actor,
        permission=lambda locked: can_edit_plan(actor, locked),
        revision=revision,
    )


def plan_bump(plan: Plan) -> None:
    plan.revision += 1
    plan.save()


# --- content -----------------------------------------------------------------------------------


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, data: dict, revision: int | None) -> Plan:
    """Sections 3, 4, 5 (confirmed commitments) and 6."""
    plan = plan_lock_for_edit(actor=actor, plan=plan, revision=revision)
    changed = []
    for field in PLAN_TEXT_FIELDS:
        if field in data and data[field] is not None and getattr(plan, field) != data[field]:
            setattr(plan, field, data[field])
            changed.append(field)
    if "commitments" in data and data["commitments"] is not None:
        known = {c["key"] for c in plan.consortium.program.plan_commitments}
        keys = sorted(set(data["commitments"]))
        if unknown := [k for k in keys if k not in known]:
            raise ValidationError(
                {"commitments": _("Unknown commitment: %(keys)s.") % {"keys": ", ".join(unknown)}}
            )
        if keys != sorted(plan.commitments or []):
            plan.commitments = keys
            changed.append("commitments")
    plan.full_clean()
    plan_bump(plan)
    audit_record(actor=actor, action="plan.edit", target=plan, data={"fields": changed})
    return plan


@transaction.atomic
def plan_set_tasks(
    *,
    actor: User,
    plan: Plan,
    selections: dict[int, list[int]],
    revision: int | None,
    targets: dict[int, str] | None = None,
) -> Plan:
    """Choose the reference tasks (by number) and, for each, the responsible member units (by id)
    and, optionally, its target (预期目标, by number; a task not in ``targets`` keeps its target,
    ``targets=None`` changes none). A target for a task not taken on, or over the hard limit, is
    refused.

    Mandatory tasks are always selected: leaving one out is refused.
    """
    plan = plan_lock_for_edit(actor=actor, plan=plan, revision=revision)
    program = plan.consortium.program
    tasks = {t.number: t for t in program.tasks.all()}
    try:
        selections = {int(n): [int(i) for i in ids or []] for n, ids in selections.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {"tasks": _("Task numbers and member units must be numbers.")}
        ) from exc
    numbers = set(selections)
    if unknown := sorted(numbers - set(tasks)):
        raise ValidationError(
            {
                "tasks": _("Unknown task numbers: %(numbers)s.")
                % {"numbers": ", ".join(map(str, unknown))}
            }
        )
    mandatory = {n for n, t in tasks.items() if t.mandatory}
    if missing := sorted(mandatory - numbers):
        raise ValidationError(
            {
                "tasks": _("Mandatory tasks cannot be removed: %(numbers)s.")
                % {"numbers": ", ".join(map(str, missing))}
            }
        )
    members = {m.pk: m for m in plan.consortium.members.all()}
    for member_ids in selections.values():
        if stray := [i for i in member_ids or [] if int(i) not in members]:
            raise ValidationError(
                {
                    "tasks": _("Member units not in this consortium: %(ids)s.")
                    % {"ids": ", ".join(map(str, stray))}
                }
            )
    targets = clean_targets(targets or {}, selected=numbers)
    plan.selections.exclude(task__number__in=numbers).delete()
    for number in sorted(numbers):
        selection, _created = TaskSelection.objects.get_or_create(plan=plan, task=tasks[number])
        selection.responsible.set([members[int(i)] for i in selections[number] or []])
        if number in targets and selection.target != targets[number]:
            selection.target = targets[number]
            selection.save(update_fields=["target"])
    plan_bump(plan)
    audit_record(
        actor=actor,
        action="plan.tasks",
        target=plan,
        data={"selected": sorted(numbers), "targets": sorted(targets)},
    )
    announce(FIGURES_CHANGED, action="plan.tasks", target=plan)
    return plan


def plan_upload_scan(*, actor: User, plan: Plan, upload) -> Plan:
    """Check the stamped scan against the generated form and keep it for the next submission.

    A refused file leaves nothing behind: no row changes and no file stays in storage.
    """
    plan_now = Plan.objects.get(pk=plan.pk)
    require(can_edit_plan(actor, plan_now))
    expected = plan_pdf_page_count(plan_now)
    checked = check_pdf_upload(upload=upload, min_pages=expected)
    with files_cleanup_on_error(), transaction.atomic():
        plan = plan_lock_for_edit(actor=actor, plan=plan, revision=None)
        old_name = plan.scan.name
        name = store_file(
            content=checked.content, path=f"plans/scans/{plan.pk}/{checked.sha256}.pdf"
        )
        plan.scan.name = name
        plan.scan_sha256 = checked.sha256
        plan.scan_pages = checked.page_count
        plan.scan_uploaded_at = timezone.now()
        plan.scan_content_sha256 = scan_digest(plan_content(plan))
        plan.save()
        audit_record(
            actor=actor,
            action="plan.scan_upload",
            target=plan,
            data={"sha256": checked.sha256, "pages": checked.page_count, "bytes": checked.size},
        )
    if old_name and old_name != name:
        transaction.on_commit(lambda: _delete_quietly(old_name))
    return plan


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # pragma: no cover - a leftover file is harmless
        logger.warning("could not delete %s", name)


# --- workflow: each action is one ``transition`` of the table in consortia/workflows.py ---------


def _submission_deadline_check(plan: Plan) -> None:
    consortium = plan.consortium
    deadline, _extension = plan_deadline_for(
        program=consortium.program, authority_id=consortium.authority_id
    )
    if timezone.localdate() > deadline:
        raise ValidationError(
            _(
                "Submissions for this program closed on %(date)s. Ask the Ministry administrator for an extension."
            )
            % {"date": deadline.isoformat()},
            code="deadline",
        )


def _quota_check(plan: Plan) -> None:
    """Lock the authority's row, then count its slots: concurrent submissions queue up here.

    A returned plan already holds its slot (``QUOTA_STATES``): its resubmission needs no new
    one. Anything else needs a slot among those the authority's other plans leave free."""
    consortium = plan.consortium
    Organisation.objects.select_for_update().get(pk=consortium.authority_id)
    if plan.state in QUOTA_STATES:
        return
    used = quota_used(
        program=consortium.program, authority_id=consortium.authority_id, exclude_plan=plan
    )
    if used >= consortium.program.recommendation_quota:
        raise ValidationError(
            _(
                "Your authority has already recommended %(quota)d consortia for this program, the most "
                "allowed. A rejected or withdrawn plan frees its slot."
            )
            % {"quota": consortium.program.recommendation_quota},
            code="quota",
        )


def plan_submit(*, actor: User, plan: Plan) -> PlanVersion:
    """Freeze the plan as a new version (content, generated PDF, stamped scan, SHA-256 of each)."""
    with (
        files_cleanup_on_error(),
        transition(WORKFLOW, plan, action=PlanAction.SUBMIT, actor=actor) as step,
    ):
        plan = step.obj
        content = plan_content(plan)
        raise_if_incomplete(plan, content)
        if not plan.scan:
            raise ValidationError(
                _("Upload the stamped scan of the form before submitting."), code="no_scan"
            )
        if plan.scan_content_sha256 != scan_digest(content):
            raise ValidationError(
                _(
                    "The plan has changed since the stamped scan was uploaded. Download the form "
                    "again, print, stamp and scan it, and upload the new scan."
                ),
                code="scan_outdated",
            )
        _submission_deadline_check(plan)
        _quota_check(plan)

        # Cached by content digest since the upload.
        pdf, _digest = plan_pdf(plan, draft=False, content=content)
        with default_storage.open(plan.scan.name, "rb") as fh:
            scan = fh.read()
        if hashlib.sha256(scan).hexdigest() != plan.scan_sha256:
            raise ValidationError(
                _("The stored scan is damaged. Upload it again."), code="scan_damaged"
            )
        number = plan.versions.count() + 1
        pdf_sha = hashlib.sha256(pdf).hexdigest()
        now = timezone.now()
        version = PlanVersion(
            plan=plan,
            number=number,
            content=content,
            content_sha256=content_digest(content),
            pdf_sha256=pdf_sha,
            scan_sha256=plan.scan_sha256,
            scan_pages=plan.scan_pages or 0,
            submitted_at=now,
            submitted_by=actor,
        )
        version.pdf.name = store_file(
            content=pdf, path=f"plans/versions/{plan.pk}/v{number}-form-{pdf_sha}.pdf"
        )
        version.scan.name = store_file(
            content=scan, path=f"plans/versions/{plan.pk}/v{number}-scan-{plan.scan_sha256}.pdf"
        )
        version.save()
        # The draft's scan now lives in the version; the next submission needs a new one.
        draft_scan = plan.scan.name
        plan.scan.name = ""
        plan.scan_sha256 = plan.scan_content_sha256 = ""
        plan.scan_pages = plan.scan_uploaded_at = None
        plan.save(
            update_fields=[
                "scan",
                "scan_sha256",
                "scan_content_sha256",
                "scan_pages",
                "scan_uploaded_at",
            ]
        )
        step.on_commit(lambda: _delete_quietly(draft_scan))
        plan.submitted_at = now
        # From the version: the draft's scan fields were cleared above.
        step.data = {
            "version": number,
            "pdf_sha256": pdf_sha,
            "scan": version.scan.name,
            "scan_sha256": version.scan_sha256,
            "scan_pages": version.scan_pages,
            "scan_size": len(scan),
        }
        step.notify(
            _submitted_message(plan, version),
            ministry_reviewers(),
            dedupe_key=lambda user: f"plan.submit:{version.pk}:{user.pk}",
        )
    return version


def plan_withdraw(*, actor: User, plan: Plan, comment: str = "") -> Plan:
    with transition(
        WORKFLOW, plan, action=PlanAction.WITHDRAW, actor=actor, comment=comment
    ) as step:
        pass
    return step.obj


def plan_reopen(*, actor: User, plan: Plan) -> Plan:
    with transition(WORKFLOW, plan, action=PlanAction.REOPEN, actor=actor) as step:
        pass
    return step.obj


def _latest_version(plan: Plan) -> PlanVersion:
    return plan.versions.order_by("-number").first()


def plan_return(
    *, actor: User, plan: Plan, section_comments: dict[str, str], comment: str = ""
) -> Plan:
    """Return for revision with comments per section; the plan becomes an editable draft again."""
    with transition(WORKFLOW, plan, action=PlanAction.RETURN, actor=actor, comment=comment) as step:
        plan = step.obj
        comments = {k: v.strip() for k, v in (section_comments or {}).items() if v and v.strip()}
        if unknown := [k for k in comments if k not in SECTIONS]:
            raise ValidationError(
                {
                    "section_comments": _("Unknown sections: %(keys)s.")
                    % {"keys": ", ".join(unknown)}
                }
            )
        if not comments and not comment.strip():
            raise ValidationError(
                _("Say what has to be revised: comment on at least one section."),
                code="no_comment",
            )
        version = _latest_version(plan)
        PlanReview.objects.create(
            version=version,
            decision=PlanAction.RETURN,
            reason=comment,
            section_comments=comments,
            reviewer=actor,
        )
        step.data = {"version": version.number, "section_comments": comments}
        step.notify(
            _decision_message(
                plan,
                "plan.return",
                gettext_lazy("The Ministry returned the plan of “%(name)s” for revision"),
                comment,
            ),
            authority_users_of(plan.consortium),
        )
    return plan


def plan_reject(*, actor: User, plan: Plan, reason: str) -> Plan:
    with transition(WORKFLOW, plan, action=PlanAction.REJECT, actor=actor, comment=reason) as step:
        plan = step.obj
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for rejecting the plan.")})
        version = _latest_version(plan)
        PlanReview.objects.create(
            version=version, decision=PlanAction.REJECT, reason=reason, reviewer=actor
        )
        step.data = {"version": version.number}
        step.notify(
            _decision_message(
                plan,
                "plan.reject",
                gettext_lazy("The Ministry rejected the plan of “%(name)s”"),
                reason,
            ),
            authority_users_of(plan.consortium),
        )
    return plan


def plan_approve(*, actor: User, plan: Plan, comment: str = "") -> Plan:
    """Approve: the consortium becomes a pilot unit; its lead contact gets a consortium-lead account
    and the chosen member contacts read-only accounts, each invited by e-mail to set a password."""
    with transition(
        WORKFLOW, plan, action=PlanAction.APPROVE, actor=actor, comment=comment
    ) as step:
        plan = step.obj
        version = _latest_version(plan)
        PlanReview.objects.create(
            version=version, decision=PlanAction.APPROVE, reason=comment, reviewer=actor
        )
        consortium = plan.consortium
        consortium.pilot_since = timezone.localdate()
        if consortium.lead_organisation is None:
            consortium.lead_organisation = Organisation.objects.create(
                code=f"UNIT-{consortium.lead_unit_credit_code}-{consortium.pk}",
                kind=Organisation.Kind.UNIT,
                name_zh=consortium.lead_unit_name,
                name_en=consortium.lead_unit_name,
            )
        consortium.save()
        step.data = {"version": version.number}
        # After the approval's audit entry: the accounts' own entries and invitations follow it.
        step.then(lambda: pilot_accounts_open(consortium=consortium, actor=actor))
        step.notify(
            _decision_message(
                plan,
                "plan.approve",
                gettext_lazy("The Ministry approved the plan of “%(name)s”"),
                comment,
            ),
            authority_users_of(consortium),
        )
    return plan


# --- what the workflow tells people --------------------------------------------------------------


def plan_url(plan: Plan) -> str:
    return reverse("consortia:consortium-detail", args=[plan.consortium_id])


def _submitted_message(plan: Plan, version: PlanVersion) -> Message:
    return Message(
        kind="plan.submit",
        subject=gettext_lazy("Plan submitted: “%(name)s” (%(authority)s), version %(n)d"),
        body=gettext_lazy("A provincial authority submitted an implementation plan for review."),
        params=lambda: {
            "name": plan.consortium.name,
            "authority": plan.consortium.authority.name,
            "n": version.number,
        },
        url=plan_url(plan),
    )


def _decision_message(plan: Plan, kind: str, subject, comment: str) -> Message:
    """The Ministry's decision, to the plan's authority; the reviewer's comment as written."""
    return Message(
        kind=kind,
        subject=subject,
        body=comment,
        params=lambda: {"name": plan.consortium.name},
        url=plan_url(plan),
    )
