"""Who may see and do what with consortia and plans. Used by pages and the API alike."""

import functools

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from portal.permissions import (
    ALLOW,
    Decision,
    can_use_portal,
    deny,
    is_ministry,
    is_ministry_admin,
    sees_province,
)
from portal.requestlocal import current_request
from portal.roles import Role

from .models import Consortium, Plan, PlanAmendment
from .workflows import (
    AMENDMENT_EDITABLE_STATES,
    AMENDMENT_OPEN_STATES,
    AUTHORITY,
    EDITABLE_STATES,
    MINISTRY,
    PlanState,
    amendment_transition_for,
    transition_for,
)

VIEW_PERMISSION = "consortia.view_consortium"
GRANTS_MEMO = "_consortium_grants"


@functools.cache
def _grant_sql() -> str:
    """The query of ``_granted``: the permission granted to the user, or to one of their groups,
    on one object. Tables named from the models (``portal_user_groups`` and guardian's)."""
    from portal.models import User

    q = connection.ops.quote_name
    permission = q(Permission._meta.db_table)
    by_user = q(UserObjectPermission._meta.db_table)
    by_group = q(GroupObjectPermission._meta.db_table)
    user_groups = q(User.groups.through._meta.db_table)
    on_object = (
        "p.id = o.permission_id AND p.content_type_id = %(type)s AND p.codename = %(codename)s "
        "AND o.content_type_id = %(type)s AND o.object_pk = %(pk)s"
    )
    # Table names from the models, quoted; every value a parameter.
    by_user_sql = f"SELECT 1 FROM {by_user} o, {permission} p WHERE o.user_id = %(user)s"  # noqa: S608
    by_group_sql = (
        f"SELECT 1 FROM {by_group} o, {permission} p, {user_groups} g "  # noqa: S608
        "WHERE g.user_id = %(user)s AND g.group_id = o.group_id"
    )
    return (
        f"SELECT EXISTS ({by_user_sql} AND {on_object}) OR EXISTS ({by_group_sql} AND {on_object})"
    )


