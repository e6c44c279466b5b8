"""In a real browser, a quarter's progress report (issue: quarterly reporting).

A consortium lead fills a Q2 report pre-filled from Q1, adds a dataset and a standard, submits;
the province confirms; the Ministry returns it; the lead fixes and resubmits; the Ministry accepts.
"""

import datetime as dt
from unittest import mock

import pytest

from portal.demo import DEMO_PASSWORD, ensure_demo_users
from reporting.conftest import make_pilot
from reporting.periods import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def task_pk(number: int) -> int:
    from tasks_catalog.models import ReferenceTask

    return ReferenceTask.objects.get(program__code="idfa-2026", number=number).pk


def login(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


def test_quarterly_report_from_draft_to_accepted(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = ensure_demo_users()
    pilot = make_pilot(users["beijing"], users["ministry"])
    lead = pilot.lead
    lead.set_password("Lead-pass-2026")
    lead.save()
    # Q1 was reported and accepted in April.
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 4, 10)):
        q1 = services.report_start(actor=lead, consortium=pilot.consortium, period=pilot.q1)
        entries = {
            e.task.number: {"status": "on_track", "percent": 25, "work_done": "一季度启动。"}
            for e in q1.entries.select_related("task")
        }
        services.report_update(
            actor=lead,
            report=q1,
            revision=q1.revision,
            entries=entries,
            data={"summary": "一季度：联合体完成组建并启动平台建设。"},
        )
        q1.refresh_from_db()
        services.report_submit(actor=lead, report=q1)
        services.report_confirm(actor=users["beijing"], report=q1)
        services.report_accept(actor=users["ministry"], report=q1)

    # It is now July: the Q2 report is open.
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 7, 5)):
        login(page, lead.username, "Lead-pass-2026")
        page.click("nav.mainnav >> text=进展报告")
        page.click(f"[data-testid=open-{pilot.consortium.pk}-2026-q2]")
        page.click("[data-testid=start-report]")
        assert (
            page.input_value("#id_summary") == "一季度：联合体完成组建并启动平台建设。"
        )  # pre-filled from Q1
        assert page.input_value("#id_t4_percent") == "25"
        page.fill("#id_summary", "二季度：可信互联平台一期上线，首批数据集完成。")
        for row in page.locator("section.task-entry").all():
            number = row.get_attribute("data-task")
            page.select_option(f"#id_t{number}_status", "on_track")
            page.fill(f"#id_t{number}_percent", "50")
        page.click("[data-testid=save-report]")
        assert "报告已保存" in page.inner_text(".messages")

        # Deliverables: a dataset and a standard.
        page.goto(f"/reports/deliverables/{pilot.consortium.pk}/dataset/")
        page.fill("#id_name", "高炉炉况时序数据集")
        page.select_option("#id_period", label="2026年第二季度进展报告")
        page.check(f"input[name=tasks][value='{task_pk(12)}']")
        page.select_option("#id_industry", "steel")
        page.select_option("#id_stage", "production")
        page.select_option("#id_modality", "time_series")
        page.fill("#id_records", "1200000")
        page.fill("#id_size_value", "50")
        page.select_option("#id_size_unit", "GB")
        page.click("[data-testid=save-deliverable]")
        assert "高炉炉况时序数据集" in page.inner_text("main")
        page.goto(f"/reports/deliverables/{pilot.consortium.pk}/standard/")
        page.fill("#id_name", "钢铁行业高质量数据集质量评价规范")
        page.select_option("#id_period", label="2026年第二季度进展报告")
        page.check(f"input[name=tasks][value='{task_pk(8)}']")
        page.select_option("#id_level", "group")
        page.select_option("#id_stage", "drafting")
        page.click("[data-testid=save-deliverable]")
        assert "钢铁行业高质量数据集质量评价规范" in page.inner_text("main")

        page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
        page.click("[data-testid=report-submit]")
        page.click("[data-testid=confirm-submit]")
        assert page.inner_text("[data-testid=report-state]") == "已提交地方主管部门"
        page.click("[data-testid=logout]")

        login(page, "beijing")
        page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
        page.fill("#id_comment", "情况属实。")
        page.click("[data-testid=report-confirm]")
        assert page.inner_text("[data-testid=report-state]") == "地方主管部门已确认"
        page.click("[data-testid=logout]")

        login(page, "ministry")
        page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
        page.fill("#id_comment", "请补充数据集质量评估结果。")
        page.click("[data-testid=report-return]")
        assert page.inner_text("[data-testid=report-state]") == "退回修改"
        page.click("[data-testid=logout]")

        login(page, lead.username, "Lead-pass-2026")
        page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
        assert "请补充数据集质量评估结果。" in page.inner_text("[data-testid=report-reviews]")
        page.fill("#id_key_figures", "数据集 1 个，120 万条，质量评估结果：优。")
        page.click("[data-testid=save-report]")
        page.click("[data-testid=report-submit]")
        page.click("[data-testid=confirm-submit]")
        page.click("[data-testid=logout]")

        login(page, "beijing")
        page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
        page.click("[data-testid=report-confirm]")
        page.click("[data-testid=logout]")

        login(page, "ministry")
        page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
        page.click("[data-testid=report-accept]")
        assert page.inner_text("[data-testid=report-state]") == "工业和信息化部已采纳"
        history = page.inner_text("[data-testid=report-audit]")
        assert history.count("已提交") == 2 and "退回修改" in history
