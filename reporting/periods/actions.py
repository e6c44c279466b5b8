"""The progress report's workflow actions, for the pages (``views.ReportSubmitView``,
``views.ReportActionView``), the API (``api/reports.py``) and the bulk review alike: which service
takes each action of the table in ``workflows.py``, and the form / serializer of its inputs."""

from django.utils.translation import gettext as _

from portal.actions import Action, ActionRegistry
from reporting.periods import services
from reporting.periods.api import serializers as s
from reporting.periods.forms import ReviewCommentForm
from reporting.periods.workflows import ReportAction

REPORT_ACTIONS = ActionRegistry(
    target="report",
    response=s.ReportSerializer,
    actions=[
        Action(
            ReportAction.SUBMIT,
            services.report_submit_as_sent,
            # The page's confirmation posts the revision shown; the API may add the fields.
            inputs=("revision", "data", "entries"),
            serializer=s.ReportSubmitInputSerializer,
            summary="Submit exactly this: save the fields sent (if any) and submit that revision",
            done=lambda report: _("The report is submitted to the provincial authority."),
        ),
        # The reviews: the reviewer's comment, as written.
        *[
            Action(
                action,
                service,
                inputs=("comment",),
                form=ReviewCommentForm,
                serializer=s.ReportActionInputSerializer,
            )
            for action, service in [
                (ReportAction.CONFIRM, services.report_confirm),
                (ReportAction.RETURN, services.report_return),
                (ReportAction.ACCEPT, services.report_accept),
            ]
        ],
    ],
)
