"""Reference lists as data: industries, the five key stages (关键环节) and kinds of lead unit are
edited in the admin, in Chinese and English, and forms and the API follow at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.tests.forms import form_data
from reporting.registry.models import Dataset
from reporting.registry.tests.test_deliverables import (
    add_dataset,
    api,
    api_url,
    dataset_form,
    dataset_json,
    list_url,
)
from tasks_catalog import terms
from tasks_catalog.models import Program, ReferenceTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(ministry_admin):
    """The Ministry administrator (the role, not a superuser) in the admin."""
    client = Client()
    client.force_login(ministry_admin)
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def offered(html: str, field: str) -> list[str]:
    """The values a page's <select name=field> offers."""
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, field
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


@translation.override("zh-hans")  # labels follow the active language; an earlier test's may linger
def test_the_lists_are_seeded_with_the_sectors_and_the_five_key_stages():
    industries = dict(terms.all_choices(terms.INDUSTRY))
    for code, zh in [
        ("construction_machinery", "工程机械"),
        ("agricultural_machinery", "农机装备"),
        ("light_industry", "轻工"),
        ("machinery", "工业母机"),
        ("classics", "典籍"),
    ]:
        assert industries[code] == zh
    assert [name for _code, name in terms.all_choices(terms.STAGE)] == [
        "研发设计",
        "中试验证",
        "生产制造",
        "经营管理",
        "产业协同",
    ]
    mdr = Program.objects.get(code="mdr-2026")
    assert mdr.key_industries.count() == 20
    assert not mdr.key_industries.filter(code="construction_machinery").exists()
    assert not Program.objects.get(code="idfa-2026").key_industries.exists()


def test_the_dataset_form_labels_the_stage_as_a_key_stage(client, beijing):
    client.force_login(beijing.lead)
    zh = client.get(list_url(beijing.consortium)).content.decode()
    assert "关键环节" in zh
    assert "工程机械" in zh
    en = client.get(list_url(beijing.consortium), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Key stage" in en
    assert "Construction machinery" in en


def test_an_industry_added_in_the_admin_is_offered_by_the_form_and_the_api(
    admin_client,
    client,
    beijing,
    q1,
):
    response = admin_client.post(
        reverse("admin:tasks_catalog_referenceterm_add"),
        {
            "list": "industry",
            "code": "new_energy_vehicles",
            "name_zh": "新能源汽车",
            "name_en": "New energy vehicles",
            "sort_order": 15,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(beijing.lead)
    html = client.get(list_url(beijing.consortium)).content.decode()
    assert "new_energy_vehicles" in offered(html, "industry")
    assert "新能源汽车" in html
    response = client.post(
        list_url(beijing.consortium), dataset_form(q1, industry="new_energy_vehicles")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = api(beijing.lead).post(
        api_url(beijing.consortium),
        dataset_json(name="电池包检测数据集", industry="new_energy_vehicles"),
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert Dataset.objects.filter(industry="new_energy_vehicles").count() == 2
    listed = api(beijing.lead).get("/api/v1/reference-terms/", {"list": "industry"}).json()
    assert {"code": "new_energy_vehicles", "name": "New energy vehicles"}.items() <= next(
        t for t in listed if t["code"] == "new_energy_vehicles"
    ).items()


def test_a_retired_industry_is_no_longer_offered_but_old_records_keep_it(
    admin_client,
    client,
    beijing,
    q1,
):
    dataset = add_dataset(beijing, q1, "纺织印染面料图像数据集", industry="textiles")
    term = ReferenceTerm.objects.get(list="industry", code="textiles")
    url = reverse("admin:tasks_catalog_referenceterm_change", args=[term.pk])
    data = form_data(admin_client, url)
    data.pop("is_active", None)  # untick “offered in forms”
    assert admin_client.post(url, data).status_code == 302

    client.force_login(beijing.lead)
    new_form = client.get(list_url(beijing.consortium)).content.decode()
    assert "textiles" not in offered(new_form, "industry")
    refused = client.post(list_url(beijing.consortium), dataset_form(q1, industry="textiles"))
    assert refused.status_code == 200
    assert "textiles" in refused.content.decode()  # the error names the value it refused
    assert not Dataset.objects.filter(name="高炉炉况多模态数据集").exists()
    by_api = api(beijing.lead, "zh-hans").post(
        api_url(beijing.consortium), dataset_json(industry="textiles"), format="json"
    )
    assert by_api.status_code == 400
    assert "参考列表" in str(by_api.json())
    in_english = api(beijing.lead).post(
        api_url(beijing.consortium), dataset_json(industry="textiles"), format="json"
    )
    assert "not an entry of the reference list" in str(in_english.json())

    # The dataset recorded before keeps its industry, its label and can still be edited.
    edit = reverse(
        "reporting:deliverable-edit", args=[beijing.consortium.pk, "dataset", dataset.pk]
    )
    page = client.get(edit).content.decode()
    assert "textiles" in offered(page, "industry")
    listing = client.get(list_url(beijing.consortium)).content.decode()
    assert "纺织服装" in listing
    kept = api(beijing.lead).patch(
        api_url(beijing.consortium, pk=dataset.pk), {"records": 99}, format="json"
    )
    assert kept.status_code == 200, kept.json()
    dataset.refresh_from_db()
    assert (dataset.industry, dataset.records) == ("textiles", 99)


def test_an_mdr_lead_is_offered_only_the_programs_key_industries(client, mdr_pilot, period):
    client.force_login(mdr_pilot.lead)
    html = client.get(list_url(mdr_pilot.consortium)).content.decode()
    choices = offered(html, "industry")
    assert len(choices) == 20
    assert "construction_machinery" not in choices
    refused = api(mdr_pilot.lead).post(
        api_url(mdr_pilot.consortium),
        {
            "name": "挖掘机工况数据集",
            "period": "progress",
            "industry": "construction_machinery",
            "stage": "production",
            "modality": "time_series",
            "records": 10,
            "size_bytes": 1000,
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "industry" in refused.json()["errors"]


def test_only_the_ministry_administrator_edits_the_lists(client, ministry_staff, province_user):
    for user in (ministry_staff, province_user):
        client.force_login(user)
        response = client.get(reverse("admin:tasks_catalog_referenceterm_changelist"))
        assert response.status_code in (302, 403)


def test_entries_are_retired_not_deleted_and_their_code_is_fixed(admin_client):
    term = ReferenceTerm.objects.get(list="stage", code="pilot")
    change = admin_client.get(reverse("admin:tasks_catalog_referenceterm_change", args=[term.pk]))
    assert 'name="code"' not in change.content.decode()
    delete = reverse("admin:tasks_catalog_referenceterm_delete", args=[term.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ReferenceTerm.objects.filter(pk=term.pk).exists()


def test_the_reference_list_api_needs_a_role(api_client):
    assert api_client.get("/api/v1/reference-terms/").status_code in (401, 403)


def test_a_lead_unit_kind_must_be_an_entry_of_the_list(province_user):
    idfa = Program.objects.get(code="idfa-2026")
    body = {
        "program": idfa.code,
        "name": "测试数据联合体",
        "entity_type": idfa.entity_types.first().code,
        "lead_unit_name": "某某集团有限公司",
        "lead_unit_kind": "guild",
        "lead_unit_credit_code": "91110000100000000A",
        "contact_name": "张三",
        "contact_title": "主任",
        "contact_phone": "13800000000",
        "contact_email": "zhang@example.com",
    }
    response = api(province_user, "zh-hans").post("/api/v1/consortia/", body, format="json")
    assert response.status_code == 400
    assert "lead_unit_kind" in response.json()["errors"]
