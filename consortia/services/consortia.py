"""Writes to consortia: recommending one (its plan starts as a draft), its basic information,
and the Ministry's deadline extensions for an authority."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.events import FIGURES_CHANGED, announce
from portal.models import Organisation, User
from portal.permissions import require
from portal.services import audit_record
from tasks_catalog.models import Program

from ..models import Consortium, DeadlineExtension, Plan, TaskSelection
from ..permissions import can_create_consortium, can_grant_extension
from .plans import plan_bump, plan_lock_for_edit

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


@transaction.atomic
def consortium_create(*, actor: User, program: Program, data: dict) -> Consortium:
    """A provincial authority recommends a consortium; its plan starts as a draft with the mandatory tasks."""
    require(can_create_consortium(actor))
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
    announce(FIGURES_CHANGED, action="consortium.create", target=plan)
    return consortium


@transaction.atomic
def consortium_update(
    *, actor: User, consortium: Consortium, data: dict, revision: int | None
) -> Consortium:
    plan = plan_lock_for_edit(actor=actor, plan=consortium.plan, revision=revision)
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
    plan_bump(plan)
    audit_record(
        actor=actor, action="plan.edit", target=plan, data={"section": "basic", "fields": changed}
    )
    if "entity_type" in changed:  # it moves to another group of the figures
        announce(FIGURES_CHANGED, action="consortium.update", target=consortium)
    return consortium


@transaction.atomic
def deadline_extension_grant(
    *, actor: User, program: Program, authority: Organisation, new_deadline: dt.date, reason: str
) -> DeadlineExtension:
    require(can_grant_extension(actor))
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
