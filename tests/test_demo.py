"""The demo (``manage.py load_demo``), loaded once for the checks of every app (loading it is the
longest thing a test does: once, not once per app), then loaded again: it adds nothing."""

import pytest

from consortia.tests.test_demo import check_demo_plans, demo_counts, load_demo
from reporting.evaluation.models import Evaluation
from reporting.evaluation.tests.test_demo import check_demo_evaluations
from reporting.final.models import FinalReport
from reporting.final.tests.test_services import check_demo_final_summaries
from reporting.insights.tests.test_demo_dashboards import check_demo_dashboards

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_stage_and_loads_twice_without_adding_anything(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    output = load_demo()
    check_demo_plans(output)
    check_demo_final_summaries()
    check_demo_evaluations(client)
    check_demo_dashboards()
    first = (demo_counts(), FinalReport.objects.count(), Evaluation.objects.count())

    again = load_demo()
    assert "exists" in again
    assert (demo_counts(), FinalReport.objects.count(), Evaluation.objects.count()) == first
    assert first[1:] == (5, 3)  # a final summary in each of the five states; three evaluations
