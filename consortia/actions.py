"""The plan's workflow actions, for the page (``views.PlanActionView``) and the API
(``api.views.PlanActionView``) alike: which service takes each action of the table in
``workflows.py``, and the form / serializer of what the user gives with it."""

from django.utils.translation import gettext as _

from portal.actions import Action, ActionRegistry

from . import services
from .api import amendment_serializers as sa
from .api import serializers as s
from .forms import ApproveForm, CommentForm, RejectForm, ReturnForm
from .workflows import AmendmentAction, PlanAction

PLAN_ACTIONS = ActionRegistry(
    target="plan",
    response=s.PlanStateSerializer,
    actions=[
        Action(
            PlanAction.SUBMIT,
            services.plan_submit,
            response=s.PlanSubmittedSerializer,
            summary="Submit the plan with its stamped scan (freezes a new version)",
            done=lambda version: _("Submitted as version %(n)d.") % {"n": version.number},
        ),
        Action(
            PlanAction.WITHDRAW,
            services.plan_withdraw,
            inputs=("comment",),
            form=CommentForm,
            serializer=s.CommentSerializer,
            summary="Withdraw a submitted plan",
        ),
        Action(
            PlanAction.REOPEN,
            services.plan_reopen,
            summary="Reopen a withdrawn plan as a draft",
        ),
        Action(
            PlanAction.APPROVE,
            services.plan_approve,
            inputs=("comment",),
            form=ApproveForm,
            serializer=s.CommentSerializer,
            summary="Approve (Ministry)",
            description="The consortium becomes a pilot unit; its lead contact and the chosen "
            "member contacts get accounts.",
        ),
        Action(
            PlanAction.RETURN,
            services.plan_return,
            inputs=("section_comments", "comment"),
            form=ReturnForm,
            serializer=s.ReturnSerializer,
            summary="Return for revision with comments per section (Ministry)",
        ),
        Action(
            PlanAction.REJECT,
            services.plan_reject,
            inputs=("reason",),
            form=RejectForm,
            serializer=s.RejectSerializer,
            summary="Reject (Ministry)",
        ),
    ],
)


# The amendment's workflow (``AMENDMENT_WORKFLOW``): the page ``amendment_views.AmendmentActionView``
# and the API ``api.amendment_views.AmendmentActionView`` both look actions up here.
AMENDMENT_ACTIONS = ActionRegistry(
    target="amendment",
    response=sa.AmendmentStateSerializer,
    actions=[
        Action(
            AmendmentAction.SUBMIT,
            services.amendment_submit,
            response=sa.AmendmentSubmittedSerializer,
            summary="Submit the amendment (freezes a new plan version)",
            description="The stamped scan of the amended form is needed only when the program "
            "asks for one (``amendment_requires_scan``).",
            done=lambda version: (
                _("The amendment is submitted as version %(n)d.") % {"n": version.number}
            ),
        ),
        Action(
            AmendmentAction.WITHDRAW,
            services.amendment_withdraw,
            inputs=("comment",),
            form=CommentForm,
            serializer=s.CommentSerializer,
            summary="Withdraw the amendment (the approved plan stays as it is)",
        ),
        Action(
            AmendmentAction.APPROVE,
            services.amendment_approve,
            inputs=("comment",),
            form=ApproveForm,
            serializer=s.CommentSerializer,
            summary="Approve the amendment (Ministry): its version becomes the baseline",
        ),
        Action(
            AmendmentAction.RETURN,
            services.amendment_return,
            inputs=("section_comments", "comment"),
            form=ReturnForm,
            serializer=sa.AmendmentReturnSerializer,
            summary="Return the amendment for revision with the reason (Ministry)",
        ),
    ],
)
