"""Deliverable kinds per program: the Model-Data Resonance action records its key industry model
list (重点行业模型清单), linked to the consortium's datasets; 64号 does not."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from consortia.models import Consortium
from consortia.services import plan_approve, plan_submit
from consortia.tests.conftest import (
    before_deadline,  # noqa: F401
    make_ready_plan,
)
from portal.models import AuditEntry, User
from reporting.periods.models import ReportingPeriod
from reporting.registry.kinds import kinds_for
from reporting.registry.models import KeyIndustryModel, ProgramDeliverableKind
from reporting.registry.services import deliverable_save
from reporting.registry.tests.test_deliverables import (  # noqa: F401
    Pilot,
    api,
    api_url,
    beijing,
    list_url,
    program,
)
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _pilot(province_user, ministry_staff, of_program, on_date, day, name=None) -> Pilot:
    with on_date(day):
        plan = make_ready_plan(province_user, of_program, **({"name": name} if name else {}))
        plan_submit(actor=province_user, plan=plan)
        plan_approve(actor=ministry_staff, plan=plan)
    consortium = Consortium.objects.get(pk=plan.consortium_id)
    lead = User.objects.filter(role="consortium_lead").order_by("-pk").first()
    member = User.objects.filter(role="consortium_member").order_by("-pk").first()
    return Pilot(consortium, lead, member)


@pytest.fixture
def mdr_pilot(province_user, ministry_staff, on_date):
    return _pilot(
        province_user, ministry_staff, Program.objects.get(code="mdr-2026"), on_date, "2026-05-10"
    )


@pytest.fixture
def period(mdr_pilot):
    return ReportingPeriod.objects.get(program=mdr_pilot.consortium.program, code="progress")


def _dataset(pilot, period, name="钢铁质检专用数据集"):
    return deliverable_save(
        actor=pilot.lead,
        consortium=pilot.consortium,
        kind="dataset",
        data={
            "name": name,
            "period": period,
            "industry": "steel",
            "stage": "production",
            "modality": "image",
            "records": 50000,
            "size_bytes": 3 * 2**30,
        },
    )


def model_json(**changes):
    return {
        "name": "钢铁表面缺陷检测智能体",
        "period": "progress",
        "industry": "steel",
        "scenario": "带钢表面缺陷在线检测",
        "model_type": "agent",
        "developers": "某钢铁集团\n某人工智能公司",
        "evaluation_result": "第三方测评：检出率98.5%",
        "deployment": "piloted",
        **changes,
    }


def test_each_program_records_its_own_kinds():
    assert list(kinds_for(Program.objects.get(code="mdr-2026"))) == [
        "dataset",
        "scenario",
        "industry_model",
    ]
    assert "industry_model" not in kinds_for(Program.objects.get(code="idfa-2026"))


def test_an_mdr_lead_records_a_key_industry_model_on_the_page(client, mdr_pilot, period):
    dataset = _dataset(mdr_pilot, period)
    client.force_login(mdr_pilot.lead)
    page = client.get(list_url(mdr_pilot.consortium, "industry_model")).content.decode()
    assert "重点行业模型" in page
    assert "标准" not in page.split("<main")[1].split("</nav>")[0]
    form = {**model_json(), "period": period.pk, "datasets": [dataset.pk]}
    response = client.post(list_url(mdr_pilot.consortium, "industry_model"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    model = KeyIndustryModel.objects.get()
    assert list(model.datasets.all()) == [dataset]
    assert model.get_model_type_display() == "智能体"
    english = client.get(
        list_url(mdr_pilot.consortium, "industry_model"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Key industry models" in english
    assert "Intelligent agent" in english
    assert AuditEntry.objects.filter(
        action="deliverable.save", data__kind="industry_model"
    ).exists()


def test_an_mdr_lead_records_a_key_industry_model_through_the_api(mdr_pilot, period):
    dataset = _dataset(mdr_pilot, period)
    client = api(mdr_pilot.lead)
    response = client.post(
        api_url(mdr_pilot.consortium, "industry_model"),
        model_json(datasets=[dataset.pk]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["datasets"] == [dataset.pk]
    assert body["model_type"] == "agent"
    listed = client.get(api_url(mdr_pilot.consortium, "industry_model")).json()
    assert [r["name"] for r in listed["results"]] == ["钢铁表面缺陷检测智能体"]


def test_a_model_cannot_claim_another_consortiums_dataset(
    mdr_pilot, period, other_province_user, ministry_staff, on_date
):
    other = _pilot(
        other_province_user,
        ministry_staff,
        Program.objects.get(code="mdr-2026"),
        on_date,
        "2026-05-11",
        name="另一个模数共振创新联合体（示例）",
    )
    theirs = _dataset(other, period, name="别家的数据集")
    response = api(mdr_pilot.lead, "zh-hans").post(
        api_url(mdr_pilot.consortium, "industry_model"),
        model_json(datasets=[theirs.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert "只能选择本联合体的数据集" in str(response.json())
    assert not KeyIndustryModel.objects.exists()


def test_kinds_a_program_does_not_record_are_not_offered_or_accepted(
    mdr_pilot,
    beijing,  # noqa: F811
    client,
):
    # 64号 records no key industry models; MDR records no standards.
    for pilot, kind in [(beijing, "industry_model"), (mdr_pilot, "standard")]:
        client.force_login(pilot.lead)
        assert client.get(list_url(pilot.consortium, kind)).status_code == 404
        response = api(pilot.lead).post(
            api_url(pilot.consortium, kind), model_json(), format="json"
        )
        assert response.status_code == 404
    assert not KeyIndustryModel.objects.exists()


def test_only_the_lead_records_a_model(mdr_pilot, period):
    response = api(mdr_pilot.member).post(
        api_url(mdr_pilot.consortium, "industry_model"), model_json(), format="json"
    )
    assert response.status_code == 403
    assert not KeyIndustryModel.objects.exists()


def test_the_ministry_browses_and_exports_the_key_industry_model_list(
    mdr_pilot, period, client, ministry_staff
):
    dataset = _dataset(mdr_pilot, period)
    deliverable_save(
        actor=mdr_pilot.lead,
        consortium=mdr_pilot.consortium,
        kind="industry_model",
        data={**model_json(), "period": period, "datasets": [dataset]},
    )
    client.force_login(ministry_staff)
    url = reverse("reporting:deliverable-catalogue", args=["industry_model"])
    page = client.get(url, {"model_type": "agent"}).content.decode()
    assert "钢铁表面缺陷检测智能体" in page
    assert (
        "钢铁表面缺陷检测智能体"
        not in client.get(
            url, {"model_type": "agent"} | {"deployment": "deployed"}
        ).content.decode()
    )
    response = client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert row[header.index("Name")] == "钢铁表面缺陷检测智能体"
    assert row[header.index("Datasets trained or tuned on")] == "钢铁质检专用数据集"
    assert row[header.index("Model type")] == "Intelligent agent"
    catalogue = APIClient()
    catalogue.force_authenticate(ministry_staff)
    listed = catalogue.get("/api/v1/deliverables/industry_model/").json()
    assert [r["name"] for r in listed["results"]] == ["钢铁表面缺陷检测智能体"]


def test_the_deliverables_link_opens_the_first_kind_the_program_records(
    mdr_pilot, client, other_province_user
):
    consortium = mdr_pilot.consortium
    url = reverse("reporting:deliverable-home", args=[consortium.pk])
    client.force_login(mdr_pilot.lead)
    assert client.get(url)["Location"] == list_url(consortium, "dataset")
    ProgramDeliverableKind.objects.filter(program=consortium.program, kind="dataset").delete()
    assert client.get(url)["Location"] == list_url(consortium, "scenario")
    client.force_login(other_province_user)
    assert client.get(url).status_code == 404
