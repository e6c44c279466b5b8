"""Who may see and do what with evaluations. Pages and API call these alike.

Reviewers are the Ministry's users (staff and administrators, ``portal.roles.MINISTRY_ROLES``):
any of them may score an evaluation and close its scoring, becoming its moderator. The moderator
or a Ministry administrator moderates, finalises and publishes. Before publication an evaluation
does not exist for anyone outside the Ministry (404); after it, the consortium's people and its
province read the final scores and comments — never a reviewer's own scores.
"""

from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from consortia.permissions import can_view_consortium
from portal.permissions import (
    ALLOW,
    Decision,
    can_use_portal,
    deny,
    is_ministry,
    is_ministry_admin,
)
from reporting.evaluation.models import Evaluation
from reporting.evaluation.workflows import (
    MINISTRY,
    MODERATOR,
    VISIBLE_OUTSIDE_MINISTRY,
    EvaluationState,
    transition_for,
)

HIDDEN = _("No such evaluation.")


def can_manage_evaluations(user) -> Decision:
    """The evaluation list with every state, the scoring and the ranking: the Ministry."""
    decision = can_use_portal(user)
    if decision and not is_ministry(user):
        return deny(_("Only Ministry staff evaluate the consortia."))
    return decision


def can_view_evaluation(user, evaluation: Evaluation) -> Decision:
    """The Ministry: always. The consortium's people and its province: once published."""
    decision = can_use_portal(user)
    if not decision:
        return decision
    if is_ministry(user):
        return ALLOW
    if evaluation.state in VISIBLE_OUTSIDE_MINISTRY and can_view_consortium(
        user, evaluation.consortium
    ):
        return ALLOW
    return deny(HIDDEN, hide=True)


def can_see_reviewers(user, evaluation: Evaluation) -> bool:
    """Each reviewer's own scores and comments stay inside the Ministry."""
    return is_ministry(user)


def can_start_evaluation(user, consortium: Consortium) -> Decision:
    return can_manage_evaluations(user)


def can_score(user, evaluation: Evaluation) -> Decision:
    decision = can_view_evaluation(user, evaluation)
    if not decision:
        return decision
    if not is_ministry(user):
        return deny(_("Only Ministry staff score evaluations."))
    if evaluation.state != EvaluationState.SCORING:
        return deny(
            _("Scoring is closed: the evaluation is “%(state)s”.")
            % {"state": evaluation.get_state_display()}
        )
    return ALLOW


def is_moderator_of(user, evaluation: Evaluation) -> bool:
    return is_ministry_admin(user) or (
        is_ministry(user)
        and evaluation.moderator_id is not None
        and evaluation.moderator_id == user.pk
    )


def can_moderate(user, evaluation: Evaluation) -> Decision:
    """Set the final scores and comments while the evaluation is in moderation."""
    decision = can_view_evaluation(user, evaluation)
    if not decision:
        return decision
    if not is_moderator_of(user, evaluation):
        return deny(_("Only the evaluation's moderator or a Ministry administrator moderates it."))
    if evaluation.state != EvaluationState.MODERATION:
        return deny(
            _("The evaluation is “%(state)s” and is not in moderation.")
            % {"state": evaluation.get_state_display()}
        )
    return ALLOW


def can_take_evaluation_action(user, evaluation: Evaluation, action: str) -> Decision:
    decision = can_view_evaluation(user, evaluation)
    if not decision:
        return decision
    transition = transition_for(evaluation.state, action)
    if transition is None:
        return deny(
            _("This cannot be done while the evaluation is “%(state)s”.")
            % {"state": evaluation.get_state_display()}
        )
    if transition.actor == MINISTRY and not is_ministry(user):
        return deny(_("Only Ministry staff evaluate the consortia."))
    if transition.actor == MODERATOR and not is_moderator_of(user, evaluation):
        return deny(_("Only the evaluation's moderator or a Ministry administrator moderates it."))
    return ALLOW


def can_select_cases(user, evaluation: Evaluation) -> Decision:
    """Select (or drop) the consortium's typical cases for promotion: Ministry staff, until the
    evaluation is published (then the selection is final, like the scores)."""
    decision = can_view_evaluation(user, evaluation)
    if not decision:
        return decision
    if not is_ministry(user):
        return deny(_("Only Ministry staff select typical cases for promotion."))
    if evaluation.state == EvaluationState.PUBLISHED:
        return deny(_("The evaluation is published: its selection of typical cases is final."))
    return ALLOW
