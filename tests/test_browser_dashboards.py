"""In a real browser, the Ministry's dashboard (issue: dashboards and quarterly summaries).

Ministry staff open the dashboard, filter to a province, drill into the tasks at risk, open one
of their reports, request the province's summary PDF and download it; the PDF's text carries
the figures the page showed.
"""

import re
from pathlib import Path

import pytest

from portal.demo import DEMO_PASSWORD, ensure_demo_users
from portal.pdf import pdf_text
from reporting.insights.models import RollupRun
from reporting.insights.rollups import rollup_nightly
from reporting.insights.tests.test_rollups import build
from reporting.periods.models import TaskProgress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


def figure(page, key: str) -> str:
    return page.inner_text(f"[data-testid=fig-{key}-value]").strip()


def test_ministry_filters_drills_down_and_downloads_the_summary(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = ensure_demo_users()
    build(users["beijing"], users["guangdong"], users["ministry"])
    # Every change above applied its increment when it committed, as of its own (patched) day;
    # the nightly run brings the figures that follow the date (periods opened, overdue) to
    # today, as every night (Celery runs eagerly here).
    rollup_nightly()
    assert RollupRun.objects.filter(status="done", program=None).exists()

    login(page, "ministry")
    page.click("nav.mainnav >> text=统计看板")
    assert page.inner_text("[data-testid=scope-province]") == "全国"
    page.select_option("[data-testid=filter-period]", "2026-q2")
    page.select_option("[data-testid=filter-province]", "110000")
    page.click("[data-testid=filter-apply]")
    assert page.inner_text("[data-testid=scope-province]") == "北京市"
    shown = {
        key: figure(page, key)
        for key in ("expected", "handed-in", "overdue", "on-time-rate", "at-risk", "mean-percent")
    }
    # Beijing's Q2 report was handed in five days late; its entries carry the task figures.
    assert shown["expected"] == "1"
    assert shown["handed-in"] == "1"
    assert shown["overdue"] == "0"
    assert shown["on-time-rate"] == "0.0%"
    at_risk = TaskProgress.objects.filter(
        report__consortium__authority__code="110000",
        report__period__code="2026-q2",
        status="at_risk",
        nothing_to_report=False,
    )
    assert shown["at-risk"] == str(at_risk.count())
    assert at_risk.count() > 0
    assert re.fullmatch(r"\d+\.\d%", shown["mean-percent"])

    # Drill into the tasks at risk: the rows behind the figure, then one of their reports.
    page.click("[data-testid=fig-at-risk-link]")
    assert page.inner_text("[data-testid=drilldown-count]") == shown["at-risk"]
    first = at_risk.order_by("task__number").first()
    row = page.locator(f"[data-testid=entry-{first.pk}]")
    assert "存在风险" in row.inner_text()
    assert "京津冀钢铁数据联合体" in row.inner_text()
    row.locator("text=查看报告").click()
    assert "京津冀钢铁数据联合体" in page.inner_text("h1")
    page.go_back()

    # The summary PDF of the filtered scope: requested from the dashboard, listed, downloaded.
    page.click("[data-testid=tab-overview]")
    assert page.inner_text("[data-testid=scope-province]") == "北京市"
    page.click("[data-testid=request-summary]")
    # Rendered by the Celery task (eagerly here); the list refreshes itself until it is done.
    page.wait_for_selector("[data-testid=summary-download]", timeout=30_000)
    with page.expect_download() as info:
        page.click("[data-testid=summary-download] >> nth=0")
    text = pdf_text(Path(info.value.path()).read_bytes())
    flat = re.sub(r"\s+", "", text)
    assert "北京市" in flat
    assert "2026年第二季度进展报告" in flat
    assert "京津冀钢铁数据联合体" in flat
    assert "粤港澳电子数据联合体" not in flat  # Guangdong's consortium is not in Beijing's version
    assert shown["on-time-rate"] in flat
    assert shown["mean-percent"] in flat
    assert f"存在风险{shown['at-risk']}项" in flat
