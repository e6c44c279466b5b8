"""The Ministry's evaluation (评估工作成效): one table of states, actions and who may take them.

Reviewers (Ministry staff and administrators) score while the evaluation is *scoring*; a Ministry
user closes the scoring and becomes its moderator; the moderator (or a Ministry administrator) may
set a criterion's final score with a reason, sends it back to the reviewers or finalises it, and
publishes it: only then do the consortium and its province see it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workflow import Transition, Workflow


class EvaluationState(models.TextChoices):
    SCORING = "scoring", _("Reviewers scoring")
    MODERATION = "moderation", _("In moderation")
    FINALISED = "finalised", _("Finalised")
    PUBLISHED = "published", _("Published")


class EvaluationAction(models.TextChoices):
    MODERATE = "moderate", _("Close scoring and moderate")
    REOPEN = "reopen", _("Reopen")
    FINALISE = "finalise", _("Finalise")
    PUBLISH = "publish", _("Publish")


MINISTRY = "ministry"  # any Ministry user (staff or administrator)
MODERATOR = "moderator"  # the evaluation's moderator, or a Ministry administrator

TRANSITIONS = [
    Transition(
        EvaluationState.SCORING, EvaluationAction.MODERATE, EvaluationState.MODERATION, MINISTRY
    ),
    Transition(
        EvaluationState.MODERATION, EvaluationAction.REOPEN, EvaluationState.SCORING, MODERATOR
    ),
    Transition(
        EvaluationState.MODERATION, EvaluationAction.FINALISE, EvaluationState.FINALISED, MODERATOR
    ),
    Transition(
        EvaluationState.FINALISED, EvaluationAction.REOPEN, EvaluationState.MODERATION, MODERATOR
    ),
    Transition(
        EvaluationState.FINALISED, EvaluationAction.PUBLISH, EvaluationState.PUBLISHED, MODERATOR
    ),
]
WORKFLOW = Workflow(
    TRANSITIONS,
    model="reporting.Evaluation",
    prefix="evaluation",  # audit actions evaluation.moderate, evaluation.publish, …
    permission="reporting.evaluation.permissions.can_take_evaluation_action",
    lock_related=["consortium__program", "consortium__authority"],
    stale_message=_(
        "Someone else changed this evaluation while you were working on it. Nothing was saved: "
        "reload the page and check their changes first."
    ),
)
transition_for = WORKFLOW.transition_for
actions_from = WORKFLOW.actions_from

#: The consortium and its province see the evaluation only in these states.
VISIBLE_OUTSIDE_MINISTRY = frozenset({EvaluationState.PUBLISHED})
#: The scores are final (the ranking lists them).
FINAL_STATES = frozenset({EvaluationState.FINALISED, EvaluationState.PUBLISHED})

STATE_HELP = {
    EvaluationState.SCORING: _(
        "Ministry reviewers score each criterion with a comment and submit their scorecard. "
        "The consortium and its province do not see the evaluation before it is published."
    ),
    EvaluationState.MODERATION: _(
        "Scoring is closed. The moderator checks the reviewers' scores, may set a criterion's "
        "final score with a reason, and finalises the evaluation."
    ),
    EvaluationState.FINALISED: _(
        "The scores are final and the evaluation is ranked. Publishing shows it to the "
        "consortium and its province."
    ),
    EvaluationState.PUBLISHED: _(
        "Published: the consortium and its province see the final scores, comments and grade."
    ),
}
