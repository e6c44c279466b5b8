"""The "1+4+N" deliverables registry: services, pages and API, each with its denial twin."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from consortia.models import Consortium
from consortia.pdf import plan_pdf_page_count
from consortia.samples import CONSORTIUM, fill_plan, scan_upload
from consortia.services import plan_approve, plan_submit, plan_upload_scan
from consortia.tests.conftest import before_deadline, make_consortium, make_ready_plan  # noqa: F401
from portal.models import AuditEntry, User
from portal.tests.test_i18n import check_language
from reporting.periods.models import ReportingPeriod
from reporting.registry.forms import deliverable_form_class
from reporting.registry.kinds import (
    KINDS,
    MAX_SIZE_BYTES,
    kinds_for,
    size_in_unit,
    size_to_bytes,
)
from reporting.registry.models import Dataset, Standard
from reporting.registry.selectors import (
    dataset_totals,
    deliverable_catalogue,
    deliverable_default_period,
)
from reporting.registry.services import deliverable_save
from tasks_catalog import terms
from tasks_catalog.models import Program, ReferenceTask

pytestmark = pytest.mark.django_db

GD_CONSORTIUM = "粤港澳电子信息数据联合体（示例）"
GD_LEAD_EMAIL = "lead@gd-unit.example.cn"


@dataclass
class Pilot:
    consortium: Consortium
    lead: User
    member: User


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def program(db):
    return Program.objects.get(code="idfa-2026")


@pytest.fixture
def q1(program):
    return ReportingPeriod.objects.get(program=program, code="2026-q1")


def _approve(plan, authority, ministry_staff, lead_email) -> Pilot:
    plan_submit(actor=authority, plan=plan)
    plan_approve(actor=ministry_staff, plan=plan)
    consortium = Consortium.objects.get(pk=plan.consortium_id)
    member = User.objects.get(
        role="consortium_member", email=f"member1-{consortium.pk}@unit.example.cn"
    )
    return Pilot(consortium, User.objects.get(email=lead_email), member)


@pytest.fixture
def beijing(before_deadline, province_user, ministry_staff, program):  # noqa: F811
    """Beijing's approved pilot; its plan selected all 23 tasks."""
    plan = make_ready_plan(province_user, program)
    return _approve(plan, province_user, ministry_staff, CONSORTIUM["contact_email"])


@pytest.fixture
def guangdong(before_deadline, other_province_user, ministry_staff, program):  # noqa: F811
    """Guangdong's approved pilot with another lead; its plan selected only the mandatory tasks."""
    consortium = make_consortium(
        other_province_user,
        program,
        name=GD_CONSORTIUM,
        contact_email=GD_LEAD_EMAIL,
        lead_unit_name="粤港电子信息集团有限公司（示例）",
    )
    plan = fill_plan(actor=other_province_user, consortium=consortium, all_tasks=False)
    plan_upload_scan(
        actor=other_province_user, plan=plan, upload=scan_upload(plan_pdf_page_count(plan))
    )
    plan.refresh_from_db()
    return _approve(plan, other_province_user, ministry_staff, GD_LEAD_EMAIL)


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def page_client(client, user):
    client.force_login(user)
    return client


def tasks(*numbers):
    return list(ReferenceTask.objects.filter(program__code="idfa-2026", number__in=numbers))


def list_url(consortium, kind="dataset"):
    return reverse("reporting:deliverable-list", args=[consortium.pk, kind])


def api_url(consortium, kind="dataset", pk=None):
    base = f"/api/v1/consortia/{consortium.pk}/deliverables/{kind}/"
    return f"{base}{pk}/" if pk else base


def dataset_form(period, task_numbers=(12, 15), **changes):
    data = {
        "name": "高炉炉况多模态数据集",
        "period": period.pk,
        "tasks": [t.pk for t in tasks(*task_numbers)],
        "industry": "steel",
        "stage": "production",
        "modality": "multimodal",
        "records": "1200000",
        "size_value": "1.5",
        "size_unit": "GB",
        "data_format": "Parquet",
        "openness": "open_source",
        "licence": "CC BY 4.0",
    }
    return {**data, **changes}


def dataset_json(**changes):
    data = {
        "name": "带钢表面缺陷图像数据集",
        "period": "2026-q1",
        "tasks": [12, 14],
        "industry": "steel",
        "stage": "production",
        "modality": "image",
        "records": 80000,
        "size_bytes": 120_000_000_000,
        "openness": "consortium",
    }
    return {**data, **changes}


def standard_json(**changes):
    return {
        "name": "钢铁行业工业数据采集规范",
        "period": "2026-q2",
        "tasks": [8],
        "level": "group",
        "stage": "drafting",
        "number": "T/CISA 001-2026",
        **changes,
    }


