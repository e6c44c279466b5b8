"""A target (预期目标) per selected task: entered on the task page and through the API, limited
like the form's texts, required before submission, frozen in the version, compared, carried by
amendments, shown on the review sheet, and never printed on the official form."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from consortia import services
from consortia.compare import compare_versions
from consortia.content import content_digest, content_problems, plan_content, scan_digest
from consortia.models import Plan, PlanAmendment, TaskSelection
from consortia.pdf import render_plan_pdf
from consortia.review_sheet import review_sheet_context
from consortia.samples import CONSORTIUM, fill_plan, task_target
from consortia.selectors import plan_baseline
from consortia.tests.conftest import make_consortium, make_ready_plan
from portal.models import User
from portal.pdf import pdf_text
from portal.roles import Role

pytestmark = pytest.mark.django_db

NEW_TARGET = "建成高质量行业数据集不少于8个。"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def filled(province_user, idfa, media):
    consortium = make_consortium(province_user, idfa)
    return fill_plan(actor=province_user, consortium=consortium)


def _targets(plan) -> dict[int, str]:
    return dict(TaskSelection.objects.filter(plan=plan).values_list("task__number", "target"))


def _page_data(plan, **targets) -> dict:
    """What the task page posts for the plan as it is, with some targets changed."""
    data = {"revision": plan.revision}
    for selection in plan.selections.select_related("task").prefetch_related("responsible"):
        number = selection.task.number
        data[f"task_{number}"] = "on"
        data[f"members_{number}"] = [m.pk for m in selection.responsible.all()]
        data[f"target_{number}"] = targets.get(f"t{number}", selection.target)
    return data


def _api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _api_url(plan, rest="plan/tasks/"):
    return f"/api/v1/consortia/{plan.consortium_id}/{rest}"


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label", "saved"), [("zh-hans", "预期目标", "已保存"), ("en", "Target", "saved")]
)
def test_the_task_page_has_a_target_box_per_task_and_saves_the_selected_ones(
    client, province_user, filled, language, label, saved
):
    client.force_login(province_user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    url = reverse("consortia:tasks-edit", args=[filled.consortium_id])
    page = client.get(url).content.decode()
    assert f"<th>{label}</th>" in page
    assert 'name="target_12"' in page
    assert task_target(12) in page

    data = _page_data(filled, t12=NEW_TARGET)
    data.pop("task_23")  # an optional task left out: its box is ignored
    data["target_23"] = "不会保存。"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert saved in response.content.decode()
    targets = _targets(filled)
    assert targets[12] == NEW_TARGET
    assert 23 not in targets
    # The plan page shows the target beside the responsible units.
    detail = client.get(reverse("consortia:consortium-detail", args=[filled.consortium_id]))
    assert NEW_TARGET in detail.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "预期目标共401字，最多400字。"),
        ("en", "The target has 401 characters; at most 400."),
    ],
)
def test_a_target_over_the_limit_is_refused_on_the_page_in_the_users_language(
    client, province_user, filled, language, message
):
    client.force_login(province_user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    url = reverse("consortia:tasks-edit", args=[filled.consortium_id])
    before = _targets(filled)

    response = client.post(url, _page_data(filled, t12="数" * 401, t1="改了"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _targets(filled) == before  # nothing half-saved

    # Counted like the form's texts: whitespace is free.
    response = client.post(url, _page_data(filled, t12="数 " * 400))
    assert response.status_code == 302
    assert _targets(filled)[12] == "数 " * 399 + "数"


@pytest.mark.parametrize("who", ["other_province_user", "consortium_lead", "ministry_staff"])
def test_nobody_but_the_plans_authority_sets_targets_on_the_page(client, filled, who, request):
    client.force_login(request.getfixturevalue(who))
    url = reverse("consortia:tasks-edit", args=[filled.consortium_id])
    before = _targets(filled)
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, _page_data(filled, t12=NEW_TARGET)).status_code in (403, 404)
    assert _targets(filled) == before


# --- the API -------------------------------------------------------------------------------------


def test_the_api_sets_targets_in_a_separate_map_and_old_bodies_keep_them(province_user, filled):
    client = _api(province_user)
    before = client.get(_api_url(filled)).json()
    assert before["targets"]["12"] == task_target(12)

    body = {
        "revision": before["revision"],
        "selections": before["selections"],
        "targets": {"12": NEW_TARGET},
    }
    response = client.put(_api_url(filled), body, format="json")
    assert response.status_code == 200
    assert response.json()["targets"]["12"] == NEW_TARGET
    assert response.json()["targets"]["1"] == task_target(1)  # not sent: kept

    # An old client's body (no targets) keeps every target.
    old = {"revision": response.json()["revision"], "selections": before["selections"]}
    response = client.put(_api_url(filled), old, format="json")
    assert response.status_code == 200
    assert _targets(filled)[12] == NEW_TARGET
    consortium = client.get(_api_url(filled, "")).json()
    assert {t["number"]: t["target"] for t in consortium["tasks"]}[12] == NEW_TARGET


@pytest.mark.parametrize(
    ("language", "too_long", "not_taken"),
    [
        ("zh-hans", "任务12的预期目标过长：最多400字。", "未选择的任务不能填写预期目标：23。"),
        (
            "en",
            "The target of task 12 is too long: at most 400 characters.",
            "Targets for tasks not taken on: 23.",
        ),
    ],
)
def test_the_api_refuses_a_long_target_or_one_for_a_task_not_taken_on(
    province_user, filled, language, too_long, not_taken
):
    client = _api(province_user, language)
    before = client.get(_api_url(filled)).json()
    selections = {k: v for k, v in before["selections"].items() if k != "23"}
    for targets, message in (({"12": "数" * 401}, too_long), ({"23": "目标"}, not_taken)):
        body = {"revision": before["revision"], "selections": selections, "targets": targets}
        response = client.put(_api_url(filled), body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"]["tasks"] == [message]
    assert client.get(_api_url(filled)).json() == before


@pytest.mark.parametrize("who", ["other_province_user", "consortium_lead", "ministry_staff"])
def test_the_api_lets_nobody_but_the_plans_authority_set_targets(filled, who, request):
    client = _api(request.getfixturevalue(who))
    body = {"revision": filled.revision, "selections": {}, "targets": {"12": NEW_TARGET}}
    response = client.put(_api_url(filled), body, format="json")
    assert response.status_code in (403, 404)
    assert _targets(filled)[12] == task_target(12)


def test_anonymous_cannot_set_targets_through_the_api(filled):
    body = {"revision": filled.revision, "selections": {}, "targets": {"12": NEW_TARGET}}
    response = APIClient().put(_api_url(filled), body, format="json")
    assert response.status_code in (401, 403)
    assert _targets(filled)[12] == task_target(12)


# --- content, submission, version ----------------------------------------------------------------


def test_a_plan_cannot_be_submitted_while_a_selected_task_has_no_target(province_user, filled):
    TaskSelection.objects.filter(plan=filled, task__number__in=[3, 12]).update(target="")
    with translation.override("zh-hans"):
        problems = content_problems(filled)
    assert problems["tasks"] == ["以下任务尚未填写预期目标：3, 12。"]


def test_the_version_freezes_each_target_and_a_changed_target_needs_no_new_stamp(
    province_user, idfa, media
):
    plan = make_ready_plan(province_user, idfa)
    services.plan_set_tasks(
        actor=province_user,
        plan=plan,
        selections={
            s.task.number: [m.pk for m in s.responsible.all()] for s in plan.selections.all()
        },
        targets={12: NEW_TARGET},
        revision=plan.revision,
    )
    plan.refresh_from_db()
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 1)):
        version = services.plan_submit(actor=province_user, plan=plan)
    tasks = {t["number"]: t for t in version.content["tasks"]}
    assert tasks[12]["target"] == NEW_TARGET
    assert tasks[1]["target"] == task_target(1)
    assert tasks[2]["selected"]


def test_a_content_frozen_before_targets_digests_as_it_did():
    content = {"tasks": [{"number": 1, "selected": True, "responsible": ["甲"]}], "x": "y"}
    assert scan_digest(content) == content_digest(content)
    with_target = {**content, "tasks": [{**content["tasks"][0], "target": "目标"}]}
    assert scan_digest(with_target) == content_digest(content)


def test_the_comparison_marks_a_changed_target_and_reads_versions_without_targets(filled):
    old = plan_content(filled)
    legacy = {**old, "tasks": [{k: v for k, v in t.items() if k != "target"} for t in old["tasks"]]}
    new = {
        **old,
        "tasks": [{**t, "target": NEW_TARGET} if t["number"] == 12 else t for t in old["tasks"]],
    }
    tasks = next(s for s in compare_versions(old, new) if s["key"] == "tasks")
    changed = [r["field"] for r in tasks["rows"] if r["changed"]]
    assert changed == ["12"]
    tasks = next(s for s in compare_versions(legacy, old) if s["key"] == "tasks")
    assert all(r["changed"] for r in tasks["rows"] if r["field"] in ("1", "12"))


def test_the_64hao_form_does_not_print_targets_but_the_review_sheet_does(filled, idfa):
    text = pdf_text(render_plan_pdf(plan_content(filled), idfa, draft=True)).replace("\n", "")
    assert task_target(12) not in text
    assert "预期目标" not in text
    sheet = review_sheet_context(filled)
    tasks = next(s for s in sheet["sections"] if s["key"] == "tasks")["tasks"]
    assert {t["number"]: t["target"] for t in tasks}[12] == task_target(12)


# --- amendments ----------------------------------------------------------------------------------


@pytest.fixture
def approved(province_user, ministry_staff, idfa, media):
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 1)):
        plan = make_ready_plan(province_user, idfa)
        services.plan_submit(actor=province_user, plan=plan)
        services.plan_approve(actor=ministry_staff, plan=plan, comment="同意。")
    plan.refresh_from_db()
    return plan


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_amendment_changes_a_target_on_the_page_and_its_approval_carries_it_to_the_baseline(
    client, approved, province_user, ministry_staff, language
):
    lead = User.objects.get(email=CONSORTIUM["contact_email"], role=Role.CONSORTIUM_LEAD)
    first = plan_baseline(plan=approved)
    amendment = services.amendment_propose(actor=province_user, plan=approved, reason="细化目标。")
    client.force_login(lead)  # the lead edits an amendment's task division too
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    url = reverse("consortia:amendment-tasks", args=[approved.consortium_id, amendment.number])
    page = client.get(url).content.decode()
    assert task_target(12) in page
    members = {m["name"]: i for i, m in enumerate(amendment.content["members"], 1)}
    data = {"revision": amendment.revision}
    for t in amendment.content["tasks"]:
        if t["selected"]:
            data[f"task_{t['number']}"] = "on"
            data[f"members_{t['number']}"] = [members[n] for n in t["responsible"]]
            data[f"target_{t['number']}"] = NEW_TARGET if t["number"] == 12 else t["target"]
    assert client.post(url, data).status_code == 302
    amendment = PlanAmendment.objects.get(pk=amendment.pk)
    assert {t["number"]: t["target"] for t in amendment.content["tasks"]}[12] == NEW_TARGET
    assert _targets(approved)[12] == task_target(12)  # nothing changes before approval

    version = services.amendment_submit(actor=province_user, amendment=amendment)
    services.amendment_approve(
        actor=ministry_staff, amendment=PlanAmendment.objects.get(pk=amendment.pk)
    )
    assert plan_baseline(plan=approved) == version
    assert {t["number"]: t["target"] for t in version.content["tasks"]}[12] == NEW_TARGET
    assert _targets(Plan.objects.get(pk=approved.pk))[12] == NEW_TARGET
    first.refresh_from_db()
    assert {t["number"]: t["target"] for t in first.content["tasks"]}[12] == task_target(12)


def test_an_amendments_targets_through_the_api_and_the_denial_twin(
    approved, province_user, other_province_user
):
    amendment = services.amendment_propose(actor=province_user, plan=approved, reason="细化目标。")
    url = _api_url(approved, f"plan/amendments/{amendment.number}/tasks/")
    selections = {
        str(t["number"]): t["responsible"] for t in amendment.content["tasks"] if t["selected"]
    }
    body = {"revision": amendment.revision, "selections": selections, "targets": {"12": NEW_TARGET}}
    assert _api(other_province_user).put(url, body, format="json").status_code in (403, 404)
    response = _api(province_user).put(url, body, format="json")
    assert response.status_code == 200
    amendment = PlanAmendment.objects.get(pk=amendment.pk)
    targets = {t["number"]: t["target"] for t in amendment.content["tasks"]}
    assert targets[12] == NEW_TARGET
    assert targets[1] == task_target(1)
