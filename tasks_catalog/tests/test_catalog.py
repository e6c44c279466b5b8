"""The reference catalog: exactly 附件2, in both languages, readable by all, changed only by the Ministry administrator."""

import re

import pytest
from django.urls import reverse

from tasks_catalog.models import CalendarEntry, Program, ReferenceTask, TaskCategory

MANDATORY = [1, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17]
CJK = re.compile(r"[\u4e00-\u9fff]")
pytestmark = pytest.mark.django_db


def idfa():
    return Program.objects.get(code="idfa-2026")


def test_idfa_program_is_seeded_as_the_notice_says():
    program = idfa()
    assert program.document_number == "工信厅信发函〔2026〕64号"
    assert str(program.plan_deadline) == "2026-03-08"
    assert program.recommendation_quota == 2
    assert program.cadence == Program.Cadence.QUARTERLY
    assert [e.code for e in program.calendar.order_by("due_date")] == [
        "2026-q1",
        "2026-q2",
        "2026-q3",
        "2026-q4",
        "final",  # the summary report after Q4 (成效总结; reporting migration 0009)
    ]
    assert program.calendar.get(code="final").kind == "final"
    assert [t.name_zh for t in program.entity_types.all()] == [
        "重点行业企业",
        "平台机构",
        "先进制造业集群",
        "中小企业数字化转型城市试点",
    ]


def test_catalog_has_23_tasks_in_7_categories_with_the_11_mandatory_ones():
    program = idfa()
    tasks = ReferenceTask.objects.filter(program=program).order_by("number")
    assert [t.number for t in tasks] == list(range(1, 24))
    assert TaskCategory.objects.filter(program=program).count() == 7
    assert [t.number for t in tasks if t.mandatory] == MANDATORY
    for task in tasks:
        assert CJK.search(task.title_zh), task.number
        assert task.title_en, task.number
        assert not CJK.search(task.title_en), task.number
    by_number = {t.number: t for t in tasks}
    assert by_number[3].title_zh == "梳理并发布行业场景数据需求清单"
    assert by_number[20].title_zh == "数据资产入表"
    assert by_number[12].category.name_zh == "高质量数据集库"
    assert by_number[23].category.name_en == "Other"


def test_model_data_resonance_has_three_milestones_and_an_empty_table():
    program = Program.objects.get(code="mdr-2026")
    assert program.cadence == Program.Cadence.MILESTONES
    assert str(program.plan_deadline) == "2026-05-30"
    assert [(e.kind, str(e.due_date)) for e in program.calendar.order_by("due_date")] == [
        (CalendarEntry.Kind.REPORT, "2026-08-30"),
        (CalendarEntry.Kind.FINAL, "2026-11-30"),
    ]
    assert not program.tasks.exists()


