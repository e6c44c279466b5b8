"""Every write to consortia and plans: permission check, workflow check, save, audit entry, e-mail."""

import datetime as dt
import hashlib
import logging

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.functional import Promise
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm

from portal.models import Organisation, User
from portal.notifications import notifications_queue
from portal.permissions import Decision
from portal.roles import Role
from portal.services import audit_record, user_sync_role
from portal.uploads import check_pdf_upload, files_cleanup_on_error, store_file
from tasks_catalog.models import Program

from .content import content_digest, plan_content, raise_if_incomplete
from .models import (
    Consortium,
    DeadlineExtension,
    MemberUnit,
    Plan,
    PlanReview,
    PlanVersion,
    TaskSelection,
)
from .pdf import plan_pdf, plan_pdf_page_count
from .permissions import (
    VIEW_PERMISSION,
    can_create_consortium,
    can_edit_plan,
    can_grant_extension,
    can_take_action,
)
from .selectors import plan_deadline_for, quota_used
from .workflows import QUOTA_STATES, PlanAction, transition_for

logger = logging.getLogger(__name__)

CONSORTIUM_FIELDS = [
    "name",
    "entity_type",
    "lead_unit_name",
    "lead_unit_kind",
    "lead_unit_credit_code",
    "contact_name",
    "contact_title",
    "contact_phone",
    "contact_email",
    "signing_date",
]
PLAN_TEXT_FIELDS = ["work_foundation", "implementation_plan", "authority_opinion"]
MEMBER_FIELDS = [
    "name",
    "profile",
    "role",
    "contact_name",
    "contact_email",
    "gets_account",
    "sort_order",
]


def _require(decision: Decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


def _check_revision(plan: Plan, revision: int | None) -> None:
    """Refuse a save based on an older copy than the one stored (two people editing at once)."""
    if revision is not None and int(revision) != plan.revision:
        raise ValidationError(
            _(
                "Someone else saved this plan while you were editing it. Reload the page, check their "
                "changes and make yours again."
            ),
            code="stale",
        )


def _lock_plan(plan: Plan) -> Plan:
    return (
        Plan.objects.select_for_update()
        .select_related("consortium__program", "consortium__authority")
        .get(pk=plan.pk)
    )


def _bump(plan: Plan) -> None:
    plan.revision += 1
    plan.save()


# --- consortium and plan content -----------------------------------------------------------


@transaction.atomic
def consortium_create(*, actor: User, program: Program, data: dict) -> Consortium:
    """A provincial authority recommends a consortium; its plan starts as a draft with the mandatory tasks."""
    _require(can_create_consortium(actor))
    if not program.is_active:
        raise ValidationError(_("This program is closed."), code="program_closed")
    entity_type = data.get("entity_type")
    if entity_type is not None and entity_type.program_id != program.pk:
        raise ValidationError(
            {"entity_type": _("Choose an implementing-entity type of this program.")}
        )
    consortium = Consortium(program=program, authority=actor.organisation, created_by=actor)
    for field in CONSORTIUM_FIELDS:
        if field in data:
            setattr(consortium, field, data[field])
    consortium.lead_unit_credit_code = (consortium.lead_unit_credit_code or "").strip().upper()
    consortium.full_clean()
    consortium.save()
    plan = Plan.objects.create(consortium=consortium)
    for task in program.tasks.filter(mandatory=True):
        TaskSelection.objects.create(plan=plan, task=task)
    audit_record(
        actor=actor,
        action="consortium.create",
        target=plan,
        to_state=plan.state,
        data={"consortium": consortium.name},
    )
    return consortium


@transaction.atomic
def consortium_update(
    *, actor: User, consortium: Consortium, data: dict, revision: int | None
) -> Consortium:
    plan = _lock_plan(consortium.plan)
    _require(can_edit_plan(actor, plan))
    _check_revision(plan, revision)
    consortium = plan.consortium
    entity_type = data.get("entity_type")
    if entity_type is not None and entity_type.program_id != consortium.program_id:
        raise ValidationError(
            {"entity_type": _("Choose an implementing-entity type of this program.")}
        )
    changed = []
    for field in CONSORTIUM_FIELDS:
        if field in data and getattr(consortium, field) != data[field]:
            setattr(consortium, field, data[field])
            changed.append(field)
    consortium.lead_unit_credit_code = (consortium.lead_unit_credit_code or "").strip().upper()
    consortium.full_clean()
    consortium.save()
    _bump(plan)
    audit_record(
        actor=actor, action="plan.edit", target=plan, data={"section": "basic", "fields": changed}
    )
    return consortium


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, data: dict, revision: int | None) -> Plan:
    """Sections 3, 4, 5 (confirmed commitments) and 6."""
    plan = _lock_plan(plan)
    _require(can_edit_plan(actor, plan))
    _check_revision(plan, revision)
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
    _bump(plan)
    audit_record(actor=actor, action="plan.edit", target=plan, data={"fields": changed})
    return plan


