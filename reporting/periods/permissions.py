"""Who may read and write progress progress reports. Pages and API call these alike."""

from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from consortia.permissions import can_view_consortium, has_grant, is_authority_of
from portal.permissions import ALLOW, Decision, deny, is_ministry, is_ministry_admin
from portal.roles import Role
from reporting.periods.models import ProgressReport
from reporting.periods.workflows import EDITABLE_STATES, LEAD, MINISTRY, PROVINCE, transition_for


def is_lead_of(user, consortium: Consortium) -> bool:
    return getattr(user, "role", "") == Role.CONSORTIUM_LEAD and has_grant(user, consortium)


def can_view_reports(user, consortium: Consortium) -> Decision:
    """Ministry: all; the province: its consortia's; lead and members: their own."""
    return can_view_consortium(user, consortium)


def can_edit_report(user, report: ProgressReport, *, period_open: bool) -> Decision:
    decision = can_view_consortium(user, report.consortium)
    if not decision:
        return decision
    if not is_lead_of(user, report.consortium):
        return deny(_("Only the consortium lead edits its reports."))
    if report.state not in EDITABLE_STATES:
        return deny(
            _("The report is “%(state)s” and cannot be changed.")
            % {"state": report.get_state_display()}
        )
    if not period_open:
        return deny(
            _("Entry for this period is closed. Ask the Ministry administrator to reopen it.")
        )
    return ALLOW


def can_take_report_action(user, report: ProgressReport, action: str) -> Decision:
    decision = can_view_consortium(user, report.consortium)
    if not decision:
        return decision
    transition = transition_for(report.state, action)
    if transition is None:
        return deny(
            _("This cannot be done while the report is “%(state)s”.")
            % {"state": report.get_state_display()}
        )
    if transition.actor == LEAD and not is_lead_of(user, report.consortium):
        return deny(_("Only the consortium lead submits its reports."))
    if transition.actor == PROVINCE and not is_authority_of(user, report.consortium):
        return deny(_("Only the consortium's provincial authority confirms its reports."))
    if transition.actor == MINISTRY and not is_ministry(user):
        return deny(_("Only Ministry staff accept reports."))
    return ALLOW


def can_submit_report(user, report: ProgressReport, *, period_open: bool) -> Decision:
    """The lead submits a draft or returned report while its period is open."""
    decision = can_take_report_action(user, report, "submit")
    if not decision:
        return decision
    if not period_open:
        return deny(
            _("Entry for this period is closed. Ask the Ministry administrator to reopen it.")
        )
    return ALLOW


def can_reopen_period(user) -> Decision:
    if not is_ministry_admin(user):
        return deny(_("Only a Ministry administrator reopens a period."))
    return ALLOW
