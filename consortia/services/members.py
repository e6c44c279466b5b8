"""Writes to a consortium's member units (section 2 of the plan), by the plan's authority."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record

from ..models import MemberUnit, Plan
from .plans import plan_bump, plan_lock_for_edit

MEMBER_FIELDS = [
    "name",
    "profile",
    "role",
    "contact_name",
    "contact_email",
    "gets_account",
    "sort_order",
]


@transaction.atomic
def member_save(
    *, actor: User, plan: Plan, data: dict, revision: int | None, member: MemberUnit | None = None
) -> MemberUnit:
    plan = plan_lock_for_edit(actor=actor, plan=plan, revision=revision)
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
    plan_bump(plan)
    audit_record(actor=actor, action="plan.member_save", target=plan, data={"member": member.name})
    return member


@transaction.atomic
def member_delete(*, actor: User, plan: Plan, member: MemberUnit, revision: int | None) -> None:
    plan = plan_lock_for_edit(actor=actor, plan=plan, revision=revision)
    if member.consortium_id != plan.consortium_id:
        raise PermissionDenied(_("This member unit belongs to another consortium."))
    name = member.name
    member.delete()
    plan_bump(plan)
    audit_record(actor=actor, action="plan.member_delete", target=plan, data={"member": name})