def _granted(user, consortium: Consortium) -> bool:
    """``user.has_perm(VIEW_PERMISSION, consortium)`` in one query instead of django-guardian's
    two (the user's object permissions, then their groups'), with the same answer: an inactive
    or anonymous user has none, an active superuser every one, anyone else the permission granted
    to them or to one of their groups on this consortium (guardian keeps the object's pk as
    text, ``object_pk``). In SQL: built by the ORM, the query cost more to build (~1.4 ms) than
    to run."""
    if not getattr(user, "is_active", False) or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    params = {
        "type": ContentType.objects.get_for_model(Consortium).pk,  # cached by Django
        "codename": VIEW_PERMISSION.split(".", 1)[1],
        "pk": str(consortium.pk),
        "user": user.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(_grant_sql(), params)
        return bool(cursor.fetchone()[0])


def has_grant(user, consortium: Consortium) -> bool:
    """The consortium granted to the user (a lead's or member's per-object permission,
    django-guardian's, asked in one query: ``_granted``). Within a request it is asked once per
    user and consortium, a report page asking it five times; outside a request, every time."""
    request = current_request()
    if request is None or user.pk is None:
        return _granted(user, consortium)
    memo = request.__dict__.setdefault(GRANTS_MEMO, {})
    key = (user.pk, consortium.pk)
    if key not in memo:
        memo[key] = _granted(user, consortium)
    return memo[key]


def grants_changed() -> None:
    """Call after granting or withdrawing a consortium (assign_perm, remove_perm): the
    request's answers of ``has_grant`` are forgotten."""
    request = current_request()
    if request is not None:
        request.__dict__.pop(GRANTS_MEMO, None)


def is_authority_of(user, consortium: Consortium) -> bool:
    return (
        getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY
        and user.organisation_id == consortium.authority_id
    )


def can_view_consortium(user, consortium: Consortium) -> Decision:
    """Ministry: all. Authority: its province's. Lead and members: theirs (per-object grant)."""
    decision = can_use_portal(user)
    if not decision:
        return decision
    if sees_province(user, consortium.authority_id):
        return ALLOW
    if user.role in (Role.CONSORTIUM_LEAD, Role.CONSORTIUM_MEMBER) and has_grant(user, consortium):
        return ALLOW
    return deny(_("You cannot see this consortium."), hide=True)


def can_read_plan_draft(user, plan: Plan) -> Decision:
    """The plan's working copy: its current sections 2 to 6, selected tasks, generated form and
    stamped scan.

    While the recommending authority drafts or revises the plan (draft, returned) the working copy
    is the province's and the consortium's: the Ministry sees that the plan exists and its state,
    and reads what was submitted (the frozen versions), never the draft. In every other state the
    working copy is what was last submitted, and whoever sees the consortium reads it.
    """
    decision = can_view_consortium(user, plan.consortium)
    if not decision:
        return decision
    if is_ministry(user) and plan.state in EDITABLE_STATES:
        return deny(
            _(
                "The provincial authority is preparing this plan. The Ministry reads it once it "
                "is submitted."
            ),
            hide=True,
        )
    return ALLOW


def can_create_consortium(user) -> Decision:
    decision = can_use_portal(user)
    if decision and user.role != Role.PROVINCIAL_AUTHORITY:
        return deny(_("Only a provincial authority recommends consortia."))
    return decision


def can_edit_plan(user, plan: Plan) -> Decision:
    decision = can_view_consortium(user, plan.consortium)
    if not decision:
        return decision
    if not is_authority_of(user, plan.consortium):
        return deny(_("Only the recommending authority edits this plan."))
    if plan.state not in EDITABLE_STATES:
        return deny(
            _("The plan is “%(state)s” and cannot be changed.")
            % {"state": plan.get_state_display()}
        )
    return ALLOW


def can_take_action(user, plan: Plan, action: str) -> Decision:
    decision = can_view_consortium(user, plan.consortium)
    if not decision:
        return decision
    transition = transition_for(plan.state, action)
    if transition is None:
        return deny(
            _("This cannot be done while the plan is “%(state)s”.")
            % {"state": plan.get_state_display()}
        )
    if transition.actor == AUTHORITY and not is_authority_of(user, plan.consortium):
        return deny(_("Only the recommending authority can do this."))
    if transition.actor == MINISTRY and not is_ministry(user):
        return deny(_("Only Ministry staff review plans."))
    return ALLOW


def is_lead_of(user, consortium: Consortium) -> bool:
    return (
        getattr(user, "role", "") == Role.CONSORTIUM_LEAD
        and consortium.lead_organisation_id is not None
        and user.organisation_id == consortium.lead_organisation_id
    )


# --- amendments of an approved plan ------------------------------------------------------------


def can_propose_amendment(user, plan: Plan) -> Decision:
    """The recommending authority proposes an amendment of its approved plan, one at a time."""
    decision = can_view_consortium(user, plan.consortium)
    if not decision:
        return decision
    if not is_authority_of(user, plan.consortium):
        return deny(_("Only the recommending authority proposes an amendment of the plan."))
    if plan.state != PlanState.APPROVED:
        return deny(_("Only an approved plan can be amended."))
    if plan.amendments.filter(state__in=AMENDMENT_OPEN_STATES).exists():
        return deny(_("An amendment of this plan is already open: finish or withdraw it first."))
    return ALLOW


def can_edit_amendment(user, amendment: PlanAmendment) -> Decision:
    """The recommending authority, and the consortium's lead unit, edit the amendment's content
    while it is drafted or returned; everyone else who sees the consortium only reads it."""
    consortium = amendment.plan.consortium
    decision = can_view_consortium(user, consortium)
    if not decision:
        return decision
    if not (is_authority_of(user, consortium) or is_lead_of(user, consortium)):
        return deny(_("Only the recommending authority and the lead unit edit this amendment."))
    if amendment.state not in AMENDMENT_EDITABLE_STATES:
        return deny(
            _("The amendment is “%(state)s” and cannot be changed.")
            % {"state": amendment.get_state_display()}
        )
    return ALLOW


def can_upload_amendment_scan(user, amendment: PlanAmendment) -> Decision:
    """The stamped scan of an amendment: the authority's, and only if the program asks for one."""
    decision = can_edit_amendment(user, amendment)
    if not decision:
        return decision
    if not is_authority_of(user, amendment.plan.consortium):
        return deny(_("Only the recommending authority uploads the stamped scan."))
    return ALLOW


def can_take_amendment_action(user, amendment: PlanAmendment, action: str) -> Decision:
    decision = can_view_consortium(user, amendment.plan.consortium)
    if not decision:
        return decision
    transition = amendment_transition_for(amendment.state, action)
    if transition is None:
        return deny(
            _("This cannot be done while the amendment is “%(state)s”.")
            % {"state": amendment.get_state_display()}
        )
    if transition.actor == AUTHORITY and not is_authority_of(user, amendment.plan.consortium):
        return deny(_("Only the recommending authority can do this."))
    if transition.actor == MINISTRY and not is_ministry(user):
        return deny(_("Only Ministry staff review plans."))
    return ALLOW


def can_grant_extension(user) -> Decision:
    if not is_ministry_admin(user):
        return deny(_("Only a Ministry administrator grants deadline extensions."))
    return ALLOW
