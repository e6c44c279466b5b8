"""The permission helper: small ``can_<action>(user, obj) -> Decision`` functions.

Views (through ``portal.views.PermissionMixin``) and the API (through
``portal.api.permissions.Allows``) call the same functions, so they cannot disagree.
A refusal carries a translated reason that is shown to the user.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .roles import HOME_AREA, MINISTRY_ROLES, NON_BUSINESS_ROLES, Role


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    # True when the user may not even know the object exists (answer 404, not 403).
    hide: bool = False

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason, *, hide: bool = False) -> Decision:
    return Decision(False, str(reason), hide)


def require(decision: Decision) -> None:
    """Services call this with a permission helper's answer: a refusal raises PermissionDenied."""
    if not decision:
        raise PermissionDenied(decision.reason)


def _has_role(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role)


def is_ministry(user) -> bool:
    return _has_role(user) and user.role in MINISTRY_ROLES


def sees_province(user, authority_id: int | None) -> bool:
    """The visibility rule of what a province owns, for one object: the Ministry sees every
    province's, a provincial authority its own (``portal.selectors.scoped_to_province`` is the
    same rule for a list)."""
    if is_ministry(user):
        return True
    return (
        getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY
        and authority_id is not None
        and user.organisation_id == authority_id
    )


def is_ministry_admin(user) -> bool:
    return _has_role(user) and user.role == Role.MINISTRY_ADMIN


def can_sign_in(user) -> Decision:
    """Logged in with a role: the home page, one's own account and second factor."""
    if not getattr(user, "is_authenticated", False):
        return deny(_("Please log in."))
    if not _has_role(user):
        return deny(
            _("Your account has no role in the portal yet. Ask the Ministry administrator.")
        )
    return ALLOW


def can_use_portal(user) -> Decision:
    """The business pages and API (programs, consortia, plans, reports, dashboards …): every
    role but the security and audit administrators, who keep to their own tools (三员分立)."""
    decision = can_sign_in(user)
    if not decision:
        return decision
    if user.role in NON_BUSINESS_ROLES:
        return deny(
            _(
                "Security and audit administrators do not use the business pages "
                "(separation of the three administrators)."
            )
        )
    return ALLOW


def can_view_home(user, area: str) -> Decision:
    """Each role has one home area: ministry, province, consortium, security or audit."""
    decision = can_sign_in(user)
    if not decision:
        return decision
    if HOME_AREA.get(user.role) != area:
        return deny(_("This page belongs to another role."))
    return ALLOW


def can_read_catalog(user) -> Decision:
    """Programs and reference tasks: anyone with a role may read them."""
    return can_use_portal(user)


def can_change_catalog(user) -> Decision:
    if not is_ministry_admin(user):
        return deny(_("Only a Ministry administrator can change reference data."))
    return ALLOW


def can_list_organisations(user) -> Decision:
    return can_use_portal(user)


def is_security_admin(user) -> bool:
    return _has_role(user) and user.role == Role.SECURITY_ADMIN


def can_manage_security(user) -> Decision:
    """Lockouts and API tokens belong to the security administrator (三员分立), and to nobody
    else: not even the Ministry (system) administrator."""
    if not is_security_admin(user):
        return deny(_("Only the security administrator manages lockouts and API tokens."))
    return ALLOW


def can_manage_two_factor(user) -> Decision:
    """The list of second-factor devices and their reset: the security administrator's."""
    if not is_security_admin(user):
        return deny(_("Only a security administrator manages second-factor devices."))
    return ALLOW


def can_reset_two_factor(user, target) -> Decision:
    decision = can_manage_two_factor(user)
    if not decision:
        return decision
    if target.pk == user.pk:
        return deny(_("Nobody resets their own second factor: ask another security administrator."))
    return ALLOW


def can_read_audit_log(user) -> Decision:
    """The audit log (search, export): the audit administrator's alone (三员分立)."""
    if not _has_role(user) or user.role != Role.AUDIT_ADMIN:
        return deny(_("Only the audit administrator can read the audit log."))
    return ALLOW
