"""The final summary report's workflow: one table of states, actions and who may take them.

The same kernel (``portal/transitions.py``) and the same steps as the quarterly reports: the lead
submits (with the stamped scan: a version is frozen), the province gives its opinion and confirms
or returns, the Ministry accepts or returns.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workflow import Transition, Workflow


class FinalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the province")
    CONFIRMED = "confirmed", _("Confirmed by the province")
    ACCEPTED = "accepted", _("Accepted by the Ministry")
    RETURNED = "returned", _("Returned for revision")


class FinalAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    CONFIRM = "confirm", _("Confirm")
    RETURN = "return", _("Return for revision")
    ACCEPT = "accept", _("Accept")


LEAD = "lead"
PROVINCE = "province"
MINISTRY = "ministry"

TRANSITIONS = [
    Transition(FinalState.DRAFT, FinalAction.SUBMIT, FinalState.SUBMITTED, LEAD),
    Transition(FinalState.RETURNED, FinalAction.SUBMIT, FinalState.SUBMITTED, LEAD),
    Transition(FinalState.SUBMITTED, FinalAction.CONFIRM, FinalState.CONFIRMED, PROVINCE),
    Transition(FinalState.SUBMITTED, FinalAction.RETURN, FinalState.RETURNED, PROVINCE),
    Transition(FinalState.CONFIRMED, FinalAction.ACCEPT, FinalState.ACCEPTED, MINISTRY),
    Transition(FinalState.CONFIRMED, FinalAction.RETURN, FinalState.RETURNED, MINISTRY),
]
WORKFLOW = Workflow(
    TRANSITIONS,
    model="reporting.FinalReport",
    prefix="final",  # audit actions final.submit, final.confirm, …
    permission="reporting.final.permissions.can_take_final_action",
    lock_related=["consortium", "period"],
    stale_message=_(
        "Someone else saved this final summary while you were editing it. Your changes were not "
        "saved: reload the page, check theirs and make yours again."
    ),
)
transition_for = WORKFLOW.transition_for
actions_from = WORKFLOW.actions_from
EDITABLE_STATES = frozenset({FinalState.DRAFT, FinalState.RETURNED})

STATE_HELP = {
    FinalState.DRAFT: _(
        "The consortium lead is writing the final summary. When every task is answered, download "
        "the form, stamp it, upload the scan and submit."
    ),
    FinalState.SUBMITTED: _(
        "Submitted: the province gives its opinion and confirms it or returns it. It cannot be "
        "changed meanwhile."
    ),
    FinalState.CONFIRMED: _(
        "The province confirmed the final summary; the Ministry reviews it now."
    ),
    FinalState.ACCEPTED: _("The Ministry accepted the final summary. It is final."),
    FinalState.RETURNED: _(
        "Returned with comments: the lead revises the final summary, stamps the new form and "
        "submits it again."
    ),
}
