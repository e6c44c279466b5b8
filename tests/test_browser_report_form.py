"""In a real browser, the report form never loses work (issue 9).

A lead types into a report, uploads evidence and clicks submit without saving: the confirmation
shows the typed text and the submitted report holds it, with JavaScript and without. Two sessions
editing one report: the second save is refused and the typed text stays on the page.
"""

import datetime as dt
from unittest import mock

import pytest
from playwright.sync_api import expect

from consortia.samples import blank_pdf
from portal.demo import ensure_demo_users
from reporting.conftest import make_pilot
from reporting.periods import services
from reporting.periods.models import ProgressReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lead-pass-2026"


def login(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


@pytest.fixture
def q2(reference_data, tmp_path, settings):
    """A pilot whose Q1 report is submitted; Q2 is started (pre-filled from Q1) on 2026-07-05."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = ensure_demo_users()
    pilot = make_pilot(users["beijing"], users["ministry"])
    pilot.lead.set_password(PASSWORD)
    pilot.lead.save()
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 4, 10)):
        q1 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1)
        services.report_update(
            actor=pilot.lead,
            report=q1,
            revision=q1.revision,
            data={"summary": "2026年第一季度：联合体完成组建。"},
            entries={
                e.task.number: {
                    "status": "on_track",
                    "percent": 25,
                    "work_done": "一季度启动。",
                    # Task 6 carries its plan into Q2 (the "nothing to report" test clears it).
                    "next_plan": "二季度完成数据标注工具选型。" if e.task.number == 6 else "",
                }
                for e in q1.entries.select_related("task")
            },
        )
        q1.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=q1)
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 7, 5)):
        services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2)
        yield pilot


@pytest.fixture
def new_page(browser, live_server, reference_data):
    contexts = []

    def make(*, javascript=True):
        context = browser.new_context(
            locale="zh-CN", base_url=live_server.url, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_typed_text_survives_an_upload_and_is_what_gets_submitted(
    q2, new_page, tmp_path, javascript
):
    pilot = q2
    page = new_page(javascript=javascript)
    login(page, pilot.lead.username)
    page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
    assert "已填写 23/23 项" in page.inner_text("[data-testid=report-progress]")

    # Typed, not saved, then an evidence upload: the text goes with the file.
    page.fill("#id_summary", "2026年第二季度：可信互联平台一期上线。")
    page.fill("#id_t4_work_done", "二季度建成行业数据资源库一期。")
    evidence = tmp_path / "资源库验收报告.pdf"
    evidence.write_bytes(blank_pdf(1))
    page.set_input_files("#id_t4_file", str(evidence))
    page.click("[data-testid=upload-4]")
    assert "佐证材料已上传" in page.inner_text(".messages")
    assert page.input_value("#id_summary") == "2026年第二季度：可信互联平台一期上线。"
    assert page.input_value("#id_t4_work_done") == "二季度建成行业数据资源库一期。"
    assert "资源库验收报告.pdf" in page.inner_text("#task-4")

    # More typing, then the red submit button straight away: no save in between.
    page.fill("#id_t5_work_done", "二季度完成关键技术图谱初稿。")
    page.fill("#id_requests", "请协调算力资源。")
    if javascript:
        # Leaving with unsaved changes asks first (the dialog is dismissed: we stay).
        dialogs = []
        page.once("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
        page.click("nav.mainnav >> text=首页", no_wait_after=True)
        page.wait_for_timeout(500)
        assert dialogs == ["beforeunload"]
        assert page.input_value("#id_t5_work_done") == "二季度完成关键技术图谱初稿。"
    page.click("[data-testid=report-submit]")

    assert "确认提交" in page.inner_text("[data-testid=confirm-title]")
    shown = page.inner_text("main")
    for text in (
        "2026年第二季度：可信互联平台一期上线。",
        "二季度建成行业数据资源库一期。",
        "二季度完成关键技术图谱初稿。",
        "请协调算力资源。",
        "资源库验收报告.pdf",
    ):
        assert text in shown
    flagged = page.locator("[data-unchanged=true]")
    assert flagged.count() == 21  # 23 tasks, two rewritten
    assert page.locator("#task-4[data-unchanged]").count() == 0
    assert "与上期报告" in page.inner_text("[data-testid=unchanged-flags]")
    page.click("[data-testid=confirm-submit]")

    assert page.inner_text("[data-testid=report-state]") == "已提交地方主管部门"
    report = ProgressReport.objects.get(consortium=pilot.consortium, period=pilot.q2)
    assert report.summary == "2026年第二季度：可信互联平台一期上线。"
    assert report.requests == "请协调算力资源。"
    entries = {e.task.number: e for e in report.entries.all()}
    assert entries[4].work_done == "二季度建成行业数据资源库一期。"
    assert entries[5].work_done == "二季度完成关键技术图谱初稿。"
    assert entries[4].evidence.count() == 1
    # A submitted report has no form and no submit button.
    assert page.locator("[data-testid=report-form]").count() == 0
    assert page.locator("[data-testid=report-submit]").count() == 0


def test_autosave_saves_after_typing_stops_and_nothing_to_report_clears_the_task(q2, new_page):
    pilot = q2
    page = new_page()
    login(page, pilot.lead.username)
    page.goto(f"/reports/{pilot.consortium.pk}/2026-q2/")
    page.fill("#id_key_figures", "数据集 2 个，共 80 万条。")
    expect(page.locator("[data-testid=autosave-status]")).to_contain_text("已自动保存")
    report = ProgressReport.objects.get(consortium=pilot.consortium, period=pilot.q2)
    assert report.key_figures == "数据集 2 个，共 80 万条。"
    carried_plan = page.input_value("#id_t6_next_plan")
    assert carried_plan  # pre-filled from the previous period
    page.fill("#id_t6_problems", "本期新写的问题。")
    page.check("#id_t6_nothing_to_report")
    assert page.input_value("#id_t6_work_done") == ""
    assert page.input_value("#id_t6_status") == ""
    # The carried-over plan goes; the problem written this period stays.
    assert page.input_value("#id_t6_next_plan") == ""
    assert page.input_value("#id_t6_problems") == "本期新写的问题。"
    page.select_option("#id_t7_status", "")
    assert "已填写 22/23 项" in page.inner_text("[data-testid=report-progress]")
    assert "未填写" in page.inner_text("#task-7 [data-answered-badge]")
    page.click("[data-testid=save-report]")
    entry = report.entries.get(task__number=6)
    assert entry.nothing_to_report
    assert entry.work_done == ""
    assert entry.status == ""
    assert (entry.next_plan, entry.problems) == ("", "本期新写的问题。")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_two_sessions_the_second_save_is_refused_and_keeps_the_typed_text(q2, new_page, javascript):
    pilot = q2
    url = f"/reports/{pilot.consortium.pk}/2026-q2/"
    first, second = new_page(javascript=javascript), new_page(javascript=javascript)
    for page in (first, second):
        login(page, pilot.lead.username)
        page.goto(url)
    first.fill("#id_summary", "甲：二季度总结。")
    first.click("[data-testid=save-report]")
    assert "报告已保存" in first.inner_text(".messages")

    second.fill("#id_summary", "乙：另一份二季度总结。")
    second.fill("#id_t4_work_done", "乙写的任务4进展。")
    second.click("[data-testid=save-report]")
    assert "他人已保存" in second.inner_text("[data-testid=form-errors]")
    assert second.input_value("#id_summary") == "乙：另一份二季度总结。"
    assert second.input_value("#id_t4_work_done") == "乙写的任务4进展。"
    report = ProgressReport.objects.get(consortium=pilot.consortium, period=pilot.q2)
    assert report.summary == "甲：二季度总结。"
    assert report.entries.get(task__number=4).work_done == "一季度启动。"
    if javascript:
        # Autosave from the stale page is refused too, with a clear message, never overwriting.
        second.fill("#id_summary", "乙：再改一次。")
        expect(second.locator("[data-testid=autosave-status]")).to_contain_text("他人已保存")
        assert "未保存" in second.inner_text("[data-testid=autosave-status]")
        report.refresh_from_db()
        assert report.summary == "甲：二季度总结。"


def test_the_form_confirmation_and_comparison_have_no_critical_or_serious_axe_violations(
    q2, new_page
):
    from tests.test_browser_accessibility import BLOCKING, RUN_AXE, axe_source, inject_axe

    axe = axe_source()
    pilot = q2
    base = f"/reports/{pilot.consortium.pk}/2026-q2/"
    page = new_page()
    login(page, pilot.lead.username)
    found = []
    for language in ("zh-hans", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
        page.goto(base)
        page.fill("#id_t4_percent", "150")
        page.click("[data-testid=save-report]")  # the form with its errors listed at the top
        assert page.locator("[data-testid=form-errors]").count() == 1
        for url in (None, base + "submit/", base + "compare/"):
            if url:
                page.goto(url)
            inject_axe(page, axe)
            found += [
                f"[{language}] {url or base}: {v['id']} ({v['impact']}) " + ", ".join(v["targets"])
                for v in page.evaluate(RUN_AXE)
                if v["impact"] in BLOCKING
            ]
    assert not found, "\n".join(found)
