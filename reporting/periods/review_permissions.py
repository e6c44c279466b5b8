"""Who may review reports in bulk from the list, and remind overdue pilots. Pages and API alike.

(Beside ``reporting/permissions.py``, which holds the per-report rules these build on.)
"""

from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from consortia.permissions import can_view_consortium
from portal.permissions import ALLOW, Decision, can_use_portal, deny, is_ministry, sees_province
from portal.roles import Role
from reporting.periods.workflows import ReportAction

BULK_ACTIONS = (ReportAction.CONFIRM, ReportAction.ACCEPT)


def is_province(user) -> bool:
    return getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY and user.is_active


def can_review_report_list(user) -> Decision:
    """The reports list with filters and bulk actions: Ministry staff, and a province (its own)."""
    decision = can_use_portal(user)
    if decision and not (is_ministry(user) or is_province(user)):
        return deny(_("The reports list is for Ministry staff and provincial authorities."))
    return decision


def can_bulk_review(user, action: str) -> Decision:
    """Bulk confirm is the province's step, bulk accept the Ministry's (each report is checked
    again with ``can_take_report_action``)."""
    decision = can_review_report_list(user)
    if not decision:
        return decision
    if action not in BULK_ACTIONS:
        return deny(_("Only confirming and accepting can be done for several reports at once."))
    if action == ReportAction.CONFIRM and not is_province(user):
        return deny(_("Only the consortium's provincial authority confirms its reports."))
    if action == ReportAction.ACCEPT and not is_ministry(user):
        return deny(_("Only Ministry staff accept reports."))
    return ALLOW


def can_remind(user, consortium: Consortium) -> Decision:
    """Remind an overdue pilot now: Ministry staff any, a province its own."""
    decision = can_view_consortium(user, consortium)
    if not decision:
        return decision
    if not sees_province(user, consortium.authority_id):
        return deny(_("Only Ministry staff and the consortium's province send reminders."))
    return ALLOW
