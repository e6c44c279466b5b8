"""Amendments of an approved plan (完善实施方案): propose, edit (members, task division,
sections 3–4), the optional stamped scan, and the workflow (submit, withdraw, return, approve)
through the transition kernel with the table ``AMENDMENT_WORKFLOW`` (``consortia/workflows.py``).

The amendment edits a copy of the baseline's content (``PlanAmendment.content``, the shape of
``consortia.content.plan_content``); nothing the reports read changes until the Ministry
approves. Submitting freezes a ``PlanVersion`` (linked to the amendment) like a plan submission;
the approval writes the Ministry's ``PlanReview`` on it, which makes it the baseline
(``selectors.plan_baseline``), and writes its content to the plan's members, task selections
and sections, so reports and deliverables follow the new task division from then on.
"""

import copy
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import remove_perm

from portal.messages import Message, authority_users_of, leads_of, ministry_reviewers
from portal.models import User
from portal.permissions import require
from portal.roles import Role
from portal.services import audit_record
from portal.transitions import locked_for_edit, transition
from portal.uploads import check_pdf_upload, files_cleanup_on_error, store_file

from ..content import SECTIONS, clean_targets, content_digest, raise_if_incomplete, scan_digest
from ..models import MemberUnit, Plan, PlanAmendment, PlanReview, PlanVersion, TaskSelection
from ..pdf import plan_pdf
from ..permissions import (
    VIEW_PERMISSION,
    can_edit_amendment,
    can_propose_amendment,
    can_upload_amendment_scan,
    grants_changed,
)
from ..selectors import plan_baseline
from ..workflows import AMENDMENT_WORKFLOW, AmendmentAction
from .accounts import pilot_accounts_open
from .plans import _delete_quietly, plan_bump

# The member fields an amendment changes (the order is the list's).
AMENDMENT_MEMBER_FIELDS = [
    "name",
    "profile",
    "role",
    "contact_name",
    "contact_email",
    "gets_account",
]
AMENDMENT_TEXT_FIELDS = ["work_foundation", "implementation_plan"]


def amendment_propose(*, actor: User, plan: Plan, reason: str) -> PlanAmendment:
    """Start an amendment of the approved plan: a copy of the baseline's content to edit."""
    reason = (reason or "").strip()
    try:
        with transaction.atomic():
            plan = Plan.objects.select_for_update().select_related("consortium").get(pk=plan.pk)
            require(can_propose_amendment(actor, plan))
            if not reason:
                raise ValidationError({"reason": _("Say why the plan is amended.")})
            baseline = plan_baseline(plan=plan)
            number = plan.amendments.count() + 1
            amendment = PlanAmendment(
                plan=plan,
                number=number,
                reason=reason,
                based_on=baseline,
                content=copy.deepcopy(baseline.content),
                created_by=actor,
            )
            amendment.full_clean()
            amendment.save()
            audit_record(
                actor=actor,
                action="amendment.propose",
                target=amendment,
                to_state=amendment.state,
                comment=reason,
                data={"amendment": number, "based_on": baseline.number},
            )
    except IntegrityError as exc:  # proposed a moment ago by someone else
        raise ValidationError(
            _("An amendment of this plan is already open: finish or withdraw it first."),
            code="amendment_open",
        ) from exc
    return amendment


# --- content -----------------------------------------------------------------------------------


def _lock_for_edit(*, actor: User, amendment: PlanAmendment, revision: int | None):
    return locked_for_edit(
        AMENDMENT_WORKFLOW,
        amendment,
        actor=actor,
        permission=lambda locked: can_edit_amendment(actor, locked),
        revision=revision,
    )


def _save_edit(*, actor: User, amendment: PlanAmendment, action: str, data: dict) -> None:
    _refresh_member_tasks(amendment.content)
    amendment.revision += 1
    amendment.save()
    audit_record(actor=actor, action=f"amendment.{action}", target=amendment, data=data)


def _refresh_member_tasks(content: dict) -> None:
    """Each member's list of tasks, from the task division (as ``plan_content`` has it)."""
    tasks_of: dict[str, list[int]] = {m["name"]: [] for m in content["members"]}
    for task in content["tasks"]:
        if task["selected"]:
            for name in task["responsible"]:
                tasks_of.setdefault(name, []).append(task["number"])
    for member in content["members"]:
        member["tasks"] = sorted(tasks_of.get(member["name"], []))


