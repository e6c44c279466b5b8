"""The final summary's workflow actions, for the pages (``views.py``) and the API
(``api/views.py``) alike: which service takes each action of the table in ``workflows.py``."""

from django.utils.translation import gettext as _

from portal.actions import Action, ActionRegistry
from reporting.final import services
from reporting.final.api import serializers as s
from reporting.final.forms import ReviewForm
from reporting.final.workflows import FinalAction

FINAL_ACTIONS = ActionRegistry(
    target="report",
    response=s.FinalSerializer,
    actions=[
        Action(
            FinalAction.SUBMIT,
            services.final_submit_as_sent,
            inputs=("revision", "data", "outcomes"),
            serializer=s.FinalSubmitInputSerializer,
            summary="Submit exactly this: a version is frozen with the stamped scan",
            done=lambda report: _("The final summary is submitted to the provincial authority."),
        ),
        *[
            Action(
                action,
                service,
                inputs=("comment",),
                form=ReviewForm,
                serializer=s.FinalActionInputSerializer,
            )
            for action, service in [
                (FinalAction.CONFIRM, services.final_confirm),
                (FinalAction.RETURN, services.final_return),
                (FinalAction.ACCEPT, services.final_accept),
            ]
        ],
    ],
)