def add_dataset(pilot, period, name, **fields) -> Dataset:
    data = {
        "name": name,
        "period": period,
        "tasks": tasks(12),
        "industry": "steel",
        "stage": "production",
        "modality": "tabular",
        "records": 1000,
        "size_bytes": 2048,
        **fields,
    }
    return deliverable_save(
        actor=pilot.lead, consortium=pilot.consortium, kind="dataset", data=data
    )


def audit_trail(consortium):
    return list(
        AuditEntry.objects.filter(
            action__startswith="deliverable.", object_id=str(consortium.plan.pk)
        )
        .order_by("pk")
        .values_list("action", "actor_id", "data__kind", "data__name")
    )


# --- the lead records, changes and removes deliverables ---------------------------------------


def test_lead_adds_edits_and_removes_a_dataset_and_a_standard_on_the_pages(
    client, beijing, q1, program
):
    lead, consortium = beijing.lead, beijing.consortium
    page_client(client, lead)

    page = client.get(list_url(consortium), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="deliverable-form"' in html
    assert "Nothing recorded yet." in html
    for kind in ("standard", "data_product", "scenario", "key_technology", "data_requirement"):
        assert list_url(consortium, kind) in html  # the tab bar

    response = client.post(list_url(consortium), dataset_form(q1))
    assert response.status_code == 302
    assert response.url == list_url(consortium)
    dataset = Dataset.objects.get(consortium=consortium)
    assert dataset.name == "高炉炉况多模态数据集"
    assert dataset.created_by == lead
    assert sorted(t.number for t in dataset.tasks.all()) == [12, 15]
    assert dataset.records == 1_200_000
    assert dataset.openness == "open_source"
    html = client.get(list_url(consortium), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "高炉炉况多模态数据集" in html
    assert "12, 15" in html
    assert "Open source" in html

    edit_url = reverse("reporting:deliverable-edit", args=[consortium.pk, "dataset", dataset.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(edit_url, dataset_form(q1, (12,), name="高炉炉况数据集（第二版）"))
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.name == "高炉炉况数据集（第二版）"
    assert [t.number for t in dataset.tasks.all()] == [12]

    q2 = ReportingPeriod.objects.get(program=program, code="2026-q2")
    standard_form = {
        "name": "钢铁行业数据集质量评价规范",
        "period": q2.pk,
        "tasks": [t.pk for t in tasks(8, 9)],
        "level": "group",
        "stage": "drafting",
        "number": "",
    }
    response = client.post(list_url(consortium, "standard"), standard_form)
    assert response.status_code == 302
    standard = Standard.objects.get(consortium=consortium)
    assert standard.period == q2
    assert standard.get_level_display()
    standard_edit = reverse(
        "reporting:deliverable-edit", args=[consortium.pk, "standard", standard.pk]
    )
    response = client.post(standard_edit, {**standard_form, "stage": "published"})
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.stage == "published"

    for kind, obj in (("dataset", dataset), ("standard", standard)):
        delete_url = reverse("reporting:deliverable-delete", args=[consortium.pk, kind, obj.pk])
        assert client.get(delete_url).status_code == 405  # only by the button (POST)
        assert client.post(delete_url).status_code == 302
    assert not Dataset.objects.exists()
    assert not Standard.objects.exists()

    assert audit_trail(consortium) == [
        ("deliverable.save", lead.pk, "dataset", "高炉炉况多模态数据集"),
        ("deliverable.save", lead.pk, "dataset", "高炉炉况数据集（第二版）"),
        ("deliverable.save", lead.pk, "standard", "钢铁行业数据集质量评价规范"),
        ("deliverable.save", lead.pk, "standard", "钢铁行业数据集质量评价规范"),
        ("deliverable.delete", lead.pk, "dataset", "高炉炉况数据集（第二版）"),
        ("deliverable.delete", lead.pk, "standard", "钢铁行业数据集质量评价规范"),
    ]


def test_lead_adds_edits_and_removes_a_dataset_and_a_standard_through_the_api(beijing):
    lead, consortium = beijing.lead, beijing.consortium
    client = api(lead)

    response = client.post(api_url(consortium), dataset_json(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tasks"] == [12, 14]
    assert body["period"] == "2026-q1"
    assert body["consortium"] == {
        "id": consortium.pk,
        "name": consortium.name,
        "program": "idfa-2026",
        "province": "110000",
    }
    assert body["created_by"] == lead.username
    assert body["size_bytes"] == 120_000_000_000

    response = client.post(api_url(consortium, "standard"), standard_json(), format="json")
    assert response.status_code == 201, response.json()
    standard_id = response.json()["id"]

    listed = client.get(api_url(consortium)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["name"] == "带钢表面缺陷图像数据集"
    dataset_id = body["id"]
    one = client.get(api_url(consortium, pk=dataset_id)).json()
    assert one["modality"] == "image"

    response = client.patch(
        api_url(consortium, pk=dataset_id), {"records": 90000, "tasks": [12]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["records"] == 90000
    assert response.json()["tasks"] == [12]
    assert response.json()["name"] == "带钢表面缺陷图像数据集"  # not sent, not changed
    response = client.patch(
        api_url(consortium, "standard", standard_id), {"stage": "published"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["tasks"] == [8]

    assert client.get(api_url(consortium, "no_such_kind")).status_code == 404

    assert client.delete(api_url(consortium, pk=dataset_id)).status_code == 204
    assert client.delete(api_url(consortium, "standard", standard_id)).status_code == 204
    assert client.get(api_url(consortium)).json()["count"] == 0
    assert [a[0] for a in audit_trail(consortium)] == [
        "deliverable.save",
        "deliverable.save",
        "deliverable.save",
        "deliverable.save",
        "deliverable.delete",
        "deliverable.delete",
    ]
    assert {a[2] for a in audit_trail(consortium)} == {"dataset", "standard"}


# --- tasks the consortium did not select, periods of another program -------------------------


def test_task_the_consortium_did_not_select_is_refused_on_the_page(client, guangdong, q1):
    consortium = guangdong.consortium  # selected the mandatory tasks only: not 2 or 15
    page_client(client, guangdong.lead)
    form_html = client.get(list_url(consortium), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    task_12, task_15 = tasks(12)[0], tasks(15)[0]
    assert f'value="{task_12.pk}"' in form_html
    assert f'value="{task_15.pk}"' not in form_html

    response = client.post(
        list_url(consortium), dataset_form(q1, (12, 15)), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert (
        "Task 15 is not among the tasks the consortium selected in its implementation plan."
        in response.content.decode()
    )
    assert not Dataset.objects.exists()
    assert audit_trail(consortium) == []

    response = client.post(list_url(consortium), dataset_form(q1, (12,)))
    assert response.status_code == 302
    assert Dataset.objects.count() == 1


def test_task_the_consortium_did_not_select_is_refused_by_the_api(guangdong):
    consortium, client = guangdong.consortium, api(guangdong.lead)
    response = client.post(api_url(consortium), dataset_json(tasks=[2, 12]), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "task_not_selected"
    assert response.json()["errors"]["tasks"] == [
        "Task 2 is not among the tasks the consortium selected in its implementation plan. "
        "Choose only selected tasks."
    ]
    assert not Dataset.objects.exists()
    assert audit_trail(consortium) == []

    created = client.post(api_url(consortium), dataset_json(tasks=[12]), format="json")
    assert created.status_code == 201
    response = client.patch(
        api_url(consortium, pk=created.json()["id"]), {"tasks": [12, 14]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "task_not_selected"
    assert [t.number for t in Dataset.objects.get().tasks.all()] == [12]

    # No task at all, an unknown task number, a period of another program.
    response = client.post(api_url(consortium), dataset_json(tasks=[]), format="json")
    assert response.status_code == 400
    assert "tasks" in response.json()["errors"]
    response = client.post(api_url(consortium), dataset_json(tasks=[99]), format="json")
    assert response.status_code == 400
    assert "tasks" in response.json()["errors"]
    response = client.post(api_url(consortium), dataset_json(period="progress"), format="json")
    assert response.status_code == 400
    assert "period" in response.json()["errors"]
    assert Dataset.objects.count() == 1


def test_service_refuses_a_period_of_another_program(guangdong):
    other = ReportingPeriod.objects.get(program__code="mdr-2026", code="progress")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        add_dataset(guangdong, other, "跨项目数据集")
    assert "period" in refused.value.message_dict
    assert not Dataset.objects.exists()


# --- who may not write, who may not read -----------------------------------------------------


def test_only_the_lead_writes_on_the_pages(
    client, beijing, guangdong, q1, other_province_user, province_user, ministry_staff
):
    dataset = add_dataset(beijing, q1, "既有数据集")
    consortium = beijing.consortium
    edit_url = reverse("reporting:deliverable-edit", args=[consortium.pk, "dataset", dataset.pk])
    delete_url = reverse(
        "reporting:deliverable-delete", args=[consortium.pk, "dataset", dataset.pk]
    )
    refused = {
        beijing.member: 403,
        province_user: 403,
        ministry_staff: 403,
        other_province_user: 404,
        guangdong.lead: 404,
    }
    for user, code in refused.items():
        page_client(client, user)
        assert client.post(list_url(consortium), dataset_form(q1)).status_code == code, user
        assert client.get(edit_url).status_code == code, user
        assert client.post(edit_url, dataset_form(q1, name="改名")).status_code == code, user
        assert client.post(delete_url).status_code == code, user
    assert [d.name for d in Dataset.objects.all()] == ["既有数据集"]
    page_client(client, beijing.member)
    denied = client.post(list_url(consortium), dataset_form(q1), HTTP_ACCEPT_LANGUAGE="en")
    assert "Only the consortium lead records deliverables." in denied.content.decode()
    # The twin: the lead may.
    page_client(client, beijing.lead)
    assert client.post(edit_url, dataset_form(q1, name="改名")).status_code == 302
    assert Dataset.objects.get().name == "改名"


def test_only_the_lead_writes_through_the_api(
    beijing, guangdong, q1, other_province_user, province_user, ministry_staff
):
    dataset = add_dataset(beijing, q1, "既有数据集")
    consortium = beijing.consortium
    refused = {
        beijing.member: 403,
        province_user: 403,
        ministry_staff: 403,
        other_province_user: 404,
        guangdong.lead: 404,
    }
    for user, code in refused.items():
        client = api(user)
        assert client.post(api_url(consortium), dataset_json(), format="json").status_code == code
        response = client.patch(api_url(consortium, pk=dataset.pk), {"name": "改名"}, format="json")
        assert response.status_code == code
        assert client.delete(api_url(consortium, pk=dataset.pk)).status_code == code
    response = api(beijing.member).post(api_url(consortium), dataset_json(), format="json")
    assert response.json()["detail"] == "Only the consortium lead records deliverables."
    assert [d.name for d in Dataset.objects.all()] == ["既有数据集"]
    assert len(audit_trail(consortium)) == 1  # the lead's own save only
    response = api(beijing.lead).patch(
        api_url(consortium, pk=dataset.pk), {"name": "改名"}, format="json"
    )
    assert response.status_code == 200
    assert Dataset.objects.get().name == "改名"


def test_who_reads_a_consortiums_list(
    client, beijing, guangdong, q1, province_user, other_province_user, ministry_staff
):
    add_dataset(beijing, q1, "北京数据集")
    consortium = beijing.consortium
    readers = [province_user, beijing.member, ministry_staff, beijing.lead]
    for user in readers:
        page_client(client, user)
        response = client.get(list_url(consortium), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, user
        html = response.content.decode()
        assert "北京数据集" in html
        assert ('data-testid="deliverable-form"' in html) == (user == beijing.lead)
        body = api(user).get(api_url(consortium)).json()
        assert [d["name"] for d in body["results"]] == ["北京数据集"]
    for user in (other_province_user, guangdong.lead, guangdong.member):
        page_client(client, user)
        assert client.get(list_url(consortium)).status_code == 404, user
        assert api(user).get(api_url(consortium)).status_code == 404, user
    assert client.get(list_url(consortium, "no_such_kind")).status_code == 404


# --- the Ministry's catalogue ----------------------------------------------------------------


@pytest.fixture
def two_provinces(beijing, guangdong, q1):
    add_dataset(beijing, q1, "炼钢过程数据集", records=5000, size_bytes=7_000_000)
    add_dataset(
        beijing, q1, "轧钢质量数据集", records=3000, size_bytes=1_500_000, openness="open_source"
    )
    add_dataset(
        guangdong,
        q1,
        "=1+1 消费电子装配数据集",  # user text that looks like a formula stays text
        industry="consumer_electronics",
        records=40000,
        size_bytes=90_000_000_000,
        openness="open_source",
    )
    return beijing, guangdong


def test_ministry_catalogue_filters_by_province_and_industry(client, two_provinces, ministry_staff):
    page_client(client, ministry_staff)
    url = reverse("reporting:deliverable-catalogue", args=["dataset"])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("炼钢过程数据集", "轧钢质量数据集", "消费电子装配数据集", GD_CONSORTIUM):
        assert name in html
    html = client.get(url, {"province": "110000"}).content.decode()
    assert "炼钢过程数据集" in html
    assert "消费电子装配数据集" not in html
    html = client.get(url, {"industry": "consumer_electronics"}).content.decode()
    assert "消费电子装配数据集" in html
    assert "炼钢过程数据集" not in html
    html = client.get(url, {"search": "轧钢"}).content.decode()
    assert "轧钢质量数据集" in html
    assert "炼钢过程数据集" not in html

    client_api = api(ministry_staff)
    body = client_api.get("/api/v1/deliverables/dataset/", {"province": "440000"}).json()
    assert [d["name"] for d in body["results"]] == ["=1+1 消费电子装配数据集"]
    assert body["results"][0]["consortium"]["province"] == "440000"
    body = client_api.get("/api/v1/deliverables/dataset/", {"industry": "steel"}).json()
    assert sorted(d["name"] for d in body["results"]) == ["炼钢过程数据集", "轧钢质量数据集"]
    body = client_api.get(
        "/api/v1/deliverables/dataset/", {"program": "idfa-2026", "period": "2026-q1"}
    ).json()
    assert body["count"] == 3
    paged = client_api.get("/api/v1/deliverables/dataset/", {"page_size": 2}).json()
    assert len(paged["results"]) == 2
    assert paged["next"]
    bad = client_api.get("/api/v1/deliverables/dataset/", {"industry": "no-such-industry"})
    assert bad.status_code == 400
    assert "industry" in bad.json()["errors"]
    assert client_api.get("/api/v1/deliverables/standard/").json()["count"] == 0
    assert client_api.get("/api/v1/deliverables/no_such_kind/").status_code == 404


def test_catalogue_downloads_contain_the_filtered_rows(client, two_provinces, ministry_staff):
    page_client(client, ministry_staff)
    url = reverse("reporting:deliverable-catalogue", args=["dataset"])

    response = client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # UTF-8 BOM: Excel reads the Chinese correctly
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["Consortium", "Province", "Name", "Reporting period"]
    assert "Size in bytes" in header
    assert "Industry" in header
    names = {row[header.index("Name")] for row in rows[1:]}
    assert names == {"炼钢过程数据集", "轧钢质量数据集", "'=1+1 消费电子装配数据集"}
    steel = next(row for row in rows[1:] if row[2] == "炼钢过程数据集")
    assert steel[0] == CONSORTIUM["name"]
    assert steel[1] == "Beijing"
    assert steel[header.index("Size in bytes")] == "7000000"
    assert steel[header.index("Tasks")] == "12"

    response = client.get(url, {"format": "xlsx", "province": "440000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Consortium", "Province", "Name"]
    assert len(values) == 2
    row = dict(zip(values[0], values[1], strict=True))
    assert row["Consortium"] == GD_CONSORTIUM
    assert row["Province"] == "Guangdong"
    assert row["Name"] == "=1+1 消费电子装配数据集"  # text, not a formula
    assert row["Size in bytes"] == 90_000_000_000
    assert row["Industry"] == "Consumer electronics"


def test_province_and_lead_are_refused_the_catalogue(
    client, two_provinces, province_user, ministry_staff
):
    beijing, _ = two_provinces
    url = reverse("reporting:deliverable-catalogue", args=["dataset"])
    for user in (province_user, beijing.lead):
        page_client(client, user)
        assert client.get(url).status_code == 403
        assert client.get(url, {"format": "csv"}).status_code == 403
        assert client.get(url, {"format": "xlsx"}).status_code == 403
        response = api(user).get("/api/v1/deliverables/dataset/")
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "Only Ministry staff browse every consortium's deliverables."
        )
    # The twin: the Ministry may.
    page_client(client, ministry_staff)
    assert client.get(url).status_code == 200
    assert api(ministry_staff).get("/api/v1/deliverables/dataset/").status_code == 200


def test_dataset_totals_equal_a_direct_sum(client, two_provinces, ministry_staff):
    every = list(Dataset.objects.all())
    expected = {
        "count": len(every),
        "records": sum(d.records for d in every),
        "size_bytes": sum(d.size_bytes for d in every),
        "open_source": sum(d.openness == "open_source" for d in every),
    }
    assert expected == {
        "count": 3,
        "records": 48000,
        "size_bytes": 90_008_500_000,
        "open_source": 2,
    }
    assert dataset_totals(datasets=deliverable_catalogue(user=ministry_staff, kind="dataset")) == (
        expected
    )
    beijing_only = deliverable_catalogue(
        user=ministry_staff, kind="dataset", filters={"province": "110000"}
    )
    assert dataset_totals(datasets=beijing_only) == {
        "count": 2,
        "records": 8000,
        "size_bytes": 8_500_000,
        "open_source": 1,
    }

    page_client(client, ministry_staff)
    html = client.get(
        reverse("reporting:deliverable-catalogue", args=["dataset"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<dd data-total="count">3</dd>' in html
    assert '<dd data-total="records">48000</dd>' in html
    assert 'data-bytes="90008500000"' in html
    assert '<dd data-total="open_source">2</dd>' in html


# --- one set of queries whatever the number of rows ------------------------------------------


def _queries(fetch) -> int:
    terms.forget()  # the reference lists are read afresh each time (a process caches them)
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured)


def test_list_pages_use_a_constant_number_of_queries(client, beijing, q1, ministry_staff):
    consortium = beijing.consortium
    lead_client = page_client(client, beijing.lead)
    lead_api, ministry_api = api(beijing.lead), api(ministry_staff)
    catalogue = reverse("reporting:deliverable-catalogue", args=["dataset"])

    def counts():
        return (
            _queries(lambda: lead_client.get(list_url(consortium))),
            _queries(lambda: lead_api.get(api_url(consortium))),
            _queries(lambda: ministry_api.get("/api/v1/deliverables/dataset/")),
        )

    add_dataset(beijing, q1, "数据集一")
    counts()  # warm up: the first request of a test fills per-process caches (content types)
    one = counts()
    for n in range(2, 6):
        add_dataset(beijing, q1, f"数据集{n}", tasks=tasks(12, 13, 15))
    assert counts() == one

    client.force_login(ministry_staff)
    first = _queries(lambda: client.get(catalogue))
    add_dataset(beijing, q1, "数据集六")
    assert _queries(lambda: client.get(catalogue)) == first


# --- the pages speak the chosen language --------------------------------------------------------


def test_pages_show_english_for_english(client, two_provinces, ministry_staff):
    beijing, guangdong = two_provinces
    consortium = beijing.consortium
    dataset = Dataset.objects.filter(consortium=consortium).first()
    user_content = sorted(
        {
            consortium.name,
            consortium.lead_unit_name,
            guangdong.consortium.name,
            *Dataset.objects.values_list("name", flat=True),
            beijing.lead.display_name,
        },
        key=len,
        reverse=True,
    )
    pages = [
        (beijing.lead, list_url(consortium)),
        (beijing.lead, list_url(consortium, "standard")),
        (beijing.lead, list_url(consortium, "key_technology")),
        (
            beijing.lead,
            reverse("reporting:deliverable-edit", args=[consortium.pk, "dataset", dataset.pk]),
        ),
        (ministry_staff, reverse("reporting:deliverable-catalogue", args=["dataset"])),
        (ministry_staff, reverse("reporting:deliverable-catalogue", args=["scenario"])),
        (ministry_staff, list_url(consortium)),
    ]
    for user, url in pages:
        page_client(client, user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        html = response.content.decode()
        for value in user_content:
            html = html.replace(value, "")
        assert not check_language(html, "en", user.username), url
    assert (
        "Datasets"
        in client.get(
            reverse("reporting:deliverable-catalogue", args=["dataset"]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    )


# --- sizes entered with units, the current period, help texts ----------------------------------

GB = 2**30


@pytest.mark.parametrize(
    ("value", "unit", "size"),
    [
        ("0", "MB", 0),
        ("1", "MB", 2**20),
        ("0.5", "GB", 2**29),
        ("1.5", "GB", 1_610_612_736),
        ("0.0000001", "MB", 0),  # 0.1 byte rounds to nothing
        ("0.001", "MB", 1049),  # 1,048.576 bytes: to the nearest byte
        ("2", "TB", 2 * 2**40),
        ("1048576", "TB", MAX_SIZE_BYTES),  # the largest size accepted
    ],
)
def test_sizes_convert_to_bytes(value, unit, size):
    assert size_to_bytes(value=Decimal(value), unit=unit) == size


@pytest.mark.parametrize(
    ("value", "unit", "code"),
    [
        ("-1", "GB", "size_negative"),
        ("-0.001", "MB", "size_negative"),
        ("1048576.001", "TB", "size_too_large"),
        ("1E+30", "MB", "size_too_large"),
        ("1", "PB", "size_unit"),
    ],
)
def test_sizes_out_of_range_are_refused(value, unit, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        size_to_bytes(value=Decimal(value), unit=unit)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, ("0", "MB")),
        (2048, ("0.002", "MB")),
        (2**20, ("1", "MB")),
        (GB - 1, ("1024", "MB")),  # below 1 GB: MB, rounded
        (GB, ("1", "GB")),
        (5_000_000_000, ("4.657", "GB")),
        (1_610_612_736, ("1.5", "GB")),
        (3 * 2**40, ("3", "TB")),
        (MAX_SIZE_BYTES, ("1048576", "TB")),
    ],
)
def test_stored_sizes_show_in_the_largest_fitting_unit(size, shown):
    value, unit = size_in_unit(size)
    assert (f"{value:f}", unit) == shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_lead_enters_a_size_with_its_unit_and_edits_it_on_the_page(client, beijing, q1, language):
    consortium = beijing.consortium
    page_client(client, beijing.lead)
    response = client.post(
        list_url(consortium), dataset_form(q1, size_value="1.5", size_unit="GB", records="80000")
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get()
    assert dataset.size_bytes == 1_610_612_736
    assert dataset.records == 80_000
    html = client.get(list_url(consortium), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "<td>1.5 GB</td>" in html
    assert "<td>80,000</td>" in html
    header = "数据集规模" if language == "zh-hans" else "Dataset size"
    assert f"<th>{header}</th>" in html

    # A size stored in bytes that no unit shows exactly (as the API may store it).
    deliverable_save(
        actor=beijing.lead,
        consortium=consortium,
        kind="dataset",
        data={"size_bytes": 5_000_000_000},
        instance=dataset,
    )
    edit_url = reverse("reporting:deliverable-edit", args=[consortium.pk, "dataset", dataset.pk])
    html = client.get(edit_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.search(r'name="size_value" value="4.657"', html)
    assert re.search(r'<option value="GB" selected>GB</option>', html)
    # Saved with the number and unit as shown, the stored bytes stay exactly as they were.
    unchanged = dataset_form(q1, (12, 15), size_value="4.657", size_unit="GB", records="80000")
    assert client.post(edit_url, unchanged).status_code == 302
    dataset.refresh_from_db()
    assert dataset.size_bytes == 5_000_000_000
    # Changing the unit only is a change.
    assert client.post(edit_url, {**unchanged, "size_unit": "TB"}).status_code == 302
    dataset.refresh_from_db()
    assert dataset.size_bytes == round(Decimal("4.657") * 2**40)
    html = client.get(edit_url).content.decode()
    assert 'name="size_value" value="4.657"' in html
    assert '<option value="TB" selected>' in html


BAD_SIZES = [
    ("-1", "GB", "The size cannot be negative.", "数据规模不能为负数。"),
    (
        "1048577",
        "TB",
        "The size is too large: at most 1,048,576 TB.",
        "数据规模过大，最多为1,048,576 TB。",
    ),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("value", "unit", "en_error", "zh_error"), BAD_SIZES)
def test_a_negative_or_too_large_size_is_refused_on_the_page(
    client, beijing, q1, language, value, unit, en_error, zh_error
):
    consortium = beijing.consortium
    page_client(client, beijing.lead)
    response = client.post(
        list_url(consortium),
        dataset_form(q1, size_value=value, size_unit=unit),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (zh_error if language == "zh-hans" else en_error) in html
    assert f'value="{value}"' in html  # what the lead typed is kept
    assert not Dataset.objects.exists()
    assert audit_trail(consortium) == []

    # An edit with a bad size changes nothing either.
    dataset = add_dataset(beijing, q1, "既有数据集", size_bytes=GB)
    edit_url = reverse("reporting:deliverable-edit", args=[consortium.pk, "dataset", dataset.pk])
    response = client.post(
        edit_url,
        dataset_form(q1, name="改名", size_value=value, size_unit=unit),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    dataset.refresh_from_db()
    assert (dataset.name, dataset.size_bytes) == ("既有数据集", GB)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_api_takes_a_size_in_bytes_or_as_a_number_and_a_unit(beijing, language):
    consortium, client = beijing.consortium, api(beijing.lead, language)
    data = dataset_json()
    del data["size_bytes"]
    created = client.post(
        api_url(consortium), {**data, "size_value": "0.5", "size_unit": "TB"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["size_bytes"] == 2**39  # reads give bytes
    assert "size_value" not in body
    assert "size_unit" not in body
    url = api_url(consortium, pk=body["id"])
    response = client.patch(url, {"size_value": 750, "size_unit": "MB"}, format="json")
    assert response.status_code == 200
    assert response.json()["size_bytes"] == 750 * 2**20
    response = client.patch(url, {"size_bytes": 123}, format="json")
    assert response.status_code == 200
    assert response.json()["size_bytes"] == 123

    zh = language == "zh-hans"
    refusals = [
        (
            {"size_value": -2, "size_unit": "GB"},
            "size_negative",
            "size_value",
            "数据规模不能为负数。" if zh else "The size cannot be negative.",
        ),
        (
            {"size_value": "1048577", "size_unit": "TB"},
            "size_too_large",
            "size_value",
            "数据规模过大，最多为1,048,576 TB。"
            if zh
            else "The size is too large: at most 1,048,576 TB.",
        ),
        ({"size_value": 2}, "size_incomplete", "size_unit", None),
        ({"size_unit": "GB"}, "size_incomplete", "size_value", None),
        ({"size_value": 2, "size_unit": "GB", "size_bytes": 5}, "size_twice", "size_value", None),
    ]
    for change, code, field, message in refusals:
        response = client.patch(url, {"name": "改名", **change}, format="json")
        assert response.status_code == 400, change
        assert response.json()["code"] == code, change
        if message:
            assert response.json()["errors"][field] == [message]
        else:
            assert field in response.json()["errors"]
        response = client.post(api_url(consortium), {**data, **change}, format="json")
        assert response.status_code == 400, change
        assert response.json()["code"] == code, change
    response = client.patch(url, {"size_value": 1, "size_unit": "PB"}, format="json")
    assert response.status_code == 400
    assert "size_unit" in response.json()["errors"]
    assert [(d.name, d.size_bytes) for d in Dataset.objects.all()] == [(data["name"], 123)]


def test_only_the_lead_enters_sizes(client, beijing, q1):
    """The denial twin of the size tests: a member of the consortium is refused, page and API."""
    consortium = beijing.consortium
    dataset = add_dataset(beijing, q1, "既有数据集", size_bytes=GB)
    page_client(client, beijing.member)
    edit_url = reverse("reporting:deliverable-edit", args=[consortium.pk, "dataset", dataset.pk])
    form = dataset_form(q1, size_value="2", size_unit="TB")
    assert client.post(edit_url, form).status_code == 403
    assert client.post(list_url(consortium), form).status_code == 403
    response = api(beijing.member).patch(
        api_url(consortium, pk=dataset.pk), {"size_value": 2, "size_unit": "TB"}, format="json"
    )
    assert response.status_code == 403
    assert [d.size_bytes for d in Dataset.objects.all()] == [GB]
    page_client(client, beijing.lead)
    assert client.post(edit_url, form).status_code == 302
    assert Dataset.objects.get().size_bytes == 2 * 2**40


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-03-01", "2026-q1"),  # inside Q1's span
        ("2026-05-10", "2026-q2"),
        ("2026-12-02", "2026-q4"),
        ("2027-01-10", "2026-q4"),  # after every span: the latest opened
    ],
)
def test_the_current_period_is_preselected_when_adding(
    client, beijing, on_date, program, today, expected
):
    consortium = beijing.consortium
    period = ReportingPeriod.objects.get(program=program, code=expected)
    with on_date(today):
        assert deliverable_default_period(program=program) == period
        page_client(client, beijing.lead)
        for kind in kinds_for(program):
            html = client.get(list_url(consortium, kind)).content.decode()
            selected = re.findall(r'<option value="(\d+)" selected>', html)
            assert selected == [str(period.pk)], kind
        # The API takes the same period when none is given.
        data = standard_json()
        del data["period"]
        response = api(beijing.lead).post(api_url(consortium, "standard"), data, format="json")
        assert response.status_code == 201
        assert response.json()["period"] == expected


def test_no_period_is_preselected_before_the_first_opens(program):
    assert deliverable_default_period(program=program, today=dt.date(2025, 12, 31)) is None


def test_an_edit_keeps_the_deliverables_own_period(client, beijing, q1, on_date):
    dataset = add_dataset(beijing, q1, "一季度数据集")
    with on_date("2026-12-02"):
        page_client(client, beijing.lead)
        url = reverse(
            "reporting:deliverable-edit", args=[beijing.consortium.pk, "dataset", dataset.pk]
        )
        html = client.get(url).content.decode()
        assert re.findall(r'<option value="(\d+)" selected>', html)[0] == str(q1.pk)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_field_of_every_deliverable_form_has_a_help_text_in_both_languages(beijing, kind):
    form = deliverable_form_class(kind)(consortium=beijing.consortium)
    assert list(form.fields) == list(KINDS[kind].entry_fields)
    texts = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts[language] = {name: str(field.help_text) for name, field in form.fields.items()}
    for name in form.fields:
        zh, en = texts["zh-hans"][name], texts["en"][name]
        assert zh, (kind, name)
        assert en, (kind, name)
        assert zh != en, (kind, name)
        assert not check_language(zh, "zh-hans", ""), (kind, name, zh)
        assert not check_language(en, "en", ""), (kind, name, en)
    # The task list says what it is (it once read “the reference task table is not filled in”).
    assert texts["zh-hans"]["tasks"] == "该成果服务的参考任务。仅列出联合体实施方案中已选择的任务。"
    assert texts["zh-hans"]["period"] == "取得该成果的报告期，默认为当前报告期。"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_dataset_form_shows_its_help_texts(client, beijing, language):
    page_client(client, beijing.lead)
    html = client.get(list_url(beijing.consortium), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    if language == "zh-hans":
        assert "参考任务表尚未填写" not in html
        assert "仅列出联合体实施方案中已选择的任务" in html
        assert "1 GB = 1024 MB；1 TB = 1024 GB。" in html
    else:
        assert "Only the tasks selected in the consortium&#x27;s implementation plan" in html
        assert "1 GB = 1,024 MB; 1 TB = 1,024 GB." in html
    assert '<select name="size_unit"' in html
    assert 'name="size_value"' in html
    assert 'name="size_bytes"' not in html