@transaction.atomic
def amendment_update(
    *, actor: User, amendment: PlanAmendment, data: dict, revision: int | None
) -> PlanAmendment:
    """The reason and sections 3 and 4 (work foundation, implementation plan and its targets)."""
    amendment = _lock_for_edit(actor=actor, amendment=amendment, revision=revision)
    changed = []
    if data.get("reason") is not None and data["reason"].strip() != amendment.reason:
        if not data["reason"].strip():
            raise ValidationError({"reason": _("Say why the plan is amended.")})
        amendment.reason = data["reason"].strip()
        changed.append("reason")
    for field in AMENDMENT_TEXT_FIELDS:
        if data.get(field) is not None and data[field] != amendment.content[field]:
            amendment.content[field] = data[field]
            changed.append(field)
    amendment.full_clean()
    _save_edit(actor=actor, amendment=amendment, action="edit", data={"fields": changed})
    return amendment


def _member_index(amendment: PlanAmendment, index: int) -> int:
    """A member's position (1-based, as pages and API name it) as a list index, or refuse."""
    try:
        position = int(index)
    except (TypeError, ValueError):
        position = 0
    if not 1 <= position <= len(amendment.content["members"]):
        raise ValidationError(_("There is no member unit %(n)s.") % {"n": index}, code="no_member")
    return position - 1


@transaction.atomic
def amendment_member_save(
    *,
    actor: User,
    amendment: PlanAmendment,
    data: dict,
    revision: int | None,
    index: int | None = None,
) -> dict:
    """Add a member unit (``index`` None) or change the one at ``index`` (1-based). A renamed
    unit keeps its tasks."""
    amendment = _lock_for_edit(actor=actor, amendment=amendment, revision=revision)
    members = amendment.content["members"]
    position = None if index is None else _member_index(amendment, index)
    old = members[position] if position is not None else {}
    row = {field: old.get(field, "") for field in AMENDMENT_MEMBER_FIELDS}
    row["gets_account"] = bool(old.get("gets_account", False))
    for field in AMENDMENT_MEMBER_FIELDS:
        if field in data and data[field] is not None:
            row[field] = data[field]
    row["name"] = (row["name"] or "").strip()
    # The same checks as a member unit of the plan (lengths, e-mail), without saving one.
    unit = MemberUnit(consortium=amendment.plan.consortium, **row)
    unit.clean_fields(exclude=["consortium", "sort_order"])
    if row["gets_account"] and not row["contact_email"]:
        raise ValidationError(
            {"contact_email": _("Enter the contact's e-mail to give them an account.")}
        )
    others = {m["name"] for i, m in enumerate(members) if i != position}
    if row["name"] in others:
        raise ValidationError({"name": _("The consortium already has a member unit of this name.")})
    if position is None:
        members.append({**row, "tasks": []})
    else:
        if old["name"] != row["name"]:  # renamed: its tasks follow it
            for task in amendment.content["tasks"]:
                task["responsible"] = sorted(
                    row["name"] if n == old["name"] else n for n in task["responsible"]
                )
        members[position] = {**old, **row}
    _save_edit(actor=actor, amendment=amendment, action="member_save", data={"member": row["name"]})
    return row


@transaction.atomic
def amendment_member_delete(
    *, actor: User, amendment: PlanAmendment, index: int, revision: int | None
) -> None:
    """Remove a member unit; it is no longer responsible for any task."""
    amendment = _lock_for_edit(actor=actor, amendment=amendment, revision=revision)
    position = _member_index(amendment, index)
    name = amendment.content["members"].pop(position)["name"]
    for task in amendment.content["tasks"]:
        task["responsible"] = [n for n in task["responsible"] if n != name]
    _save_edit(actor=actor, amendment=amendment, action="member_delete", data={"member": name})


