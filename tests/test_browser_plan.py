"""In a real browser, the whole path of an implementation plan (issue: consortia and plans).

An authority creates a consortium, fills the plan in Chinese, downloads the PDF, uploads a
stamped scan, submits; Ministry staff return it with a comment; the authority revises and
resubmits; the Ministry approves; the consortium lead sets a password from the invitation,
logs in and sees the consortium.
"""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from consortia.samples import FOUNDATION_PARAGRAPHS, PLAN_PARAGRAPHS, blank_pdf, text_of_length
from consortia.services import deadline_extension_grant
from portal.demo import DEMO_PASSWORD, ensure_demo_users
from portal.models import Notification, Organisation
from tasks_catalog.models import Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


def logout(page):
    page.click("[data-testid=logout]")


def upload_scan_for_downloaded_form(page, tmp_path, name):
    """Download the form, 'print, stamp and scan' it: a PDF with as many pages as the form."""
    with page.expect_download() as info:
        page.click("[data-testid=download-pdf]")
    form_pdf = info.value.path().read_bytes()
    pages = len(PdfReader(io.BytesIO(form_pdf)).pages)
    scan = tmp_path / name
    scan.write_bytes(blank_pdf(pages))
    page.set_input_files("input[name=file]", str(scan))
    page.click("[data-testid=upload-scan]")
    return form_pdf


def test_plan_from_draft_to_approved_pilot(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = ensure_demo_users()
    deadline_extension_grant(
        actor=users["admin"],
        program=Program.objects.get(code="idfa-2026"),
        authority=Organisation.objects.get(code="110000"),
        new_deadline=dt.date(2026, 12, 31),
        reason="试点扩围，延长报送期限",
    )

    # The Beijing authority recommends a consortium.
    login(page, "beijing")
    page.click("nav.mainnav >> text=联合体")
    page.click("[data-testid=create-idfa-2026]")
    page.fill("#id_name", "京津冀汽车行业数据合作联合体")
    page.check("input[name=entity_type] >> nth=0")
    page.fill("#id_lead_unit_name", "北方汽车集团有限公司")
    page.select_option("#id_lead_unit_kind", "enterprise")
    page.fill("#id_lead_unit_credit_code", "91350100M000100Y43")
    page.fill("#id_contact_name", "王强")
    page.fill("#id_contact_title", "首席数据官")
    page.fill("#id_contact_phone", "010-68208212")
    page.fill("#id_contact_email", "wangqiang@auto.example.cn")
    page.fill("#id_signing_date", "2026-11-20")
    page.click("[data-testid=save]")
    assert page.inner_text("[data-testid=plan-state]") == "草稿"

    # Members.
    page.click("[data-testid=edit-members]")
    for name, profile, role in [
        ("北方汽车研究院", "整车研发与数据治理机构。", "负责数据标准研制与数据集建设。"),
        ("智驾数据科技有限公司", "自动驾驶数据标注服务商。", "负责数据标注与合成。"),
    ]:
        page.fill("#id_name", name)
        page.fill("#id_profile", profile)
        page.fill("#id_role", role)
        page.click("[data-testid=save-member]")
    page.click("text=返回实施方案")

    # Sections 3 to 6, in Chinese, with the live character counter.
    page.click("[data-testid=edit-plan]")
    page.fill("#id_work_foundation", text_of_length(FOUNDATION_PARAGRAPHS, 800))
    counter = page.locator(".field-work_foundation .counter").inner_text()
    # about 800 characters, counted as the server does
    assert counter.startswith("7")
    assert "800" in counter
    page.fill("#id_implementation_plan", text_of_length(PLAN_PARAGRAPHS, 2000))
    for box in page.locator("input[name=commitments]").all():
        box.check()
    page.fill("#id_authority_opinion", "经审核，该联合体具备先行先试基础条件，同意推荐。")
    page.click("[data-testid=save-plan]")

    # Tasks: the mandatory ones are fixed; give each a responsible member unit.
    page.click("[data-testid=edit-tasks]")
    assert page.locator("tr[data-task='1'] input[name=task_1]").is_disabled()
    for row in page.locator("tr[data-task]").all():
        if row.locator("input[type=checkbox][name^=task_]").is_checked():
            row.locator("td.members input[type=checkbox] >> nth=0").check()
            row.locator("td.target textarea").fill("2026年底前按计划完成该任务。")
    page.click("[data-testid=save-tasks]")
    assert not page.locator("[data-testid=problems]").count()

    # Download, stamp, scan, upload, submit.
    upload_scan_for_downloaded_form(page, tmp_path, "scan-v1.pdf")
    page.click("[data-testid=action-submit]")
    page.click("[data-testid=confirm]")
    assert page.inner_text("[data-testid=plan-state]") == "已提交"
    consortium_url = page.url
    logout(page)

    # The Ministry returns it with a comment on section 4.
    login(page, "ministry")
    page.goto(consortium_url)
    page.click("[data-testid=action-return]")
    page.fill("#id_section_plan", "请按季度细化工作计划。")
    page.click("[data-testid=confirm]")
    assert page.inner_text("[data-testid=plan-state]") == "退回修改"
    logout(page)

    # The authority revises and resubmits with a new scan.
    login(page, "beijing")
    page.goto(consortium_url)
    assert "请按季度细化工作计划。" in page.inner_text("[data-testid=review]")
    page.click("[data-testid=edit-plan]")
    page.fill(
        "#id_implementation_plan",
        page.input_value("#id_implementation_plan")
        + "\n第一季度完成组建，第二季度完成平台一期，第三季度完成数据集，第四季度总结。",
    )
    page.click("[data-testid=save-plan]")
    upload_scan_for_downloaded_form(page, tmp_path, "scan-v2.pdf")
    page.click("[data-testid=action-submit]")
    page.click("[data-testid=confirm]")
    assert page.inner_text("[data-testid=plan-state]") == "已提交"
    assert page.locator("[data-testid=versions] tbody tr").count() == 2
    logout(page)

    # The Ministry compares the versions and approves.
    login(page, "ministry")
    page.goto(consortium_url)
    page.click("[data-testid=compare]")
    assert page.locator("[data-testid=changed-plan]").count() == 1
    page.goto(consortium_url)
    page.click("[data-testid=action-approve]")
    page.click("[data-testid=confirm]")
    assert page.inner_text("[data-testid=plan-state]") == "已批准"
    audit = page.inner_text("[data-testid=audit]")
    assert audit.count("已提交") == 2
    assert "退回修改" in audit
    assert "已批准" in audit
    logout(page)

    # The lead contact sets a password from the invitation and sees the consortium.
    invite = Notification.objects.get(
        kind="account.invite", recipient__email="wangqiang@auto.example.cn"
    )
    page.goto(invite.url)
    page.fill("#id_new_password1", "Qiche-2026-lead")
    page.fill("#id_new_password2", "Qiche-2026-lead")
    page.click("main button[type=submit]")
    assert "新密码已设置" in page.content(), page.inner_text("main")
    login(page, invite.recipient.username, "Qiche-2026-lead")
    assert "联合体首页" in page.inner_text("[data-testid=home-title]")
    page.click("a:text-is('京津冀汽车行业数据合作联合体')")
    assert page.inner_text("[data-testid=consortium-name]") == "京津冀汽车行业数据合作联合体"
    assert (
        page.locator("[data-testid=edit-plan]").count() == 0
    )  # leads read the plan; the authority edits it
