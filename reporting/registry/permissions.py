"""Who may record and browse "1+4+N" deliverables. Pages and API call these alike."""

from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from consortia.permissions import can_view_consortium
from portal.permissions import ALLOW, Decision, deny, is_ministry
from reporting.periods.permissions import is_lead_of


def can_edit_deliverables(user, consortium: Consortium) -> Decision:
    decision = can_view_consortium(user, consortium)
    if not decision:
        return decision
    if not is_lead_of(user, consortium):
        return deny(_("Only the consortium lead records deliverables."))
    if not consortium.is_pilot:
        return deny(_("Only approved pilot consortia report."))
    return ALLOW


def can_browse_deliverables(user) -> Decision:
    """The catalogues of all consortia's deliverables: Ministry staff."""
    if not is_ministry(user):
        return deny(_("Only Ministry staff browse every consortium's deliverables."))
    return ALLOW
