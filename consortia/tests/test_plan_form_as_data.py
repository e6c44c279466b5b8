"""The plan form is the program's: its wording, issuers, notes, sections, lengths, commitments and
task table are program data edited in the admin; 64号's form prints exactly as before."""

from pathlib import Path

import pytest
from django.urls import reverse

from consortia.content import content_problems, plan_content
from consortia.pdf import render_plan_pdf
from consortia.tests.conftest import make_ready_plan
from portal.pdf import pdf_text
from tasks_catalog.models import PlanFormSection, Program

# The text of 64号's 附件1 as the portal printed it before the form became program data.
IDFA_FORM_TEXT = Path(__file__).parent / "data" / "idfa_plan_form.txt"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_the_64hao_form_prints_word_for_word_as_before(province_user, idfa, media):
    plan = make_ready_plan(province_user, idfa)
    text = pdf_text(render_plan_pdf(plan_content(plan), idfa, draft=False))
    assert text == IDFA_FORM_TEXT.read_text()


def test_the_model_data_resonance_form_carries_its_own_wording_and_no_64hao_text(
    province_user, media
):
    mdr = Program.objects.get(code="mdr-2026")
    plan = make_ready_plan(province_user, mdr)
    text = pdf_text(render_plan_pdf(plan_content(plan), mdr, draft=False)).replace("\n", "")
    for wording in [
        "“模数共振”行动实施方案",
        "工业和信息化部办公厅",
        "国家数据局综合司",
        "二、创新联合体成员及分工",
        "“数据—模型—场景应用”良性循环",
        "“模数共振”创新联合体的牵头单位为算力企业",
    ]:
        assert wording in text, wording
    for idfa_only in [
        "工业和信息化部编制",
        "请围绕“1+4+N”体系建设",
        "附件2",
        "先行先试参考任务表",
        "任务书须加盖骑缝章",
        "面向人工智能赋能的高质量行业数据集建设先行先试",
    ]:
        assert idfa_only not in text, idfa_only


def test_a_section_length_set_in_the_admin_is_the_limit_of_form_page_api_and_submission(
    province_user, idfa, client, api_client, media
):
    section = PlanFormSection.objects.get(program=idfa, key="foundation")
    section.guidance_chars = 300
    section.prompt_en = "What the units have done so far (about 300 characters)."
    section.save()
    plan = make_ready_plan(province_user, idfa)
    consortium = plan.consortium

    client.force_login(province_user)
    page = client.get(
        reverse("consortia:plan-edit", args=[consortium.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-guide="300"' in page
    assert 'data-max="600"' in page
    assert "What the units have done so far (about 300 characters)." in page
    chinese = client.get(reverse("consortia:plan-edit", args=[consortium.pk])).content.decode()
    assert "三、已有工作基础" in chinese
    assert "（800字左右）" in chinese  # the prompt_zh as printed

    api_client.force_authenticate(province_user)
    api = api_client.get(reverse("plan-detail", args=[consortium.pk])).json()
    assert api["characters"]["work_foundation"]["guide"] == 300
    assert api["characters"]["work_foundation"]["max"] == 600

    # The sample's ~800 characters are now too long for this program's form.
    problems = content_problems(plan)
    assert any("600" in message for message in problems["foundation"])


def test_a_program_without_a_task_table_prints_no_annex(province_user, media):
    mdr = Program.objects.get(code="mdr-2026")
    assert not mdr.uses_task_table
    plan = make_ready_plan(province_user, mdr)
    text = pdf_text(render_plan_pdf(plan_content(plan), mdr, draft=False))
    assert "任务大类" not in text
    assert "是否选择" not in text


def test_the_version_comparison_heads_sections_as_the_programs_form(province_user, media):
    from consortia.compare import compare_versions

    mdr = Program.objects.get(code="mdr-2026")
    content = plan_content(make_ready_plan(province_user, mdr))
    labels = [s["label"] for s in compare_versions(content, content, mdr)]
    assert "二、创新联合体成员及分工" in labels


def test_the_return_form_heads_its_comment_boxes_as_the_programs_form(
    client, province_user, ministry_staff, media
):
    import datetime as dt
    from unittest import mock

    from consortia.services import plan_submit

    mdr = Program.objects.get(code="mdr-2026")  # plans due 2026-05-30
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 5, 10)):
        plan = make_ready_plan(province_user, mdr)
        plan_submit(actor=province_user, plan=plan)
    client.force_login(ministry_staff)
    url = reverse("consortia:plan-action", args=[plan.consortium_id, "return"])
    page = client.get(url).content.decode()
    assert "二、创新联合体成员及分工" in page
    assert "二、联合体基本情况及分工" not in page  # 64号's heading