@transaction.atomic
def amendment_set_tasks(
    *,
    actor: User,
    amendment: PlanAmendment,
    selections: dict[int, list[str]],
    revision: int | None,
    targets: dict[int, str] | None = None,
) -> PlanAmendment:
    """The reference tasks taken on (by number), each with its responsible member units (by
    name, as the amendment's members list has them) and, optionally, its target (a task not in
    ``targets`` keeps the target it has). Mandatory tasks cannot be dropped."""
    amendment = _lock_for_edit(actor=actor, amendment=amendment, revision=revision)
    program = amendment.plan.consortium.program
    tasks = {t.number: t for t in program.tasks.all()}
    try:
        selections = {int(n): [str(m) for m in names or []] for n, names in selections.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"tasks": _("Task numbers must be numbers.")}) from exc
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
    names = {m["name"] for m in amendment.content["members"]}
    for chosen in selections.values():
        if stray := sorted(set(chosen) - names):
            raise ValidationError(
                {
                    "tasks": _("Member units not in this consortium: %(ids)s.")
                    % {"ids": ", ".join(stray)}
                }
            )
    targets = clean_targets(targets or {}, selected=numbers)
    before = {t["number"]: t.get("target", "") for t in amendment.content["tasks"]}
    amendment.content["tasks"] = [
        {
            "number": number,
            "selected": number in numbers,
            "responsible": sorted(set(selections.get(number, []))) if number in numbers else [],
            "target": targets.get(number, before.get(number, "")) if number in numbers else "",
        }
        for number in sorted(tasks)
    ]
    _save_edit(
        actor=actor,
        amendment=amendment,
        action="tasks",
        data={"selected": sorted(numbers), "targets": sorted(targets)},
    )
    return amendment


def amendment_pdf(amendment: PlanAmendment, *, draft: bool) -> tuple[bytes, str]:
    """The amended plan as the official form (cached by content digest like the plan's)."""
    return plan_pdf(amendment.plan, draft=draft, content=amendment.content)


def amendment_upload_scan(*, actor: User, amendment: PlanAmendment, upload) -> PlanAmendment:
    """The stamped scan of the amended form, when the program asks for one."""
    current = PlanAmendment.objects.select_related("plan__consortium__program").get(pk=amendment.pk)
    require(can_upload_amendment_scan(actor, current))
    if not current.plan.consortium.program.amendment_requires_scan:
        raise ValidationError(
            _("This program needs no stamped scan for an amendment."), code="no_scan_needed"
        )
    from portal.pdf import pdf_page_count

    pdf, _digest = amendment_pdf(current, draft=False)
    checked = check_pdf_upload(upload=upload, min_pages=pdf_page_count(pdf))
    with files_cleanup_on_error(), transaction.atomic():
        amendment = _lock_for_edit(actor=actor, amendment=amendment, revision=None)
        old_name = amendment.scan.name
        name = store_file(
            content=checked.content,
            path=f"plans/scans/{amendment.plan_id}/a{amendment.number}-{checked.sha256}.pdf",
        )
        amendment.scan.name = name
        amendment.scan_sha256 = checked.sha256
        amendment.scan_pages = checked.page_count
        amendment.scan_uploaded_at = timezone.now()
        amendment.scan_content_sha256 = scan_digest(amendment.content)
        amendment.save()
        audit_record(
            actor=actor,
            action="amendment.scan_upload",
            target=amendment,
            data={"sha256": checked.sha256, "pages": checked.page_count, "bytes": checked.size},
        )
    if old_name and old_name != name:
        transaction.on_commit(lambda: _delete_quietly(old_name))
    return amendment


# --- workflow ----------------------------------------------------------------------------------


