"""The evaluation's workflow actions, for the page (``views.EvaluationActionView``) and the API
(``api/views.py``) alike: which service takes each action of the table in ``workflows.py``."""

from django.utils.translation import gettext as _

from portal.actions import Action, ActionRegistry
from reporting.evaluation import services
from reporting.evaluation.api import serializers as s
from reporting.evaluation.forms import EvaluationActionForm
from reporting.evaluation.workflows import EvaluationAction

EVALUATION_ACTIONS = ActionRegistry(
    target="evaluation",
    response=s.EvaluationSerializer,
    actions=[
        Action(
            EvaluationAction.MODERATE,
            services.evaluation_moderate,
            inputs=("revision", "comment"),
            form=EvaluationActionForm,
            serializer=s.EvaluationActionInputSerializer,
            done=lambda e: _("Scoring is closed. You moderate this evaluation."),
        ),
        Action(
            EvaluationAction.REOPEN,
            services.evaluation_reopen,
            inputs=("revision", "comment"),
            form=EvaluationActionForm,
            serializer=s.EvaluationActionInputSerializer,
        ),
        Action(
            EvaluationAction.FINALISE,
            services.evaluation_finalise,
            inputs=("revision", "comment"),
            form=EvaluationActionForm,
            serializer=s.EvaluationActionInputSerializer,
            done=lambda e: _("The evaluation is finalised."),
        ),
        Action(
            EvaluationAction.PUBLISH,
            services.evaluation_publish,
            inputs=("revision", "comment"),
            form=EvaluationActionForm,
            serializer=s.EvaluationActionInputSerializer,
            done=lambda e: _("The evaluation is published to the consortium and its province."),
        ),
    ],
)