@transaction.atomic
def member_save(
    *, actor: User, plan: Plan, data: dict, revision: int | None, member: MemberUnit | None = None
) -> MemberUnit:
    plan = _lock_plan(plan)
    _require(can_edit_plan(actor, plan))
    _check_revision(plan, revision)
    if member is None:
        member = MemberUnit(consortium=plan.consortium)
    elif member.consortium_id != plan.consortium_id:
        raise PermissionDenied(_("This member unit belongs to another consortium."))
    for field in MEMBER_FIELDS:
        if field in data and data[field] is not None:
            setattr(member, field, data[field])
    if member.gets_account and not member.contact_email:
        raise ValidationError(
            {"contact_email": _("Enter the contact's e-mail to give them an account.")}
        )
    member.full_clean()
    member.save()
    _bump(plan)
    audit_record(actor=actor, action="plan.member_save", target=plan, data={"member": member.name})
    return member


@transaction.atomic
def member_delete(*, actor: User, plan: Plan, member: MemberUnit, revision: int | None) -> None:
    plan = _lock_plan(plan)
    _require(can_edit_plan(actor, plan))
    _check_revision(plan, revision)
    if member.consortium_id != plan.consortium_id:
        raise PermissionDenied(_("This member unit belongs to another consortium."))
    name = member.name
    member.delete()
    _bump(plan)
    audit_record(actor=actor, action="plan.member_delete", target=plan, data={"member": name})


@transaction.atomic
def plan_set_tasks(
    *, actor: User, plan: Plan, selections: dict[int, list[int]], revision: int | None
) -> Plan:
    """Choose the reference tasks (by number) and, for each, the responsible member units (by id).

    Mandatory tasks are always selected: leaving one out is refused.
    """
    plan = _lock_plan(plan)
    _require(can_edit_plan(actor, plan))
    _check_revision(plan, revision)
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
    plan.selections.exclude(task__number__in=numbers).delete()
    for number in sorted(numbers):
        selection, _created = TaskSelection.objects.get_or_create(plan=plan, task=tasks[number])
        selection.responsible.set([members[int(i)] for i in selections[number] or []])
    _bump(plan)
    audit_record(actor=actor, action="plan.tasks", target=plan, data={"selected": sorted(numbers)})
    return plan


def plan_upload_scan(*, actor: User, plan: Plan, upload) -> Plan:
    """Check the stamped scan against the generated form and keep it for the next submission.

    A refused file leaves nothing behind: no row changes and no file stays in storage.
    """
    plan_now = Plan.objects.get(pk=plan.pk)
    _require(can_edit_plan(actor, plan_now))
    expected = plan_pdf_page_count(plan_now)
    checked = check_pdf_upload(upload=upload, min_pages=expected)
    with files_cleanup_on_error(), transaction.atomic():
        plan = _lock_plan(plan)
        _require(can_edit_plan(actor, plan))
        old_name = plan.scan.name
        name = store_file(
            content=checked.content, path=f"plans/scans/{plan.pk}/{checked.sha256}.pdf"
        )
        plan.scan.name = name
        plan.scan_sha256 = checked.sha256
        plan.scan_pages = checked.page_count
        plan.scan_uploaded_at = timezone.now()
        plan.scan_content_sha256 = content_digest(plan_content(plan))
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


# --- workflow --------------------------------------------------------------------------------


