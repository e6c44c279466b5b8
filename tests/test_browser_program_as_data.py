"""In a real browser, a program set up as data (issue 11): the Ministry administrator starts the
seed-004 action (industrial internet × AI) as a copy of 64号 in the admin, rewords it, keeps five
tasks and two milestones and opens it; a province recommends a consortium under it; the Ministry
approves; the lead files the first milestone report; the dashboard and the summary PDF show it.
No code, no migration, no shell: every step is a page."""

import datetime as dt
import io
import re
from pathlib import Path
from unittest import mock

import pytest
from pypdf import PdfReader

from consortia.samples import FOUNDATION_PARAGRAPHS, PLAN_PARAGRAPHS, blank_pdf, text_of_length
from portal.demo import DEMO_PASSWORD, ensure_demo_users
from portal.models import Notification
from portal.pdf import pdf_text
from tasks_catalog.models import Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2026, 12, 10)
NAME = "2026年工业互联网和人工智能融合赋能行动"
CONSORTIUM = "京津冀工业互联网与人工智能融合创新联合体"


def login(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


def logout(page):
    page.context.clear_cookies()  # the admin has no portal logout button; a new session


def admin_sets_up_the_program(page) -> Program:
    login(page, "admin")
    page.goto("/admin/tasks_catalog/program/")
    idfa = Program.objects.get(code="idfa-2026")
    page.check(f"input[name=_selected_action][value='{idfa.pk}']")
    page.select_option("select[name=action]", "copy_program")
    page.click("button[name=index]")
    copy = Program.objects.get(code="idfa-2026-copy")
    assert f"/admin/tasks_catalog/program/{copy.pk}/change/" in page.url

    # Keep tasks 1-5 only (the reference task list, filtered to the copy, bulk delete).
    page.goto(f"/admin/tasks_catalog/referencetask/?program__id__exact={copy.pk}")
    for task in copy.tasks.filter(number__gt=5):
        page.check(f"input[name=_selected_action][value='{task.pk}']")
    page.select_option("select[name=action]", "delete_selected")
    page.click("button[name=index]")
    page.click("input[type=submit]")  # "Yes, I'm sure"
    assert copy.tasks.count() == 5

    # Reword the program and its form; two milestones instead of four quarters; open it.
    page.goto(f"/admin/tasks_catalog/program/{copy.pk}/change/")
    fields = {
        "code": "iiai-2026",
        "name_zh": NAME,
        "name_en": "2026 Industrial Internet and AI Integration Action",
        "short_name_zh": "工业互联网与人工智能融合行动",
        "short_name_en": "Industrial Internet × AI",
        "issuer_zh": "工业和信息化部办公厅",
        "plan_deadline": "2026-12-31",
        "end_date": "2027-12-31",
        "plan_form_subject_zh": "工业互联网和人工智能融合赋能",
        "plan_form_issuers_zh": "工业和信息化部办公厅编制",
    }
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.select_option("#id_cadence", "milestones")
    for row in range(copy.calendar.count()):
        page.check(f"#id_calendar-{row}-DELETE")
    for row, (code, kind, zh, start, end, due) in enumerate(
        [
            ("m1", "report", "第一阶段进展报告", "2026-11-01", "2027-01-31", "2027-02-15"),
            ("m2", "final", "总结报告", "2027-02-01", "2027-11-30", "2027-12-15"),
        ],
        start=copy.calendar.count(),
    ):
        page.click("#calendar-group .add-row a")
        prefix = f"#id_calendar-{row}"
        page.fill(f"{prefix}-code", code)
        page.select_option(f"{prefix}-kind", kind)
        page.fill(f"{prefix}-name_zh", zh)
        page.fill(f"{prefix}-name_en", zh)
        page.fill(f"{prefix}-period_start", start)
        page.fill(f"{prefix}-period_end", end)
        page.fill(f"{prefix}-due_date", due)
    page.check("#id_is_active")
    page.click("input[name=_save]")
    assert "/admin/tasks_catalog/program/" in page.url, page.inner_text("#content")
    assert "change" not in page.url, page.inner_text("#content")
    logout(page)
    program = Program.objects.get(code="iiai-2026")
    assert program.is_active
    assert sorted(program.periods.values_list("code", flat=True)) == ["m1", "m2"]
    return program


def province_recommends(page, tmp_path) -> str:
    login(page, "beijing")
    page.click("nav.mainnav >> text=联合体")
    page.click("[data-testid=create-iiai-2026]")
    page.fill("#id_name", CONSORTIUM)
    page.check("input[name=entity_type] >> nth=0")
    page.fill("#id_lead_unit_name", "北方工业互联网研究院有限公司")
    page.select_option("#id_lead_unit_kind", "enterprise")
    page.fill("#id_lead_unit_credit_code", "91350100M000100Y43")
    page.fill("#id_contact_name", "赵敏")
    page.fill("#id_contact_title", "总工程师")
    page.fill("#id_contact_phone", "010-68208213")
    page.fill("#id_contact_email", "zhaomin@iiai.example.cn")
    page.fill("#id_signing_date", "2026-12-08")
    page.click("[data-testid=save]")
    consortium_url = page.url

    page.click("[data-testid=edit-members]")
    page.fill("#id_name", "智联工业软件有限公司")
    page.fill("#id_profile", "工业软件与人工智能应用企业。")
    page.fill("#id_role", "负责行业模型与智能体研发。")
    page.click("[data-testid=save-member]")
    page.goto(consortium_url)

    page.click("[data-testid=edit-plan]")
    page.fill("#id_work_foundation", text_of_length(FOUNDATION_PARAGRAPHS, 800))
    page.fill("#id_implementation_plan", text_of_length(PLAN_PARAGRAPHS, 2000))
    for box in page.locator("input[name=commitments]").all():
        box.check()
    page.fill("#id_authority_opinion", "经审核，同意推荐。")
    page.click("[data-testid=save-plan]")

    page.click("[data-testid=edit-tasks]")
    assert page.locator("tr[data-task]").count() == 5
    for row in page.locator("tr[data-task]").all():
        box = row.locator("input[type=checkbox][name^=task_]")
        if not box.is_disabled():
            box.check()
        row.locator("td.members input[type=checkbox] >> nth=0").check()
        row.locator("td.target textarea").fill("2026年底前按计划完成该任务。")
    page.click("[data-testid=save-tasks]")
    assert not page.locator("[data-testid=problems]").count()

    with page.expect_download() as info:
        page.click("[data-testid=download-pdf]")
    form = info.value.path().read_bytes()
    text = re.sub(r"\s+", "", pdf_text(form))
    assert "工业互联网和人工智能融合赋能实施方案" in text
    assert "工业和信息化部办公厅编制" in text
    assert "工业和信息化部编制" not in text
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(blank_pdf(len(PdfReader(io.BytesIO(form)).pages)))
    page.set_input_files("input[name=file]", str(scan))
    page.click("[data-testid=upload-scan]")
    page.click("[data-testid=action-submit]")
    page.click("[data-testid=confirm]")
    assert page.inner_text("[data-testid=plan-state]") == "已提交"
    logout(page)
    return consortium_url


def test_a_program_set_up_in_the_admin_runs_from_plan_to_summary(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ensure_demo_users()
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        program = admin_sets_up_the_program(page)
        consortium_url = province_recommends(page, tmp_path)

        login(page, "ministry")
        page.goto(consortium_url)
        page.click("[data-testid=action-approve]")
        page.click("[data-testid=confirm]")
        assert page.inner_text("[data-testid=plan-state]") == "已批准"
        logout(page)

        # The lead sets a password from the invitation and files the first milestone report.
        invite = Notification.objects.get(
            kind="account.invite", recipient__email="zhaomin@iiai.example.cn"
        )
        page.goto(invite.url)
        page.fill("#id_new_password1", "Iiai-2026-lead")
        page.fill("#id_new_password2", "Iiai-2026-lead")
        page.click("main button[type=submit]")
        login(page, invite.recipient.username, "Iiai-2026-lead")
        consortium = program.consortia.get()
        page.click("nav.mainnav >> text=进展报告")
        page.click(f"[data-testid=open-{consortium.pk}-m1]")
        page.click("[data-testid=start-report]")
        page.fill("#id_summary", "第一阶段：联合体组建完成，行业模型研发启动。")
        for row in page.locator("section.task-entry").all():
            number = row.get_attribute("data-task")
            page.select_option(f"#id_t{number}_status", "on_track")
            page.fill(f"#id_t{number}_percent", "30")
        page.click("[data-testid=save-report]")
        page.click("[data-testid=report-submit]")
        page.click("[data-testid=confirm-submit]")
        assert page.inner_text("[data-testid=report-state]") == "已提交地方主管部门"
        logout(page)

        # The Ministry's dashboard of the new program shows the report; its summary PDF too.
        login(page, "ministry")
        page.goto("/dashboards/?program=iiai-2026&period=m1")
        assert page.inner_text("[data-testid=fig-expected-value]").strip() == "1"
        assert page.inner_text("[data-testid=fig-handed-in-value]").strip() == "1"
        page.click("[data-testid=request-summary]")
        page.wait_for_selector("[data-testid=summary-download]", timeout=30_000)
        with page.expect_download() as info:
            page.click("[data-testid=summary-download] >> nth=0")
        flat = re.sub(r"\s+", "", pdf_text(Path(info.value.path()).read_bytes()))
        assert NAME in flat or "工业互联网与人工智能融合行动" in flat
        assert "第一阶段进展报告" in flat
        assert CONSORTIUM in flat
