"""In a real browser, review at scale: the Ministry narrows the reports list to the overdue ones
and reminds them; the province confirms two reports at once and reads which succeeded; the
Ministry prints a report. Set REVIEW_SCREENSHOTS=<dir> to keep screenshots of each step."""

import datetime as dt
import os
from unittest import mock

import pytest

from portal.demo import DEMO_PASSWORD, ensure_demo_users
from reporting.conftest import make_pilot
from reporting.periods import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


def shot(page, name):
    folder = os.environ.get("REVIEW_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def assert_accessible(page):
    """axe-core (pinned, from var/node: see tests/test_browser_accessibility.py) finds nothing
    critical or serious on the page."""
    from tests.test_browser_accessibility import BLOCKING, RUN_AXE, axe_source, inject_axe

    inject_axe(page, axe_source())
    blocking = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    assert not blocking, (page.url, blocking)


def hand_in(pilot, period):
    report = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=period)
    entries = {
        e.task.number: {"status": "on_track", "percent": 50, "work_done": "按计划推进。"}
        for e in report.entries.select_related("task")
    }
    services.report_update(
        actor=pilot.lead, report=report, revision=report.revision, data={}, entries=entries
    )
    report.refresh_from_db()
    services.report_submit(actor=pilot.lead, report=report)
    return report


def test_ministry_reminds_the_overdue_and_the_province_confirms_in_bulk(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = ensure_demo_users()
    first = make_pilot(users["beijing"], users["ministry"])
    second = make_pilot(
        users["beijing"], users["ministry"], name="京津冀汽车数据合作联合体（示例）"
    )
    late = make_pilot(
        users["guangdong"], users["ministry"], name="粤港澳电子数据合作联合体（示例）"
    )
    for p in (first, second, late):
        p.consortium.pilot_since = dt.date(2026, 3, 20)
        p.consortium.save(update_fields=["pilot_since"])
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 7, 10)):
        hand_in(first, first.q2)
        hand_in(second, second.q2)

    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 7, 20)):
        login(page, "ministry")
        page.click("nav.mainnav >> text=进展报告")
        assert "共9份报告" in page.inner_text("[data-testid=result-count]")
        page.check("[data-testid=filter-overdue]")
        page.select_option("select[name=authority]", "440000")
        page.click("[data-testid=apply-filters]")
        assert "共2份报告" in page.inner_text("[data-testid=result-count]")
        shot(page, "1-ministry-overdue")
        assert_accessible(page)
        page.click("[data-testid=remind-all]")
        assert "已完成2份" in page.inner_text("[data-testid=bulk-summary]")
        shot(page, "2-ministry-reminded")
        assert_accessible(page)
        page.click("[data-testid=back-to-list]")
        assert page.is_checked("[data-testid=filter-overdue]")  # the list as it was left
        page.click("[data-testid=remind-all]")  # a second click: nothing sent twice
        assert "未执行2份" in page.inner_text("[data-testid=bulk-summary]")
        page.click("[data-testid=logout]")

        login(page, "beijing")
        page.goto("/reports/?ordering=consortium")
        for p in (first, second):
            page.check(f"[data-testid=select-{p.consortium.pk}-2026-q2]")
        page.check(f"[data-testid=select-{first.consortium.pk}-2026-q1]")  # not started: refused
        page.fill("input[name=comment]", "材料齐全，同意上报。")
        shot(page, "3-province-selected")
        page.click("[data-testid=bulk-confirm]")
        summary = page.inner_text("[data-testid=bulk-summary]")
        assert "已完成2份" in summary
        assert "未执行1份" in summary
        assert "该报告尚未开始填写" in page.inner_text(
            f"[data-testid=result-{first.consortium.pk}-2026-q1]"
        )
        shot(page, "4-province-results")
        page.click("[data-testid=logout]")

        login(page, "ministry")
        page.goto("/reports/?state=confirmed&ordering=consortium")
        page.click("[data-testid=sort-consortium]")  # a second click sorts descending
        assert "ordering=-consortium" in page.url
        page.check("[data-testid=select-all]")  # both confirmed reports, then accept them
        assert page.is_checked(f"[data-testid=select-{first.consortium.pk}-2026-q2]")
        page.click("[data-testid=bulk-accept]")
        assert "已完成2份" in page.inner_text("[data-testid=bulk-summary]")
        with page.expect_navigation():  # the list's body exists before the link is added
            page.click("[data-testid=back-to-list]")
        with page.expect_download() as download:
            page.evaluate(
                "url => { const a = document.createElement('a'); a.href = url; a.download = ''; "
                "document.body.appendChild(a); a.click(); }",
                f"/reports/{first.consortium.pk}/2026-q2/pdf/",
            )
        assert download.value.suggested_filename.endswith(".pdf")
        shot(page, "5-ministry-confirmed")
        page.click("[data-testid=lang-en]")
        assert "Overdue only" in page.inner_text("[data-testid=report-filters]")
        assert_accessible(page)
        page.goto("/consortia/?ordering=-name")
        assert_accessible(page)
