"""The progress report's workflow: one table of states, actions and who may take them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.events import FIGURES_CHANGED
from portal.workflow import Transition, Workflow


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the province")
    CONFIRMED = "confirmed", _("Confirmed by the province")
    ACCEPTED = "accepted", _("Accepted by the Ministry")
    RETURNED = "returned", _("Returned for revision")


class ReportAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    CONFIRM = "confirm", _("Confirm")
    RETURN = "return", _("Return for revision")
    ACCEPT = "accept", _("Accept")


LEAD = "lead"  # the consortium lead
PROVINCE = "province"  # the consortium's recommending authority
MINISTRY = "ministry"


TRANSITIONS = [
    Transition(ReportState.DRAFT, ReportAction.SUBMIT, ReportState.SUBMITTED, LEAD),
    Transition(ReportState.RETURNED, ReportAction.SUBMIT, ReportState.SUBMITTED, LEAD),
    Transition(ReportState.SUBMITTED, ReportAction.CONFIRM, ReportState.CONFIRMED, PROVINCE),
    Transition(ReportState.SUBMITTED, ReportAction.RETURN, ReportState.RETURNED, PROVINCE),
    Transition(ReportState.CONFIRMED, ReportAction.ACCEPT, ReportState.ACCEPTED, MINISTRY),
    Transition(ReportState.CONFIRMED, ReportAction.RETURN, ReportState.RETURNED, MINISTRY),
]
WORKFLOW = Workflow(
    TRANSITIONS,
    model="reporting.ProgressReport",
    prefix="report",  # audit actions report.submit, report.confirm, …
    # Who may take a row (its actor, from its state): the permission helper.
    permission="reporting.periods.permissions.can_take_report_action",
    lock_related=["consortium", "period"],
    stale_message=_(
        "Someone else saved this report while you were editing it. Your changes were not saved: "
        "reload the page, check theirs and make yours again."
    ),
    # Every transition changes the figures: the roll-ups listen (portal/events.py).
    announces=[FIGURES_CHANGED],
)
transition_for = WORKFLOW.transition_for
actions_from = WORKFLOW.actions_from
EDITABLE_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})

STATE_HELP = {
    ReportState.DRAFT: _(
        "The consortium lead is writing the report. Save as often as you like; nobody else sees it as final until it is submitted."
    ),
    ReportState.SUBMITTED: _(
        "Submitted: the province checks it and confirms it or returns it. It cannot be changed meanwhile."
    ),
    ReportState.CONFIRMED: _("The province confirmed the report; the Ministry reviews it now."),
    ReportState.ACCEPTED: _("The Ministry accepted the report. It is final."),
    ReportState.RETURNED: _(
        "Returned with comments: the lead revises the report and submits it again."
    ),
}
