"""Who may see dashboards, summaries and exports, and at which scope. Pages and API call these alike."""

from django.utils.translation import gettext_lazy as _

from portal.permissions import ALLOW, Decision, deny, is_ministry
from portal.roles import Role


def can_view_dashboard(user, authority=None) -> Decision:
    """Dashboards and summaries: Ministry staff, any scope; a province, its own province only."""
    if is_ministry(user):
        return ALLOW
    if getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY and user.is_active:
        if authority is None:
            return deny(_("The national figures are for Ministry staff only."))
        if authority.pk != user.organisation_id:
            return deny(_("You can only see your own province's figures."))
        return ALLOW
    return deny(_("Dashboards are for Ministry staff and provincial authorities."))


def can_use_dashboards(user) -> Decision:
    """The dashboard pages at all (the scope is checked by ``can_view_dashboard``)."""
    if is_ministry(user) or (
        getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY and user.is_active
    ):
        return ALLOW
    return deny(_("Dashboards are for Ministry staff and provincial authorities."))
