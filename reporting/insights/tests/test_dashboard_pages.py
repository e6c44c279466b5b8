"""Dashboard pages: figures match the selectors, drill-downs count what the figures say, a
province sees only its own province, consortium users are refused, the page's query count does
not grow with the number of consortia."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Organisation
from reporting.conftest import make_pilot
from reporting.insights.dashboards import (
    REPORT_FLAGS,
    TASK_FIGURES,
    consortium_rows,
    overview,
    scope_for,
    task_table,
)
from reporting.insights.models import RollupRun
from reporting.insights.rollups import rollup_compute, rollup_execute, rollup_request
from reporting.insights.views import exports_enabled
from reporting.periods import services
from tasks_catalog import terms
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db

GD_NAME = "粤港澳电子信息数据联合体（示例）"
AFTER_Q2 = dt.date(2026, 7, 20)  # Q2 due 2026-07-15
Q2 = {"period": "2026-q2"}


def report_q2(pilot, on_date, *, submit=True):
    """The lead reports Q2: tasks 1-2 at risk, 3 delayed, 5 nothing to report, the rest on track."""
    with on_date("2026-07-01"):
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2
        )
        entries = {}
        for e in report.entries.select_related("task"):
            n = e.task.number
            status = {1: "at_risk", 2: "at_risk", 3: "delayed"}.get(n, "on_track")
            entries[n] = (
                {"nothing_to_report": True}
                if n == 5
                else {
                    "status": status,
                    "percent": 30 + n,
                    "work_done": f"任务{n}进展",
                    "problems": "",
                }
            )
        entries[3]["problems"] = "数据采集许可延迟"
        services.report_update(
            actor=pilot.lead, report=report, revision=report.revision, entries=entries
        )
        report.refresh_from_db()
        if submit:
            services.report_submit(actor=pilot.lead, report=report)
    return report


def compute():
    rollup_compute(program=Program.objects.get(code="idfa-2026"), today=AFTER_Q2)


@pytest.fixture
def world(pilot, other_province_user, ministry_staff, on_date):
    """Beijing's pilot handed in Q2 on time; Guangdong's did not report (overdue)."""
    guangdong = make_pilot(other_province_user, ministry_staff, name=GD_NAME)
    report_q2(pilot, on_date)
    compute()
    return pilot, guangdong


def html_of(response) -> str:
    return response.content.decode()


def text_of(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', html)
    assert match, f"no element {testid}"
    return match.group(1).strip()


def get(client, user, name, params=None, lang="en"):
    client.force_login(user)
    return client.get(reverse(name), params or {}, HTTP_ACCEPT_LANGUAGE=lang)


# --- overview ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_ministry_overview_shows_the_selector_figures(client, world, ministry_staff, lang):
    response = get(client, ministry_staff, "dashboards:overview", Q2, lang)
    html = html_of(response)
    assert response.status_code == 200
    figures = overview(scope_for(user=ministry_staff, params=Q2))
    reports, tasks = figures["reports"], figures["tasks"]
    assert (reports["expected"], reports["handed_in"], reports["overdue"]) == (2, 1, 1)
    assert text_of(html, "fig-expected-value") == "2"
    assert text_of(html, "fig-handed-in-value") == "1"
    assert text_of(html, "fig-overdue-value") == "1"
    assert text_of(html, "fig-on-time-rate-value") == f"{reports['on_time_rate']:.1f}%"
    assert text_of(html, "fig-at-risk-value") == str(tasks["at_risk"]) == "2"
    assert text_of(html, "fig-delayed-value") == str(tasks["delayed"]) == "1"
    # Both provinces have a row, linking to the province-filtered dashboard.
    assert 'data-testid="province-110000"' in html
    assert 'data-testid="province-440000"' in html
    assert "province=440000" in html
    # Charts are inline SVG; the overdue list names Guangdong's consortium.
    assert html.count("<svg") >= 5
    assert GD_NAME in html
    assert 'data-testid="filter-province"' in html  # the Ministry picks any province
    region = "北京" if lang == "zh-hans" else "Beijing"
    assert region in html
    assert ('<html lang="en">' in html) == (lang == "en")


def test_overview_says_when_figures_were_never_computed(client, pilot, ministry_staff):
    html = html_of(get(client, ministry_staff, "dashboards:overview", Q2))
    assert "Figures not computed yet." in text_of(html, "computed-at")
    program = Program.objects.get(code="idfa-2026")
    run = rollup_request(program_id=program.pk, reason="test")
    rollup_execute(run_id=run.pk, today=AFTER_Q2)
    html = html_of(get(client, ministry_staff, "dashboards:overview", Q2))
    assert "Figures computed at" in text_of(html, "computed-at")


def test_export_links_only_when_the_export_url_exists(client, world, ministry_staff):
    html = html_of(get(client, ministry_staff, "dashboards:overview", Q2))
    assert ('data-testid="export-provinces-xlsx"' in html) == exports_enabled()


def test_province_sees_its_own_province_only(client, world, province_user):
    response = get(client, province_user, "dashboards:overview", Q2)
    html = html_of(response)
    assert response.status_code == 200
    assert 'data-testid="filter-province"' not in html
    assert "Beijing" in text_of(html, "filter-province-fixed") or "Beijing" in html
    assert text_of(html, "fig-expected-value") == "1"
    assert text_of(html, "fig-overdue-value") == "0"
    assert 'data-testid="province-440000"' not in html
    assert GD_NAME not in html


def test_province_is_refused_another_province(client, world, province_user):
    for name in ["dashboards:overview", "dashboards:heatmap", "dashboards:report-rows"]:
        response = get(client, province_user, name, {**Q2, "province": "440000"})
        assert response.status_code == 403
        assert "You can only see your own province" in html_of(response)


def test_other_province_sees_its_figures_not_beijings(client, world, other_province_user):
    html = html_of(get(client, other_province_user, "dashboards:overview", Q2))
    assert text_of(html, "fig-overdue-value") == "1"
    response = get(client, other_province_user, "dashboards:overview", {"province": "110000"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "dashboards:overview",
        "dashboards:heatmap",
        "dashboards:tasks",
        "dashboards:report-rows",
        "dashboards:entry-rows",
    ],
)
def test_consortium_users_are_refused(client, world, name):
    pilot, _gd = world
    response = get(client, pilot.lead, name, Q2)
    assert response.status_code == 403
    assert "Dashboards are for Ministry staff and provincial authorities." in html_of(response)


def test_unknown_filter_value_is_explained_with_status_400(client, world, ministry_staff):
    response = get(client, ministry_staff, "dashboards:overview", {"industry": "tobacco"})
    assert response.status_code == 400
    assert "Unknown industry." in text_of(html_of(response), "filter-errors") + html_of(response)
    response = get(client, ministry_staff, "dashboards:report-rows", {**Q2, "flag": "bogus"})
    assert response.status_code == 400
    assert "Unknown figure." in html_of(response)
    response = get(client, ministry_staff, "dashboards:entry-rows", {**Q2, "task": "x"})
    assert response.status_code == 400


# --- drill-downs ---------------------------------------------------------------------------------


def test_report_drilldown_counts_equal_the_figures(client, world, ministry_staff):
    figures = overview(scope_for(user=ministry_staff, params=Q2))["reports"]
    for flag in REPORT_FLAGS:
        html = html_of(get(client, ministry_staff, "dashboards:report-rows", {**Q2, "flag": flag}))
        assert text_of(html, "drilldown-count") == str(figures[flag]), flag
    pilot, guangdong = world
    html = html_of(get(client, ministry_staff, "dashboards:report-rows", {**Q2, "flag": "overdue"}))
    assert f'data-testid="report-row-{guangdong.consortium.pk}"' in html
    assert f'data-testid="report-row-{pilot.consortium.pk}"' not in html
    assert reverse("reporting:report-detail", args=[guangdong.consortium.pk, "2026-q2"]) in html


def test_entry_drilldown_counts_equal_the_figures(client, world, ministry_staff, province_user):
    for user in (ministry_staff, province_user):
        tasks = overview(scope_for(user=user, params=Q2))["tasks"]
        for status in [*TASK_FIGURES, "attention"]:
            html = html_of(get(client, user, "dashboards:entry-rows", {**Q2, "status": status}))
            assert text_of(html, "drilldown-count") == str(tasks[status]), status
    html = html_of(
        get(client, ministry_staff, "dashboards:entry-rows", {**Q2, "status": "delayed"})
    )
    assert "数据采集许可延迟" in html  # the problem text of the delayed task


def test_overview_figure_links_lead_to_their_drilldowns(client, world, ministry_staff):
    html = html_of(get(client, ministry_staff, "dashboards:overview", Q2))
    link = re.search(r'data-testid="fig-overdue-link"', html)
    assert link
    href = re.search(r'href="([^"]+)" data-testid="fig-overdue-link"', html).group(1)
    assert href.startswith(reverse("dashboards:report-rows"))
    assert "flag=overdue" in href
    response = client.get(href.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en")
    assert text_of(html_of(response), "drilldown-count") == text_of(html, "fig-overdue-value")
    assert 'data-testid="at-risk-all"' in html


# --- heat map and tasks --------------------------------------------------------------------------


def test_heatmap_cells_show_each_consortiums_task_status(client, world, ministry_staff):
    pilot, guangdong = world
    html = html_of(get(client, ministry_staff, "dashboards:heatmap", Q2))
    bj, gd = pilot.consortium.pk, guangdong.consortium.pk

    def status_of(consortium, task):
        match = re.search(rf'data-testid="cell-{consortium}-{task}" data-status="([^"]*)"', html)
        assert match, (consortium, task)
        return match.group(1)

    assert status_of(bj, 1) == "at_risk"
    assert status_of(bj, 3) == "delayed"
    assert status_of(bj, 5) == "nothing_to_report"
    assert status_of(bj, 4) == "on_track"
    assert status_of(gd, 1) == "no_report"  # selected, nothing handed in
    assert 'data-testid="heatmap-legend"' in html
    assert reverse("reporting:report-detail", args=[bj, "2026-q2"]) in html


def test_heatmap_pages_by_50_consortia(client, world, ministry_staff, monkeypatch):
    monkeypatch.setattr("reporting.insights.views.HEATMAP_PAGE_SIZE", 1)
    html = html_of(get(client, ministry_staff, "dashboards:heatmap", Q2))
    assert html.count('data-testid="heatmap-row-') == 1
    assert 'data-testid="page-next"' in html
    html = html_of(get(client, ministry_staff, "dashboards:heatmap", {**Q2, "page": 2}))
    assert html.count('data-testid="heatmap-row-') == 1


def test_tasks_page_counts_link_to_their_entries(client, world, ministry_staff):
    html = html_of(get(client, ministry_staff, "dashboards:tasks", Q2))
    rows = {
        row["task"].number: row for row in task_table(scope_for(user=ministry_staff, params=Q2))
    }
    assert text_of(html, "task-1-at_risk") == str(rows[1]["at_risk"]) == "1"
    assert text_of(html, "task-3-delayed") == "1"
    assert 'data-testid="table-categories"' in html
    href = re.search(r'href="([^"]+)" data-testid="task-1-at_risk"', html).group(1)
    response = client.get(href.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en")
    assert text_of(html_of(response), "drilldown-count") == "1"


# --- refresh -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ministry_staff", "province_user"])
def test_refresh_requests_a_run(client, world, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    before = RollupRun.objects.count()
    response = client.post(reverse("dashboards:refresh"), {"program": "idfa-2026", **Q2})
    assert response.status_code == 302
    assert "period=2026-q2" in response["Location"]
    run = RollupRun.objects.order_by("-pk").first()
    assert RollupRun.objects.count() == before + 1
    assert (run.reason, run.requested_by, run.status) == ("manual", user, "pending")
    html = html_of(client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en"))
    assert 'data-testid="rollup-active"' in html
    assert "data-poll-url" in html


def test_refresh_is_refused_to_a_consortium_lead(client, world):
    pilot, _gd = world
    client.force_login(pilot.lead)
    before = RollupRun.objects.count()
    response = client.post(reverse("dashboards:refresh"), {"program": "idfa-2026"})
    assert response.status_code == 403
    assert RollupRun.objects.count() == before


# --- cost ----------------------------------------------------------------------------------------


def test_overview_query_count_does_not_grow_with_consortia(
    client, pilot, province_user, other_province_user, ministry_staff, on_date
):
    compute()
    client.force_login(ministry_staff)
    url = reverse("dashboards:overview")

    def count_queries() -> int:
        terms.forget()  # the reference lists are read afresh both times (a process caches them)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, Q2).status_code == 200
        return len(ctx.captured_queries)

    one = count_queries()
    make_pilot(province_user, ministry_staff, name="京津冀第二数据联合体（示例）")
    guangdong = make_pilot(other_province_user, ministry_staff, name=GD_NAME)
    report_q2(pilot, on_date)
    report_q2(guangdong, on_date)
    compute()
    scope = scope_for(user=ministry_staff, params=Q2)
    assert consortium_rows(scope).count() == 3
    assert Organisation.objects.filter(code__in=["110000", "440000"]).count() == 2
    assert count_queries() == one


def test_figures_are_cached_per_run_and_a_new_run_shows_new_figures(
    client, pilot, ministry_staff, on_date
):
    program = Program.objects.get(code="idfa-2026")
    rollup_execute(run_id=rollup_request(program_id=program.pk, reason="manual").pk, today=AFTER_Q2)
    client.force_login(ministry_staff)
    url = reverse("dashboards:overview")

    def overdue_and_queries() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            html = html_of(client.get(url, Q2, HTTP_ACCEPT_LANGUAGE="en"))
        return text_of(html, "fig-overdue-value"), len(ctx.captured_queries)

    first, cold = overdue_and_queries()
    again, warm = overdue_and_queries()
    assert first == again == "1"
    assert warm < cold - 10  # the figures came from the cache
    report_q2(pilot, on_date)  # handed in: no longer overdue, once a run has counted it
    assert overdue_and_queries()[0] == "1"  # the page shows the last run's figures
    rollup_execute(run_id=rollup_request(program_id=program.pk, reason="manual").pk, today=AFTER_Q2)
    assert overdue_and_queries()[0] == "0"


@pytest.mark.parametrize(
    ("name", "params", "testid_of"),
    [
        ("dashboards:heatmap", Q2, lambda pilot: f"cell-{pilot.consortium.pk}-1"),
        ("dashboards:report-rows", {**Q2, "flag": "overdue"}, lambda pilot: "drilldown-count"),
        ("dashboards:entry-rows", {**Q2, "status": "at_risk"}, lambda pilot: "drilldown-count"),
        ("dashboards:tasks", Q2, lambda pilot: "task-1-at_risk"),
    ],
)
def test_every_page_body_is_cached_per_roll_up_version_and_follows_a_new_one(
    client, pilot, ministry_staff, on_date, name, params, testid_of
):
    """The page's figures and rows come from the cache while the roll-ups are unchanged (far
    fewer queries), and a new version shows the new figures; the markup is the same."""
    program = Program.objects.get(code="idfa-2026")
    rollup_execute(run_id=rollup_request(program_id=program.pk, reason="manual").pk, today=AFTER_Q2)
    client.force_login(ministry_staff)
    url, testid = reverse(name), testid_of(pilot)

    def shown() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            html = html_of(client.get(url, params, HTTP_ACCEPT_LANGUAGE="en"))
        match = re.search(rf'data-testid="{testid}"( data-status="([^"]*)")?[^>]*>([^<]*)<', html)
        assert match, testid
        return (match.group(2) if match.group(1) else match.group(3).strip()), len(
            ctx.captured_queries
        )

    before, cold = shown()
    again, warm = shown()
    assert before == again
    assert warm < cold
    report_q2(pilot, on_date)  # tasks 1-2 at risk, handed in on time
    rollup_execute(run_id=rollup_request(program_id=program.pk, reason="manual").pk, today=AFTER_Q2)
    after, _queries = shown()
    expected = {
        "dashboards:heatmap": ("no_report", "at_risk"),
        "dashboards:report-rows": ("1", "0"),
        "dashboards:entry-rows": ("0", "2"),
        "dashboards:tasks": ("0", "1"),
    }[name]
    assert (before, after) == expected