def _transition(
    *, actor: User, plan: Plan, action: str, comment: str = "", data: dict | None = None
) -> str:
    """Check and apply one row of the workflow table to a locked plan; write its audit entry."""
    _require(can_take_action(actor, plan, action))
    transition = transition_for(plan.state, action)
    source = plan.state
    plan.state = transition.target
    plan.save(update_fields=["state", "updated_at", "submitted_at"])
    audit_record(
        actor=actor,
        action=f"plan.{action}",
        target=plan,
        from_state=source,
        to_state=plan.state,
        comment=comment,
        data=data or {},
    )
    return source


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
    with files_cleanup_on_error(), transaction.atomic():
        plan = _lock_plan(plan)
        _require(can_take_action(actor, plan, PlanAction.SUBMIT))
        content = plan_content(plan)
        raise_if_incomplete(plan, content)
        if not plan.scan:
            raise ValidationError(
                _("Upload the stamped scan of the form before submitting."), code="no_scan"
            )
        if plan.scan_content_sha256 != content_digest(content):
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
        transaction.on_commit(lambda: _delete_quietly(draft_scan))
        plan.submitted_at = now
        _transition(
            actor=actor,
            plan=plan,
            action=PlanAction.SUBMIT,
            # From the version: the draft's scan fields were cleared above.
            data={
                "version": number,
                "pdf_sha256": pdf_sha,
                "scan": version.scan.name,
                "scan_sha256": version.scan_sha256,
                "scan_pages": version.scan_pages,
                "scan_size": len(scan),
            },
        )
        _notify_ministry_of_submission(plan, version)
    return version


@transaction.atomic
def plan_withdraw(*, actor: User, plan: Plan, comment: str = "") -> Plan:
    plan = _lock_plan(plan)
    _transition(actor=actor, plan=plan, action=PlanAction.WITHDRAW, comment=comment)
    return plan


@transaction.atomic
def plan_reopen(*, actor: User, plan: Plan) -> Plan:
    plan = _lock_plan(plan)
    _transition(actor=actor, plan=plan, action=PlanAction.REOPEN)
    return plan


def _latest_version(plan: Plan) -> PlanVersion:
    return plan.versions.order_by("-number").first()