def amendment_submit(*, actor: User, amendment: PlanAmendment) -> PlanVersion:
    """Freeze the amended plan as a new version of the plan (content, generated form, and the
    stamped scan when the program asks for one); the Ministry is told."""
    with (
        files_cleanup_on_error(),
        transition(
            AMENDMENT_WORKFLOW, amendment, action=AmendmentAction.SUBMIT, actor=actor
        ) as step,
    ):
        amendment = step.obj
        plan = amendment.plan
        content = amendment.content
        raise_if_incomplete(plan, content)
        digest = content_digest(content)
        needs_scan = plan.consortium.program.amendment_requires_scan
        scan = b""
        if needs_scan:
            if not amendment.scan:
                raise ValidationError(
                    _("This program needs the stamped scan of the amended form: upload it first."),
                    code="no_scan",
                )
            if amendment.scan_content_sha256 != scan_digest(content):
                raise ValidationError(
                    _(
                        "The amendment has changed since the stamped scan was uploaded. Download "
                        "the form again, print, stamp and scan it, and upload the new scan."
                    ),
                    code="scan_outdated",
                )
            with default_storage.open(amendment.scan.name, "rb") as fh:
                scan = fh.read()
            if hashlib.sha256(scan).hexdigest() != amendment.scan_sha256:
                raise ValidationError(
                    _("The stored scan is damaged. Upload it again."), code="scan_damaged"
                )
        pdf, _digest = amendment_pdf(amendment, draft=False)
        pdf_sha = hashlib.sha256(pdf).hexdigest()
        number = plan.versions.count() + 1
        now = timezone.now()
        version = PlanVersion(
            plan=plan,
            number=number,
            content=copy.deepcopy(content),
            content_sha256=digest,
            pdf_sha256=pdf_sha,
            scan_sha256=amendment.scan_sha256 if needs_scan else "",
            scan_pages=(amendment.scan_pages or 0) if needs_scan else 0,
            submitted_at=now,
            submitted_by=actor,
            amendment=amendment,
        )
        version.pdf.name = store_file(
            content=pdf, path=f"plans/versions/{plan.pk}/v{number}-form-{pdf_sha}.pdf"
        )
        if needs_scan:
            version.scan.name = store_file(
                content=scan,
                path=f"plans/versions/{plan.pk}/v{number}-scan-{amendment.scan_sha256}.pdf",
            )
            draft_scan = amendment.scan.name
            amendment.scan.name = ""
            amendment.scan_sha256 = amendment.scan_content_sha256 = ""
            amendment.scan_pages = amendment.scan_uploaded_at = None
            amendment.save(
                update_fields=[
                    "scan",
                    "scan_sha256",
                    "scan_content_sha256",
                    "scan_pages",
                    "scan_uploaded_at",
                ]
            )
            step.on_commit(lambda: _delete_quietly(draft_scan))
        version.save()
        amendment.submitted_at = now
        step.data = {
            "amendment": amendment.number,
            "version": number,
            "pdf_sha256": pdf_sha,
            "scan_sha256": version.scan_sha256,
        }
        step.notify(
            _submitted_message(amendment, version),
            ministry_reviewers(),
            dedupe_key=lambda user: f"amendment.submit:{version.pk}:{user.pk}",
        )
    return version


def amendment_withdraw(
    *, actor: User, amendment: PlanAmendment, comment: str = ""
) -> PlanAmendment:
    """Give the amendment up; the approved plan stays as it is."""
    with transition(
        AMENDMENT_WORKFLOW, amendment, action=AmendmentAction.WITHDRAW, actor=actor, comment=comment
    ) as step:
        pass
    return step.obj


def _submitted_version(amendment: PlanAmendment) -> PlanVersion:
    return amendment.versions.order_by("-number").first()


def amendment_return(
    *,
    actor: User,
    amendment: PlanAmendment,
    section_comments: dict[str, str] | None = None,
    comment: str = "",
) -> PlanAmendment:
    """Return the amendment with the reason (overall and per section); the authority revises it
    and submits again. The approved plan stays the baseline."""
    with transition(
        AMENDMENT_WORKFLOW, amendment, action=AmendmentAction.RETURN, actor=actor, comment=comment
    ) as step:
        amendment = step.obj
        comments = {k: v.strip() for k, v in (section_comments or {}).items() if v and v.strip()}
        if unknown := [k for k in comments if k not in SECTIONS]:
            raise ValidationError(
                {
                    "section_comments": _("Unknown sections: %(keys)s.")
                    % {"keys": ", ".join(unknown)}
                }
            )
        if not comments and not (comment or "").strip():
            raise ValidationError(
                _("Say what has to be revised: comment on at least one section."),
                code="no_comment",
            )
        version = _submitted_version(amendment)
        PlanReview.objects.create(
            version=version,
            decision=AmendmentAction.RETURN,
            reason=comment,
            section_comments=comments,
            reviewer=actor,
        )
        step.data = {
            "amendment": amendment.number,
            "version": version.number,
            "section_comments": comments,
        }
        step.notify(
            _decision_message(
                amendment,
                "amendment.return",
                gettext_lazy("The Ministry returned the amendment of the plan of “%(name)s”"),
                comment,
            ),
            _authority_and_leads(amendment),
        )
    return amendment


def amendment_approve(*, actor: User, amendment: PlanAmendment, comment: str = "") -> PlanAmendment:
    """Approve: the amendment's version becomes the baseline (its ``PlanReview`` approves it) and
    its content is written to the plan's members, task selections and sections 3–4. Earlier
    versions, the first approved one included, are left exactly as they were."""
    with transition(
        AMENDMENT_WORKFLOW,
        amendment,
        action=AmendmentAction.APPROVE,
        actor=actor,
        comment=comment,
    ) as step:
        amendment = step.obj
        version = _submitted_version(amendment)
        PlanReview.objects.create(
            version=version, decision=AmendmentAction.APPROVE, reason=comment, reviewer=actor
        )
        changes = _apply_content(plan=amendment.plan, content=version.content, actor=actor)
        step.data = {"amendment": amendment.number, "version": version.number, **changes}
        consortium = amendment.plan.consortium
        # New member contacts who get an account are invited (those already invited are not).
        step.then(lambda: pilot_accounts_open(consortium=consortium, actor=actor))
        step.notify(
            _decision_message(
                amendment,
                "amendment.approve",
                gettext_lazy("The Ministry approved the amendment of the plan of “%(name)s”"),
                comment,
            ),
            _authority_and_leads(amendment),
        )
    return amendment


