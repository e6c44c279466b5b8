"""In a real browser, the Ministry's evaluation: two reviewers score a pilot, one closes the
scoring and moderates (a final score with its reason), finalises and publishes; the lead then reads
the published grade and comments, without the reviewers' own scores."""

import pytest

from portal.demo import DEMO_PASSWORD, ensure_demo_users
from reporting.conftest import make_pilot
from reporting.evaluation.models import Evaluation
from reporting.evaluation.workflows import EvaluationState

from .test_browser_review import assert_accessible, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A = {"task_completion": "80", "deliverables": "90", "dataset_quality": "70"}
A |= {"application_effect": "60", "mechanism_innovation": "100"}
B = {"task_completion": "90", "deliverables": "80", "dataset_quality": "75"}
B |= {"application_effect": "65", "mechanism_innovation": "90"}


def logout(page):
    page.click("[data-testid=logout]")


def score(page, evaluation_pk, values, reviewer):
    page.goto(f"/evaluations/{evaluation_pk}/score/")
    for code, value in values.items():
        page.fill(f"#id_score_{code}", value)
        page.fill(f"#id_comment_{code}", f"{reviewer}的意见")
    page.click("[data-testid=submit-scorecard]")


def test_two_reviewers_score_the_moderator_publishes_and_the_lead_reads_the_grade(
    page, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = ensure_demo_users()
    pilot = make_pilot(users["beijing"], users["ministry"])
    pilot.lead.set_password(DEMO_PASSWORD)
    pilot.lead.save()

    login(page, "ministry")
    page.click("nav.mainnav >> text=成效评估")
    page.click(f"[data-testid=start-{pilot.consortium.pk}]")
    evaluation = Evaluation.objects.get(consortium=pilot.consortium)
    score(page, evaluation.pk, A, "甲")
    assert_accessible(page)
    logout(page)

    login(page, "admin")
    score(page, evaluation.pk, B, "乙")
    logout(page)

    login(page, "ministry")
    page.goto(f"/evaluations/{evaluation.pk}/")
    assert page.inner_text("[data-testid=evaluation-total]") == "80.13"
    page.click("[data-testid=action-moderate] button")
    page.click("[data-testid=moderate-link]")
    page.fill("#id_final_task_completion", "95")
    page.fill("#id_reason_task_completion", "任务全部按期完成。")
    page.fill("#id_comment_task_completion", "任务完成情况良好。")
    page.fill("#id_conclusion", "总体成效显著。")
    page.click("[data-testid=save-moderation]")
    assert page.inner_text("[data-testid=evaluation-total]") == "83.13"
    page.click("[data-testid=action-finalise] button")
    page.click("[data-testid=action-publish] button")
    assert Evaluation.objects.get(pk=evaluation.pk).state == EvaluationState.PUBLISHED
    shot(page, "evaluation-published")
    logout(page)

    login(page, pilot.lead.username)
    page.click("nav.mainnav >> text=成效评估")
    page.click("text=打开")
    assert page.inner_text("[data-testid=evaluation-grade]") == "良好"
    text = page.inner_text("main")
    assert "任务完成情况良好。" in text
    assert "甲的意见" not in text
    assert_accessible(page)