@pytest.mark.parametrize(
    ("language", "category", "task3", "mandatory_label"),
    [
        ("zh-hans", "行业数据可信互联平台", "梳理并发布行业场景数据需求清单", "必选"),
        (
            "en",
            "Trusted industry-data interconnection platform",
            "Compile and publish the list of industry scenario data requirements",
            "Mandatory",
        ),
    ],
)
def test_catalog_page_groups_by_category_and_marks_mandatory(
    client, consortium_member, language, category, task3, mandatory_label
):
    client.force_login(consortium_member)
    response = client.get(
        reverse("tasks_catalog:program-detail", args=["idfa-2026"]), HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert category in html
    assert task3 in html
    assert html.count('data-task="') == 23
    assert html.count(f'badge-mandatory">{mandatory_label}<') == 11


def test_catalog_page_needs_login(client):
    response = client.get(reverse("tasks_catalog:program-detail", args=["idfa-2026"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_catalog_api_lists_tasks_in_the_requested_language(api_client, province_user):
    api_client.force_authenticate(province_user)
    response = api_client.get(
        "/api/v1/reference-tasks/",
        {"program": "idfa-2026", "page_size": 100},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 23
    assert [t["number"] for t in body["results"] if t["mandatory"]] == MANDATORY
    assert body["results"][0]["title"].startswith("Integrate industrial internet")
    assert (
        body["results"][0]["category"]["name"] == "Trusted industry-data interconnection platform"
    )

    zh = api_client.get(
        "/api/v1/reference-tasks/",
        {"program": "idfa-2026", "mandatory": "false"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).json()
    assert zh["count"] == 12
    assert zh["results"][0]["title"] == zh["results"][0]["title_zh"]


def test_program_api_detail(api_client, consortium_lead):
    api_client.force_authenticate(consortium_lead)
    body = api_client.get("/api/v1/programs/idfa-2026/").json()
    assert body["task_count"] == 23
    assert body["recommendation_quota"] == 2
    assert len(body["calendar"]) == 5  # four quarters and the final summary


def test_catalog_api_refuses_anonymous_with_a_translated_json_error(api_client):
    zh = api_client.get("/api/v1/reference-tasks/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = api_client.get("/api/v1/reference-tasks/", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 401
    assert en.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert CJK.search(zh.json()["detail"])
    assert zh.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_catalog_api_is_read_only_even_for_the_ministry_administrator(
    api_client, ministry_admin, method
):
    api_client.force_authenticate(ministry_admin)
    task = ReferenceTask.objects.get(program__code="idfa-2026", number=2)
    url = "/api/v1/reference-tasks/" if method == "post" else f"/api/v1/reference-tasks/{task.pk}/"
    response = getattr(api_client, method)(url, {"mandatory": True}, format="json")
    assert response.status_code == 405
    task.refresh_from_db()
    assert task.mandatory is False


def _admin_change(client, task, **changes):
    url = reverse("admin:tasks_catalog_referencetask_change", args=[task.pk])
    data = {
        "program": task.program_id,
        "category": task.category_id,
        "number": task.number,
        "title_zh": task.title_zh,
        "title_en": task.title_en,
        "mandatory": "on" if task.mandatory else "",
    }
    data.update(changes)
    return client.post(url, data)


def test_only_the_ministry_administrator_changes_the_catalog(client, role_users):
    task = ReferenceTask.objects.get(program__code="idfa-2026", number=2)
    for role, user in role_users.items():
        if role == "ministry_admin":
            continue
        client.force_login(user)
        response = _admin_change(client, task, title_en="Changed by " + role)
        assert response.status_code == 302, role
        assert "/admin/login/" in response["Location"], role
        task.refresh_from_db()
        assert not task.title_en.startswith("Changed")

    client.force_login(role_users["ministry_admin"])
    response = _admin_change(client, task, title_en="Build an industrial data training base")
    assert response.status_code == 302, response.content[:2000]
    task.refresh_from_db()
    assert task.title_en == "Build an industrial data training base"


def test_ministry_administrator_fills_in_the_model_data_resonance_table(client, ministry_admin):
    client.force_login(ministry_admin)
    program = Program.objects.get(code="mdr-2026")
    category = TaskCategory.objects.create(
        program=program, number=1, name_zh="数据集", name_en="Datasets"
    )
    response = client.post(
        reverse("admin:tasks_catalog_referencetask_add"),
        {
            "program": program.pk,
            "category": category.pk,
            "number": 1,
            "title_zh": "建设场景专用高质量数据集",
            "title_en": "Build scenario-specific datasets",
            "mandatory": "on",
        },
    )
    assert response.status_code == 302
    assert program.tasks.get(number=1).mandatory


def test_admin_refuses_a_category_of_another_program(client, ministry_admin):
    client.force_login(ministry_admin)
    mdr = Program.objects.get(code="mdr-2026")
    idfa_category = TaskCategory.objects.get(program__code="idfa-2026", number=1)
    response = client.post(
        reverse("admin:tasks_catalog_referencetask_add"),
        {
            "program": mdr.pk,
            "category": idfa_category.pk,
            "number": 1,
            "title_zh": "任务",
            "title_en": "Task",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The category belongs to another program." in response.content.decode()
    assert not mdr.tasks.exists()
