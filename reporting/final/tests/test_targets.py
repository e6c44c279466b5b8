"""The final summary's “target in the baseline plan”: each task's target (预期目标) as the
baseline version froze it, the amended one once an amendment is approved."""

import pytest
from django.urls import reverse

from consortia import services as plan_services
from consortia.models import PlanAmendment
from consortia.samples import task_target
from reporting.final import services

from .conftest import IN_FINAL

pytestmark = pytest.mark.django_db

AMENDED = "建成高质量行业数据集不少于8个。"


def _outcome_targets(report) -> dict[int, str]:
    return {o.task.number: o.target for o in report.outcomes.select_related("task")}


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "实施方案目标"), ("en", "Target in")])
def test_the_final_summary_is_prefilled_with_each_tasks_target_from_the_baseline(
    client, pilot, started, language, label
):
    targets = _outcome_targets(started)
    assert targets[12] == task_target(12)
    assert targets[1] == task_target(1)
    assert all(targets.values())
    client.force_login(pilot.lead)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("reporting:final-detail", args=[pilot.consortium.pk]))
    html = page.content.decode()
    assert label in html
    assert task_target(12) in html


def test_an_approved_amendments_target_is_the_one_the_final_summary_judges_against(
    pilot, province_user, ministry_staff, on_date, final_period
):
    plan = pilot.consortium.plan
    amendment = plan_services.amendment_propose(actor=province_user, plan=plan, reason="细化目标。")
    selections = {
        t["number"]: t["responsible"] for t in amendment.content["tasks"] if t["selected"]
    }
    plan_services.amendment_set_tasks(
        actor=pilot.lead,
        amendment=amendment,
        selections=selections,
        targets={12: AMENDED},
        revision=amendment.revision,
    )
    plan_services.amendment_submit(
        actor=province_user, amendment=PlanAmendment.objects.get(pk=amendment.pk)
    )
    plan_services.amendment_approve(
        actor=ministry_staff, amendment=PlanAmendment.objects.get(pk=amendment.pk)
    )
    with on_date(IN_FINAL):
        report = services.final_start(actor=pilot.lead, consortium=pilot.consortium)
    targets = _outcome_targets(report)
    assert targets[12] == AMENDED
    assert targets[1] == task_target(1)
