"""Who may read and write progress reports and deliverables. Pages and API call these alike."""

from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from consortia.permissions import VIEW_PERMISSION, can_view_consortium, is_authority_of
from portal.permissions import ALLOW, Decision, deny, is_ministry, is_ministry_admin
from portal.roles import Role

from .models import ProgressReport
from .workflows import EDITABLE_STATES, LEAD, MINISTRY, PROVINCE, transition_for


def is_lead_of(user, consortium: Consortium) -> bool:
    return getattr(user, "role", "") == Role.CONSORTIUM_LEAD and user.has_perm(
        VIEW_PERMISSION, consortium
    )


def can_view_reports(user, consortium: Consortium) -> Decision:
    """Ministry: all; the province: its consortia's; lead and members: their own."""
    return can_view_consortium(user, consortium)


def can_edit_deliverables(user, consortium: Consortium) -> Decision:
    decision = can_view_consortium(user, consortium)
    if not decision:
        return decision
    if not is_lead_of(user, consortium):
        return deny(_("Only the consortium lead records deliverables."))
    if not consortium.is_pilot:
        return deny(_("Only approved pilot consortia report."))
    return ALLOW


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


def can_browse_deliverables(user) -> Decision:
    """The catalogues of all consortia's deliverables: Ministry staff."""
    if not is_ministry(user):
        return deny(_("Only Ministry staff browse every consortium's deliverables."))
    return ALLOW


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
