"""The implementation plan's workflow: one table of states, actions and who may take them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.events import FIGURES_CHANGED
from portal.workflow import Transition, Workflow


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PlanAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    WITHDRAW = "withdraw", _("Withdraw")
    REOPEN = "reopen", _("Reopen as draft")
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return for revision")
    REJECT = "reject", _("Reject")


# Who may take an action: the recommending authority of the consortium, or the Ministry.
AUTHORITY = "authority"
MINISTRY = "ministry"


TRANSITIONS = [
    Transition(PlanState.DRAFT, PlanAction.SUBMIT, PlanState.SUBMITTED, AUTHORITY),
    Transition(PlanState.RETURNED, PlanAction.SUBMIT, PlanState.SUBMITTED, AUTHORITY),
    Transition(PlanState.SUBMITTED, PlanAction.WITHDRAW, PlanState.WITHDRAWN, AUTHORITY),
    Transition(PlanState.WITHDRAWN, PlanAction.REOPEN, PlanState.DRAFT, AUTHORITY),
    Transition(PlanState.SUBMITTED, PlanAction.APPROVE, PlanState.APPROVED, MINISTRY),
    Transition(PlanState.SUBMITTED, PlanAction.RETURN, PlanState.RETURNED, MINISTRY),
    Transition(PlanState.SUBMITTED, PlanAction.REJECT, PlanState.REJECTED, MINISTRY),
]
WORKFLOW = Workflow(
    TRANSITIONS,
    model="consortia.Plan",
    prefix="plan",  # audit actions plan.submit, plan.return, …
    # Who may take a row (its actor, from its state): the permission helper.
    permission="consortia.permissions.can_take_action",
    lock_related=["consortium__program", "consortium__authority"],
    save_fields=["state", "updated_at", "submitted_at"],
    stale_message=_(
        "Someone else saved this plan while you were editing it. Reload the page, check their "
        "changes and make yours again."
    ),
    # Every transition changes the figures: the reporting app's roll-ups listen.
    announces=[FIGURES_CHANGED],
)
transition_for = WORKFLOW.transition_for
actions_from = WORKFLOW.actions_from

# The authority edits the plan's content only in these states.
EDITABLE_STATES = frozenset({PlanState.DRAFT, PlanState.RETURNED})
# States that hold one of the authority's recommendation slots (quota). A returned plan keeps
# its slot (the authority still recommends it) and can always be submitted again; only a
# rejected or withdrawn plan (or a draft never submitted) holds none.
QUOTA_STATES = frozenset({PlanState.SUBMITTED, PlanState.RETURNED, PlanState.APPROVED})

# What each state means, in plain words, shown beside the state.
STATE_HELP = {
    PlanState.DRAFT: _(
        "The provincial authority is filling in the plan with the consortium. The Ministry sees "
        "that it exists, and reads it once it is submitted."
    ),
    PlanState.SUBMITTED: _(
        "Submitted with the stamped scan; the Ministry is reviewing it. It cannot be changed."
    ),
    PlanState.RETURNED: _(
        "The Ministry returned the plan with comments. The authority revises it and submits "
        "again; until then the Ministry reads the version it returned."
    ),
    PlanState.APPROVED: _("The Ministry approved the plan: the consortium is a pilot unit."),
    PlanState.REJECTED: _("The Ministry rejected the plan. Its recommendation slot is free again."),
    PlanState.WITHDRAWN: _(
        "The authority withdrew the plan. Its recommendation slot is free again; it can be reopened as a draft."
    ),
}


# --- amendments of an approved plan (完善实施方案) ------------------------------------------------
# An amendment is its own small stateful object (``PlanAmendment``) with its own table: the plan
# itself stays "approved" while an amendment is drafted and reviewed, so the consortium remains a
# pilot unit for every page, report, dashboard and permission that asks the plan's state.


class AmendmentState(models.TextChoices):
    DRAFT = "draft", _("Amendment being drafted")
    SUBMITTED = "submitted", _("Amendment submitted")
    RETURNED = "returned", _("Amendment returned for revision")
    APPROVED = "approved", _("Amendment approved")
    WITHDRAWN = "withdrawn", _("Amendment withdrawn")


class AmendmentAction(models.TextChoices):
    SUBMIT = "submit", _("Submit the amendment")
    WITHDRAW = "withdraw", _("Withdraw the amendment")
    APPROVE = "approve", _("Approve the amendment")
    RETURN = "return", _("Return the amendment for revision")


AMENDMENT_TRANSITIONS = [
    Transition(AmendmentState.DRAFT, AmendmentAction.SUBMIT, AmendmentState.SUBMITTED, AUTHORITY),
    Transition(
        AmendmentState.RETURNED, AmendmentAction.SUBMIT, AmendmentState.SUBMITTED, AUTHORITY
    ),
    Transition(AmendmentState.DRAFT, AmendmentAction.WITHDRAW, AmendmentState.WITHDRAWN, AUTHORITY),
    Transition(
        AmendmentState.RETURNED, AmendmentAction.WITHDRAW, AmendmentState.WITHDRAWN, AUTHORITY
    ),
    Transition(
        AmendmentState.SUBMITTED, AmendmentAction.WITHDRAW, AmendmentState.WITHDRAWN, AUTHORITY
    ),
    Transition(
        AmendmentState.SUBMITTED, AmendmentAction.APPROVE, AmendmentState.APPROVED, MINISTRY
    ),
    Transition(AmendmentState.SUBMITTED, AmendmentAction.RETURN, AmendmentState.RETURNED, MINISTRY),
]
AMENDMENT_WORKFLOW = Workflow(
    AMENDMENT_TRANSITIONS,
    model="consortia.PlanAmendment",
    prefix="amendment",  # audit actions amendment.submit, amendment.approve, …
    permission="consortia.permissions.can_take_amendment_action",
    lock_related=["plan__consortium__program", "plan__consortium__authority"],
    save_fields=["state", "updated_at", "submitted_at"],
    stale_message=_(
        "Someone else saved this amendment while you were editing it. Reload the page, check "
        "their changes and make yours again."
    ),
    # An approved amendment changes the selected tasks: the reporting app's roll-ups listen.
    announces=[FIGURES_CHANGED],
)
amendment_transition_for = AMENDMENT_WORKFLOW.transition_for
amendment_actions_from = AMENDMENT_WORKFLOW.actions_from

# An amendment still open: at most one per plan; its content is edited in DRAFT and RETURNED.
AMENDMENT_OPEN_STATES = frozenset(
    {AmendmentState.DRAFT, AmendmentState.SUBMITTED, AmendmentState.RETURNED}
)
AMENDMENT_EDITABLE_STATES = frozenset({AmendmentState.DRAFT, AmendmentState.RETURNED})

AMENDMENT_STATE_HELP = {
    AmendmentState.DRAFT: _(
        "The provincial authority (with the lead unit) is drafting the amendment. The approved "
        "plan stays in force until the Ministry approves the amendment."
    ),
    AmendmentState.SUBMITTED: _(
        "Submitted as a new plan version; the Ministry is reviewing the amendment."
    ),
    AmendmentState.RETURNED: _(
        "The Ministry returned the amendment with comments. The authority revises it and submits "
        "again, or withdraws it."
    ),
    AmendmentState.APPROVED: _(
        "The Ministry approved the amendment: its version is the plan's baseline now."
    ),
    AmendmentState.WITHDRAWN: _(
        "The authority withdrew the amendment. The approved plan is unchanged."
    ),
}