@transaction.atomic
def plan_return(
    *, actor: User, plan: Plan, section_comments: dict[str, str], comment: str = ""
) -> Plan:
    """Return for revision with comments per section; the plan becomes an editable draft again."""
    from .content import SECTIONS

    plan = _lock_plan(plan)
    _require(can_take_action(actor, plan, PlanAction.RETURN))
    comments = {k: v.strip() for k, v in (section_comments or {}).items() if v and v.strip()}
    if unknown := [k for k in comments if k not in SECTIONS]:
        raise ValidationError(
            {"section_comments": _("Unknown sections: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    if not comments and not comment.strip():
        raise ValidationError(
            _("Say what has to be revised: comment on at least one section."), code="no_comment"
        )
    version = _latest_version(plan)
    PlanReview.objects.create(
        version=version,
        decision=PlanAction.RETURN,
        reason=comment,
        section_comments=comments,
        reviewer=actor,
    )
    _transition(
        actor=actor,
        plan=plan,
        action=PlanAction.RETURN,
        comment=comment,
        data={"version": version.number, "section_comments": comments},
    )
    _notify_authority(
        plan,
        "plan.return",
        gettext_lazy("The Ministry returned the plan of “%(name)s” for revision"),
        comment,
    )
    return plan


@transaction.atomic
def plan_reject(*, actor: User, plan: Plan, reason: str) -> Plan:
    plan = _lock_plan(plan)
    _require(can_take_action(actor, plan, PlanAction.REJECT))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for rejecting the plan.")})
    version = _latest_version(plan)
    PlanReview.objects.create(
        version=version, decision=PlanAction.REJECT, reason=reason, reviewer=actor
    )
    _transition(
        actor=actor,
        plan=plan,
        action=PlanAction.REJECT,
        comment=reason,
        data={"version": version.number},
    )
    _notify_authority(
        plan, "plan.reject", gettext_lazy("The Ministry rejected the plan of “%(name)s”"), reason
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: User, plan: Plan, comment: str = "") -> Plan:
    """Approve: the consortium becomes a pilot unit; its lead contact gets a consortium-lead account
    and the chosen member contacts read-only accounts, each invited by e-mail to set a password."""
    plan = _lock_plan(plan)
    _require(can_take_action(actor, plan, PlanAction.APPROVE))
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
    _transition(
        actor=actor,
        plan=plan,
        action=PlanAction.APPROVE,
        comment=comment,
        data={"version": version.number},
    )
    accounts = [
        _account_for(
            consortium=consortium,
            email=consortium.contact_email,
            name=consortium.contact_name,
            title=consortium.contact_title,
            phone=consortium.contact_phone,
            role=Role.CONSORTIUM_LEAD,
            organisation=consortium.lead_organisation,
            actor=actor,
        )
    ]
    for member in consortium.members.filter(gets_account=True).exclude(contact_email=""):
        org, _created = Organisation.objects.get_or_create(
            code=f"UNIT-M{member.pk}",
            defaults={
                "kind": Organisation.Kind.UNIT,
                "name_zh": member.name,
                "name_en": member.name,
            },
        )
        accounts.append(
            _account_for(
                consortium=consortium,
                email=member.contact_email,
                name=member.contact_name,
                title="",
                phone="",
                role=Role.CONSORTIUM_MEMBER,
                organisation=org,
                actor=actor,
            )
        )
    _notify_authority(
        plan, "plan.approve", gettext_lazy("The Ministry approved the plan of “%(name)s”"), comment
    )
    return plan


def _account_for(*, consortium, email, name, title, phone, role, organisation, actor) -> User:
    """Find or create the person's account, grant it the consortium, and invite them by e-mail."""
    user = User.objects.filter(email__iexact=email, role=role).first()
    if user is None:
        base = email.split("@")[0][:100] or "user"
        username, n = base, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}{n}"
        user = User(
            username=username,
            email=email,
            role=role,
            organisation=organisation,
            last_name=name[:150],
            title=title,
            phone=phone,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        user_sync_role(user=user)
        audit_record(
            actor=actor,
            action="user.create",
            target=user,
            data={"role": role, "consortium": consortium.pk},
        )
    assign_perm(VIEW_PERMISSION, user, consortium)
    _invite(user, consortium)
    return user


def _invite(user: User, consortium: Consortium) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})

    def message() -> tuple[str, str]:
        subject = _("Your account on the Industrial Data Pilot Portal for “%(name)s”") % {
            "name": consortium.name
        }
        body = _(
            "The Ministry approved the implementation plan of “%(name)s”. An account has been opened for you "
            "(user name: %(username)s). Open the link below to choose your password."
        ) % {"name": consortium.name, "username": user.username}
        return subject, body

    notifications_queue(
        recipients=[user],
        kind="account.invite",
        message=message,
        url=link,
        dedupe_key=lambda recipient: f"invite:{recipient.pk}:{consortium.pk}",
    )


def _plan_url(plan: Plan) -> str:
    return reverse("consortia:consortium-detail", args=[plan.consortium_id])


def _notify_ministry_of_submission(plan: Plan, version: PlanVersion) -> None:
    def message() -> tuple[str, str]:
        subject = _("Plan submitted: “%(name)s” (%(authority)s), version %(n)d") % {
            "name": plan.consortium.name,
            "authority": plan.consortium.authority.name,
            "n": version.number,
        }
        return subject, _("A provincial authority submitted an implementation plan for review.")

    notifications_queue(
        recipients=User.objects.filter(
            role__in=[Role.MINISTRY_STAFF, Role.MINISTRY_ADMIN], is_active=True
        ),
        kind="plan.submit",
        message=message,
        url=_plan_url(plan),
        dedupe_key=lambda user: f"plan.submit:{version.pk}:{user.pk}",
    )


def _notify_authority(plan: Plan, kind: str, subject_template: Promise, comment: str) -> None:
    """Tell the plan's authority; ``subject_template`` is lazy, so that each recipient reads it
    in their own language (the reviewer's comment stays as written)."""

    def message() -> tuple[str, str]:
        subject = str(subject_template) % {"name": plan.consortium.name}
        return subject, comment or subject

    notifications_queue(
        recipients=User.objects.filter(
            organisation_id=plan.consortium.authority_id, is_active=True
        ),
        kind=kind,
        message=message,
        url=_plan_url(plan),
    )


@transaction.atomic
def deadline_extension_grant(
    *, actor: User, program: Program, authority: Organisation, new_deadline: dt.date, reason: str
) -> DeadlineExtension:
    _require(can_grant_extension(actor))
    if authority.kind != Organisation.Kind.PROVINCIAL_AUTHORITY:
        raise ValidationError({"authority": _("Choose a provincial authority.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if new_deadline <= program.plan_deadline:
        raise ValidationError(
            {"new_deadline": _("The new deadline must be after the program's deadline.")}
        )
    extension = DeadlineExtension.objects.create(
        program=program,
        authority=authority,
        new_deadline=new_deadline,
        reason=reason,
        granted_by=actor,
    )
    audit_record(
        actor=actor,
        action="deadline.extend",
        target=extension,
        comment=reason,
        data={
            "program": program.code,
            "authority": authority.code,
            "new_deadline": new_deadline.isoformat(),
        },
    )
    return extension
