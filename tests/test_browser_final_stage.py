"""In a real browser, the final stage of a program (issue 12): the province amends the approved
plan and the Ministry approves it; the lead files the final summary, pre-filled from the new
baseline and the registry, with a typical case and the stamped scan; the province confirms and
the Ministry accepts; two Ministry reviewers score it, the moderator selects the case for
promotion and publishes; the lead reads the grade; the closing document lists grade and case."""

import datetime as dt
from unittest import mock

import pytest

from consortia.models import PlanAmendment
from consortia.samples import scan_upload
from consortia.selectors import plan_baseline
from portal.demo import DEMO_PASSWORD, ensure_demo_users
from portal.pdf import pdf_text
from reporting.closing.models import ClosingDocument
from reporting.conftest import make_pilot
from reporting.evaluation.models import Evaluation
from reporting.final.models import FinalReport
from reporting.final.pdf import final_pdf_page_count

from .test_browser_evaluation import A, B, logout, score
from .test_browser_review import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Inside 64号's final period (opens 2026-12-01, due 2027-01-31).
TODAY = dt.date(2026, 12, 10)
CASE = "高炉炉况智能诊断"


def click_and_confirm(page, testid):
    """An action link opens its confirmation page; its one button takes the action."""
    page.click(f"[data-testid={testid}]")
    page.click("main form button[type=submit]")


def test_from_amendment_to_the_closing_document(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = ensure_demo_users()
    pilot = make_pilot(users["beijing"], users["ministry"])
    pilot.lead.set_password(DEMO_PASSWORD)
    pilot.lead.save()
    consortium = pilot.consortium
    first = plan_baseline(plan=consortium.plan)

    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        # 1. The province proposes an amendment of section 4 and submits it.
        login(page, "beijing")
        page.goto(f"/consortia/{consortium.pk}/amendments/new/")
        page.fill("#id_reason", "完善实施方案：补充年度目标。")
        page.click("[data-testid=propose]")
        page.click("[data-testid=amend-plan]")
        page.fill(
            "#id_implementation_plan",
            page.input_value("#id_implementation_plan") + "补充：年底前建成3个行业数据集。",
        )
        page.click("main form button[type=submit]")
        page.goto(f"/consortia/{consortium.pk}/amendments/1/")
        click_and_confirm(page, "amendment-action-submit")
        logout(page)

        # 2. The Ministry approves it: the amendment's version is the new baseline.
        login(page, "ministry")
        page.goto(f"/consortia/{consortium.pk}/amendments/1/")
        click_and_confirm(page, "amendment-action-approve")
        assert PlanAmendment.objects.get(plan=consortium.plan).state == "approved"
        baseline = plan_baseline(plan=consortium.plan)
        assert baseline.number > first.number
        logout(page)

        # 3. The lead files the final summary, pre-filled, with a case and the stamped scan.
        login(page, pilot.lead.username)
        page.goto(f"/reports/final/{consortium.pk}/")
        page.click("[data-testid=final-start]")
        report = FinalReport.objects.get(consortium=consortium)
        assert report.baseline_id == baseline.pk
        for outcome in report.outcomes.select_related("task"):
            n = outcome.task.number
            page.select_option(f"#id_t{n}_completion", "completed")
            page.fill(f"#id_t{n}_achieved", "按方案完成。")
        page.fill("#id_paths_mechanisms", "形成“数据+模型+场景”协同推进路径。")
        page.click("[data-testid=final-save]")
        page.fill("[data-testid=case-form] [name=title]", CASE)
        page.fill("[data-testid=case-form] [name=scenario]", "高炉冶炼过程监控")
        page.select_option("[data-testid=case-form] [name=stage]", "operations")
        page.fill("[data-testid=case-form] [name=effect]", "燃料比降低2%。")
        page.click("[data-testid=case-add]")
        report.refresh_from_db()
        scan = tmp_path / "scan.pdf"
        scan.write_bytes(scan_upload(final_pdf_page_count(report)).read())
        page.set_input_files("input[type=file]", str(scan))
        page.click("[data-testid=scan-upload]")
        page.click("[data-testid=final-submit]")
        assert FinalReport.objects.get(pk=report.pk).state == "submitted"
        logout(page)

        # 4. The province confirms with its opinion; the Ministry accepts.
        login(page, "beijing")
        page.goto(f"/reports/final/{consortium.pk}/")
        page.fill("[data-testid=review-form] textarea", "同意报送。")
        page.click("[data-testid=final-confirm]")
        logout(page)
        login(page, "ministry")
        page.goto(f"/reports/final/{consortium.pk}/")
        page.fill("[data-testid=review-form] textarea", "同意。")
        page.click("[data-testid=final-accept]")
        assert FinalReport.objects.get(pk=report.pk).state == "accepted"

        # 5. Two reviewers score; the moderator promotes the case and publishes.
        page.goto("/evaluations/")
        page.click(f"[data-testid=start-{consortium.pk}]")
        evaluation = Evaluation.objects.get(consortium=consortium)
        score(page, evaluation.pk, A, "甲")
        logout(page)
        login(page, "admin")
        score(page, evaluation.pk, B, "乙")
        logout(page)
        login(page, "ministry")
        page.goto(f"/evaluations/{evaluation.pk}/")
        page.fill("[data-testid^=case-form] [name=reason]", "可在钢铁行业复制推广。")
        page.click("[data-testid=case-select]")
        page.click("[data-testid=action-moderate] button")
        page.click("[data-testid=action-finalise] button")
        page.click("[data-testid=action-publish] button")
        assert Evaluation.objects.get(pk=evaluation.pk).state == "published"
        grade = page.inner_text("[data-testid=evaluation-grade]")
        shot(page, "final-stage-evaluation")

        # 6. The closing document lists the consortium, its grade and the promoted case.
        page.goto("/dashboards/final/?program=idfa-2026")
        page.click("[data-testid=closing-request]")
        document = ClosingDocument.objects.get()
        assert document.status == "done", document.error
        text = pdf_text(document.file.read()).replace("\n", "")
        assert consortium.name in text
        assert grade in text
        assert CASE in text
        logout(page)

        # 7. The lead reads the published grade and the promoted case.
        login(page, pilot.lead.username)
        page.goto(f"/evaluations/{evaluation.pk}/")
        assert page.inner_text("[data-testid=evaluation-grade]") == grade
        assert CASE in page.inner_text("[data-testid=typical-cases]")