def _apply_content(*, plan: Plan, content: dict, actor: User) -> dict:
    """Write an approved amendment's content to the plan: member units (matched by name; a unit
    no longer listed is removed and its contacts' read-only accounts lose the consortium), task
    selections and sections 3–4. Reports started later follow the new task division."""
    plan = Plan.objects.select_for_update().select_related("consortium").get(pk=plan.pk)
    consortium = plan.consortium
    existing = {m.name: m for m in consortium.members.all()}
    wanted = {m["name"]: m for m in content["members"]}
    removed = sorted(set(existing) - set(wanted))
    added = sorted(set(wanted) - set(existing))
    for name in removed:
        _member_accounts_revoke(member=existing[name], actor=actor)
        existing[name].delete()
    members = {}
    for order, (name, row) in enumerate(wanted.items(), 1):
        member = existing.get(name) or MemberUnit(consortium=consortium)
        for field in AMENDMENT_MEMBER_FIELDS:
            setattr(member, field, row.get(field, getattr(member, field)))
        member.sort_order = order
        member.full_clean()
        member.save()
        members[name] = member
    tasks = {t.number: t for t in consortium.program.tasks.all()}
    chosen = {t["number"]: t for t in content["tasks"] if t["selected"]}
    plan.selections.exclude(task__number__in=chosen).delete()
    for number, row in sorted(chosen.items()):
        selection, _created = TaskSelection.objects.get_or_create(plan=plan, task=tasks[number])
        selection.responsible.set([members[n] for n in row["responsible"]])
        selection.target = row.get("target", "")
        selection.save(update_fields=["target"])
    for field in AMENDMENT_TEXT_FIELDS:
        setattr(plan, field, content[field])
    plan_bump(plan)
    audit_record(
        actor=actor,
        action="plan.amendment_apply",
        target=plan,
        data={"members_added": added, "members_removed": removed, "tasks": sorted(chosen)},
    )
    return {"members_added": added, "members_removed": removed}


def _member_accounts_revoke(*, member: MemberUnit, actor: User) -> None:
    """A member unit leaves: its contacts' read-only accounts no longer see the consortium
    (the accounts stay, for other consortia they may belong to)."""
    consortium = member.consortium
    for user in User.objects.filter(
        role=Role.CONSORTIUM_MEMBER, organisation__code=f"UNIT-M{member.pk}"
    ):
        remove_perm(VIEW_PERMISSION, user, consortium)
        grants_changed()
        audit_record(
            actor=actor,
            action="user.revoke",
            target=user,
            data={"consortium": consortium.pk, "member": member.name},
        )


# --- what the workflow tells people --------------------------------------------------------------


def amendment_url(amendment: PlanAmendment) -> str:
    return reverse(
        "consortia:amendment-detail", args=[amendment.plan.consortium_id, amendment.number]
    )


def _authority_and_leads(amendment: PlanAmendment) -> list[User]:
    consortium = amendment.plan.consortium
    return [*authority_users_of(consortium), *leads_of(consortium)]


def _submitted_message(amendment: PlanAmendment, version: PlanVersion) -> Message:
    consortium = amendment.plan.consortium
    return Message(
        kind="amendment.submit",
        subject=gettext_lazy("Plan amendment submitted: “%(name)s” (%(authority)s), version %(n)d"),
        body=gettext_lazy(
            "A provincial authority submitted an amendment of an approved implementation plan "
            "for review."
        ),
        params=lambda: {
            "name": consortium.name,
            "authority": consortium.authority.name,
            "n": version.number,
        },
        url=amendment_url(amendment),
    )


def _decision_message(amendment: PlanAmendment, kind: str, subject, comment: str) -> Message:
    return Message(
        kind=kind,
        subject=subject,
        body=comment,
        params=lambda: {"name": amendment.plan.consortium.name},
        url=amendment_url(amendment),
    )
