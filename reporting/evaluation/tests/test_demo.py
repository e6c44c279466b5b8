"""The demo shows the evaluation: two reviewers' scores and one published evaluation the demo
lead reads; loading it twice adds nothing."""

import io

from django.core.management import call_command
from django.urls import reverse

from portal.models import User
from reporting.evaluation.models import Evaluation, Scorecard
from reporting.evaluation.workflows import EvaluationState


def test_the_demo_has_a_published_evaluation_scored_by_two_reviewers(
    db, client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo", stdout=io.StringIO())
    states = sorted(Evaluation.objects.values_list("state", flat=True))
    assert states == sorted(
        [EvaluationState.PUBLISHED, EvaluationState.FINALISED, EvaluationState.SCORING]
    )
    published = Evaluation.objects.get(state=EvaluationState.PUBLISHED)
    assert Scorecard.objects.filter(evaluation=published, submitted_at__isnull=False).count() == 2
    client.force_login(User.objects.get(username="lead"))
    page = client.get(reverse("evaluation:evaluation-detail", args=[published.pk]))
    assert page.status_code == 200
    call_command("load_demo", stdout=io.StringIO())
    assert Evaluation.objects.count() == 3
