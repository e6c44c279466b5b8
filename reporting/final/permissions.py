"""Who may read and write final summary reports. Pages and API call these alike."""

from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from consortia.permissions import can_view_consortium, is_authority_of
from portal.permissions import ALLOW, Decision, can_use_portal, deny, is_ministry
from reporting.final.models import FinalReport
from reporting.final.workflows import EDITABLE_STATES, LEAD, MINISTRY, PROVINCE, transition_for
from reporting.periods.permissions import is_lead_of
from reporting.periods.review_permissions import is_province


def can_view_final(user, consortium: Consortium) -> Decision:
    """Ministry: all; the province: its consortia's; lead and members: their own (members read)."""
    return can_view_consortium(user, consortium)


def can_list_finals(user) -> Decision:
    """The list of final summaries per program: Ministry staff and provinces (their own)."""
    decision = can_use_portal(user)
    if decision and not (is_ministry(user) or is_province(user)):
        return deny(_("The list of final summaries is for Ministry staff and provinces."))
    return decision


def can_start_final(user, consortium: Consortium, *, period_open: bool) -> Decision:
    decision = can_view_consortium(user, consortium)
    if not decision:
        return decision
    if not is_lead_of(user, consortium):
        return deny(_("Only the consortium lead writes its final summary."))
    if not period_open:
        return deny(
            _("Entry for this period is closed. Ask the Ministry administrator to reopen it.")
        )
    return ALLOW


def can_edit_final(user, report: FinalReport, *, period_open: bool) -> Decision:
    decision = can_view_consortium(user, report.consortium)
    if not decision:
        return decision
    if not is_lead_of(user, report.consortium):
        return deny(_("Only the consortium lead writes its final summary."))
    if report.state not in EDITABLE_STATES:
        return deny(
            _("The final summary is “%(state)s” and cannot be changed.")
            % {"state": report.get_state_display()}
        )
    if not period_open:
        return deny(
            _("Entry for this period is closed. Ask the Ministry administrator to reopen it.")
        )
    return ALLOW


def can_take_final_action(user, report: FinalReport, action: str) -> Decision:
    decision = can_view_consortium(user, report.consortium)
    if not decision:
        return decision
    transition = transition_for(report.state, action)
    if transition is None:
        return deny(
            _("This cannot be done while the final summary is “%(state)s”.")
            % {"state": report.get_state_display()}
        )
    if transition.actor == LEAD and not is_lead_of(user, report.consortium):
        return deny(_("Only the consortium lead submits its final summary."))
    if transition.actor == PROVINCE and not is_authority_of(user, report.consortium):
        return deny(_("Only the consortium's provincial authority confirms its final summary."))
    if transition.actor == MINISTRY and not is_ministry(user):
        return deny(_("Only Ministry staff accept final summaries."))
    return ALLOW


def can_submit_final(user, report: FinalReport, *, period_open: bool) -> Decision:
    decision = can_take_final_action(user, report, "submit")
    if not decision:
        return decision
    if not period_open:
        return deny(
            _("Entry for this period is closed. Ask the Ministry administrator to reopen it.")
        )
    return ALLOW
