"""Home-page items of the evaluation: scorecards a Ministry user has still to submit, and the
evaluations their moderator has to finalise or publish."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.inbox import InboxItem
from portal.permissions import is_ministry, is_ministry_admin
from reporting.evaluation.models import Evaluation
from reporting.evaluation.workflows import EvaluationState

SHOWN = 50


def evaluation_items(user) -> list[InboxItem]:
    if not is_ministry(user):
        return []
    items = []
    to_score = (
        Evaluation.objects.filter(state=EvaluationState.SCORING)
        .exclude(scorecards__reviewer=user, scorecards__submitted_at__isnull=False)
        .select_related("consortium")
        .order_by("created_at")[:SHOWN]
    )
    for evaluation in to_score:
        items.append(
            InboxItem(
                title=_("Score the evaluation of “%(name)s”")
                % {"name": evaluation.consortium.name},
                url=reverse("evaluation:evaluation-score", args=[evaluation.pk]),
                since=evaluation.created_at,
                tags=("evaluation",),
            )
        )
    # A Ministry administrator may moderate any evaluation; staff the ones they moderate.
    mine = Q() if is_ministry_admin(user) else Q(moderator=user)
    to_moderate = (
        Evaluation.objects.filter(mine)
        .filter(state__in=[EvaluationState.MODERATION, EvaluationState.FINALISED])
        .select_related("consortium")
        .order_by("created_at")[:SHOWN]
    )
    for evaluation in to_moderate:
        name = {"name": evaluation.consortium.name}
        title = (
            _("Moderate and finalise the evaluation of “%(name)s”") % name
            if evaluation.state == EvaluationState.MODERATION
            else _("Publish the evaluation of “%(name)s”") % name
        )
        items.append(
            InboxItem(
                title=title,
                url=reverse("evaluation:evaluation-detail", args=[evaluation.pk]),
                since=evaluation.finalised_at or evaluation.created_at,
                tags=("evaluation",),
            )
        )
    return items
