"""The demo shows the evaluation: two reviewers' scores and one published evaluation the demo
lead reads; loading it twice adds nothing. Checked by ``tests/test_demo.py``."""

from django.urls import reverse

from portal.models import User
from reporting.evaluation.models import Evaluation, Scorecard
from reporting.evaluation.workflows import EvaluationState


def check_demo_evaluations(client) -> None:
    """After ``load_demo``: a published evaluation scored by two reviewers, read by the lead."""
    states = sorted(Evaluation.objects.values_list("state", flat=True))
    assert states == sorted(
        [EvaluationState.PUBLISHED, EvaluationState.FINALISED, EvaluationState.SCORING]
    )
    published = Evaluation.objects.get(state=EvaluationState.PUBLISHED)
    assert Scorecard.objects.filter(evaluation=published, submitted_at__isnull=False).count() == 2
    client.force_login(User.objects.get(username="lead"))
    page = client.get(reverse("evaluation:evaluation-detail", args=[published.pk]))
    assert page.status_code == 200
