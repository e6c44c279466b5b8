"""The one rule for who is expected to report (``reporting.periods.expectations``), everywhere.

A mixed data set on 2026-12-02 (Q1–Q3 due, Q4 open and due 2027-01-15): two pilots approved in
March, a third approved on Q3's due date (expected only for Q4, with a stray Q3 report written
outside the portal's rules), reports on time, late, returned, never started and not yet due, and
a plan returned for revision. The dashboard's key figures are recomputed here from the raw rows
and compared with the selectors, the page and the API; then the roll-ups, exports, summary PDF,
reminders, home pages, the reports page and the start service are each checked, with the wrong
user refused.
"""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from consortia.models import Consortium
from consortia.services import plan_return, plan_submit
from consortia.tests.conftest import make_ready_plan
from portal.pdf import pdf_text
from reporting.conftest import make_pilot
from reporting.insights import dashboards as d
from reporting.insights.exports.services import export_build
from reporting.insights.models import ConsortiumRollup
from reporting.insights.rollups import rollup_compute
from reporting.insights.summaries import summary_pdf
from reporting.insights.tests.test_exports import read_csv, read_xlsx
from reporting.insights.tests.test_rollups import at, write_report
from reporting.periods import services
from reporting.periods.expectations import (
    expected_pairs,
    expected_periods,
    is_due,
    is_expected,
    is_overdue,
    overdue_reports,
)
from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress
from reporting.periods.reminders import reminders_due
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)
BEIJING = "京津冀钢铁数据联合体（测试）"
GUANGDONG = "粤港澳电子数据联合体（测试）"
LATE = "京冀晚批数据联合体（测试）"  # approved on Q3's due date
LATE_APPROVED_ON = dt.date(2026, 10, 15)
PERIODS = ["2026-q1", "2026-q2", "2026-q3", "2026-q4"]
HANDED_IN = {"submitted", "confirmed", "accepted"}


def today_is(day: dt.date = TODAY):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def submit(pilot, report, day):
    with at(day):
        services.report_submit(actor=pilot.lead, report=report)


@pytest.fixture
def mixed(province_user, other_province_user, ministry_staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    beijing = make_pilot(province_user, ministry_staff, name=BEIJING)
    guangdong = make_pilot(other_province_user, ministry_staff, name=GUANGDONG)
    late = make_pilot(province_user, ministry_staff, name=LATE, approved_on=LATE_APPROVED_ON)
    # Beijing: Q1 on time and confirmed; Q2 late; Q3 never started (overdue, then locked);
    # Q4 a draft (not due yet).
    report = write_report(beijing, "2026-q1", "2026-04-10")
    submit(beijing, report, "2026-04-10")
    with at("2026-04-11"):
        services.report_confirm(actor=province_user, report=report)
    submit(beijing, write_report(beijing, "2026-q2", "2026-07-20", offset=1), "2026-07-20")
    write_report(beijing, "2026-q4", "2026-11-20", offset=2)
    # Guangdong: Q1 returned (not handed in: overdue); Q2 confirmed and Q3 submitted on time;
    # Q4 handed in before its due date.
    report = write_report(guangdong, "2026-q1", "2026-04-14", offset=3)
    submit(guangdong, report, "2026-04-14")
    with at("2026-04-20"):
        services.report_return(actor=other_province_user, report=report, comment="补充")
    report = write_report(guangdong, "2026-q2", "2026-07-01", offset=4)
    submit(guangdong, report, "2026-07-01")
    with at("2026-07-03"):
        services.report_confirm(actor=other_province_user, report=report)
    submit(guangdong, write_report(guangdong, "2026-q3", "2026-10-12", offset=5), "2026-10-12")
    submit(guangdong, write_report(guangdong, "2026-q4", "2026-11-25", offset=6), "2026-11-25")
    # The late pilot: Q4 handed in; a Q3 report written outside the portal's rules (imported).
    submit(late, write_report(late, "2026-q4", "2026-11-21", offset=1), "2026-11-21")
    stray = ProgressReport.objects.create(
        consortium=late.consortium,
        period=ReportingPeriod.objects.get(program=late.consortium.program, code="2026-q3"),
        state="submitted",
        submitted_at=dt.datetime(2026, 10, 20, 9, tzinfo=timezone.get_current_timezone()),
        first_submitted_at=dt.datetime(2026, 10, 20, 9, tzinfo=timezone.get_current_timezone()),
    )
    TaskProgress.objects.create(
        report=stray, task=late.consortium.plan.selections.first().task, status="at_risk"
    )
    # A plan returned for revision in Guangdong: it still holds a slot.
    with today_is(dt.date(2026, 3, 1)):
        returned = make_ready_plan(other_province_user, beijing.consortium.program, name="粤退回")
        plan_submit(actor=other_province_user, plan=returned)
    plan_return(
        actor=ministry_staff,
        plan=returned,
        section_comments={"plan": "请量化目标。"},
        comment="请修改。",
    )
    program = beijing.consortium.program
    rollup_compute(program=program, today=TODAY)
    return {"beijing": beijing, "guangdong": guangdong, "late": late, "program": program}


def period_of(program, code) -> ReportingPeriod:
    return ReportingPeriod.objects.get(program=program, code=code)


# --- the key figures, recomputed from the raw rows ----------------------------------------------


def recompute(program, period, today=TODAY) -> dict:
    """The report and task figures of one period, from ``Consortium`` and ``ProgressReport``
    rows alone, by the rule as written in the README."""
    expected = [
        c
        for c in Consortium.objects.filter(program=program, pilot_since__isnull=False)
        if c.pilot_since < period.due_date and period.opens_on <= today
    ]
    reports = {r.consortium_id: r for r in ProgressReport.objects.filter(period=period)}
    handed = [c for c in expected if c.pk in reports and reports[c.pk].state in HANDED_IN]
    on_time = [
        c
        for c in handed
        if timezone.localtime(reports[c.pk].first_submitted_at).date() <= period.due_date
    ]
    due = today > period.due_date
    overdue = [c for c in expected if c not in handed and due]
    entries = [e for c in handed for e in reports[c.pk].entries.all() if not e.nothing_to_report]
    rate = round(100 * len(on_time) / len(expected), 1) if due and expected else None
    return {
        "reports": {
            "expected": len(expected),
            "handed_in": len(handed),
            "on_time": len(on_time),
            "overdue": len(overdue),
            "late": len(handed) - len(on_time) if due else None,
            "on_time_rate": rate,
            "on_time_rate_status": "not_yet_due"
            if not due
            else "computed"
            if rate is not None
            else "nothing_expected",
        },
        "tasks": {
            "selected": sum(c.plan.selections.count() for c in expected),
            "reported": sum(len(reports[c.pk].entries.all()) for c in handed),
            "at_risk": sum(e.status == "at_risk" for e in entries),
            "delayed": sum(e.status == "delayed" for e in entries),
        },
    }


def text_of(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', html)
    assert match, f"no element {testid}"
    return match.group(1).strip()


def test_the_dashboard_key_figures_equal_a_recount_of_the_raw_rows(
    mixed, client, api_client, ministry_staff
):
    program = mixed["program"]
    client.force_login(ministry_staff)
    api_client.force_authenticate(ministry_staff)
    seen = {}
    for code in PERIODS:
        period = period_of(program, code)
        want = recompute(program, period)
        seen[code] = want["reports"]
        with today_is():
            figures = d.overview(d.scope_for(user=ministry_staff, params={"period": code}))
            api = api_client.get(
                "/api/v1/dashboards/overview/", {"period": code}, HTTP_ACCEPT_LANGUAGE="en"
            ).json()["figures"]
            zh = client.get(
                reverse("dashboards:overview"), {"period": code}, HTTP_ACCEPT_LANGUAGE="zh-hans"
            ).content.decode()
            en = client.get(
                reverse("dashboards:overview"), {"period": code}, HTTP_ACCEPT_LANGUAGE="en"
            ).content.decode()
        for key, value in want["reports"].items():
            assert figures["reports"][key] == value, (code, key)
            assert api["reports"][key] == value, (code, key)
        for key, value in want["tasks"].items():
            assert figures["tasks"][key] == api["tasks"][key] == value, (code, key)
        for html in (zh, en):
            assert text_of(html, "fig-expected-value") == str(want["reports"]["expected"])
            assert text_of(html, "fig-handed-in-value") == str(want["reports"]["handed_in"])
            assert text_of(html, "fig-overdue-value") == str(want["reports"]["overdue"])
            assert text_of(html, "fig-at-risk-value") == str(want["tasks"]["at_risk"])
        rate = want["reports"]["on_time_rate"]
        if rate is None:
            assert text_of(zh, "fig-on-time-rate-value") == "尚未到期"
            assert text_of(en, "fig-on-time-rate-value") == "Not yet due"
        else:
            assert text_of(zh, "fig-on-time-rate-value") == f"{rate:.1f}%"
        # The rule is explained beside the report figures, in the page's language.
        assert "截止日期之前获批" in zh
        assert "became an approved pilot before" in en
    # The mixed data set covers what the rule distinguishes.
    assert [seen[c]["expected"] for c in PERIODS] == [2, 2, 2, 3]
    assert [seen[c]["overdue"] for c in PERIODS] == [1, 0, 1, 0]
    assert seen["2026-q2"]["late"] == 1
    assert seen["2026-q2"]["on_time_rate"] == 50.0
    assert seen["2026-q4"]["on_time_rate_status"] == "not_yet_due"
    assert seen["2026-q4"]["late"] is None
    assert seen["2026-q4"]["handed_in"] == 2
    # Plans: the returned plan still counts against Guangdong's quota.
    with today_is():
        plans = d.overview(d.scope_for(user=ministry_staff, params={"period": "2026-q3"}))["plans"]
    assert plans["in_quota"] == 4
    assert plans["approved"] == 3


def test_the_one_rule_as_a_predicate_and_as_queries_agree(mixed):
    program = mixed["program"]
    pairs = set(expected_pairs(today=TODAY).values_list("pk", "expected_period"))
    overdue = set(overdue_reports(today=TODAY).values_list("consortium_id", "period_id"))
    for consortium in Consortium.objects.filter(program=program):
        for period in ReportingPeriod.objects.filter(program=program):
            expected = is_expected(consortium=consortium, period=period, today=TODAY)
            assert expected == ((consortium.pk, period.pk) in pairs)
            report = ProgressReport.objects.filter(consortium=consortium, period=period).first()
            late = is_overdue(
                consortium=consortium,
                period=period,
                state=report.state if report else None,
                today=TODAY,
            )
            if report is not None:
                assert late == ((consortium.pk, period.pk) in overdue)
        periods = [p.code for p in expected_periods(consortium=consortium, today=TODAY)]
        # 64号's final summary period (migration reporting/0009) is expected like the quarters.
        if consortium.name == LATE:
            assert periods == ["2026-q4", "final"]
        elif consortium.pilot_since:
            assert periods == [*PERIODS, "final"]
        else:
            assert periods == []
    assert is_due(period=period_of(program, "2026-q3"), today=TODAY)
    assert not is_due(period=period_of(program, "2026-q4"), today=TODAY)
    # Approved on the due date itself: not expected (strictly before).
    late = mixed["late"].consortium
    assert not is_expected(consortium=late, period=period_of(program, "2026-q3"), today=TODAY)


def test_roll_ups_have_no_row_for_a_pilot_not_expected_and_its_stray_report_counts_nowhere(
    mixed,
):
    late = mixed["late"].consortium
    rows = ConsortiumRollup.objects.filter(consortium=late)
    assert list(rows.values_list("period__code", "overdue", "handed_in")) == [
        ("2026-q4", False, True),
        ("final", False, False),  # 64号's final summary (reporting/final/), not started
    ]
    scope = d.Scope(mixed["program"], period_of(mixed["program"], "2026-q3"))
    assert (
        d.task_figures(scope)["at_risk"]
        == recompute(mixed["program"], scope.period)["tasks"]["at_risk"]
    )
    assert not d.report_rows(scope, flag="expected").filter(consortium=late).exists()
    assert late.pk not in set(d.entry_rows(scope).values_list("report__consortium", flat=True))


def test_drill_downs_page_and_api_leave_out_a_pilot_approved_after_the_due_date(
    mixed, client, api_client, ministry_staff, consortium_lead
):
    client.force_login(ministry_staff)
    api_client.force_authenticate(ministry_staff)
    for code in ("2026-q1", "2026-q3"):
        for flag in ("expected", "overdue", "not_started"):
            with today_is():
                html = client.get(
                    reverse("dashboards:report-rows"),
                    {"period": code, "flag": flag},
                    HTTP_ACCEPT_LANGUAGE="en",
                ).content.decode()
                rows = api_client.get(
                    "/api/v1/dashboards/reports/", {"period": code, "flag": flag}
                ).json()["results"]
            assert LATE not in html
            assert LATE not in {r["consortium"]["name"] for r in rows}
    with today_is():
        rows = api_client.get(
            "/api/v1/dashboards/reports/", {"period": "2026-q3", "flag": "overdue"}
        ).json()["results"]
    assert [r["consortium"]["name"] for r in rows] == [BEIJING]
    # Denial twin: a consortium lead sees no dashboard figures at all.
    api_client.force_authenticate(consortium_lead)
    assert api_client.get("/api/v1/dashboards/overview/").status_code == 403
    client.force_login(consortium_lead)
    assert client.get(reverse("dashboards:overview")).status_code == 403


# --- "not yet due": no on-time rate before the due date ----------------------------------------


def test_before_its_due_date_a_period_has_no_on_time_rate_in_page_api_exports_and_pdf(
    mixed, client, api_client, ministry_staff, province_user
):
    api_client.force_authenticate(ministry_staff)
    with today_is():
        body = api_client.get("/api/v1/dashboards/overview/", {"period": "2026-q4"}).json()
    reports = body["figures"]["reports"]
    assert reports["on_time_rate"] is None
    assert reports["late"] is None
    assert reports["on_time_rate_status"] == "not_yet_due"
    assert reports["due"] is False
    assert all(row["reports"]["on_time_rate"] is None for row in body["provinces"])
    trend = {row["period"]["code"]: row["reports"] for row in body["trend"]}
    assert trend["2026-q4"]["on_time_rate"] is None
    assert trend["2026-q3"]["on_time_rate_status"] == "computed"
    # The OpenAPI schema documents the flag.
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    figures = schema["components"]["schemas"]["ReportFigures"]["properties"]
    assert "not_yet_due" in figures["on_time_rate_status"]["description"]
    assert figures["on_time_rate"]["nullable"] is True

    client.force_login(ministry_staff)
    with today_is():
        html = client.get(
            reverse("dashboards:overview"), {"period": "2026-q4"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    table = html[html.index('data-testid="table-provinces"') :]
    assert "尚未到期" in table[: table.index("</table>")]

    for lang, text in (("zh-hans", "尚未到期"), ("en", "Not yet due")):
        from django.utils import translation

        with today_is(), translation.override(lang):
            scope = d.scope_for(user=ministry_staff, params={"period": "2026-q4"})
            overview = read_csv(export_build(table="overview", scope=scope, fmt="csv")[0])
            values = {row[0]: row[2] for row in overview[1:]}
            assert values["reports.on_time_rate"] == text
            assert values["reports.late"] == text
            sheet = read_xlsx(export_build(table="provinces", scope=scope, fmt="xlsx")[0])
            column = sheet[0].index(str(translation.gettext("On-time rate (%)")))
            assert {row[column] for row in sheet[1:]} == {text}
            trend = read_csv(export_build(table="trend", scope=scope, fmt="csv")[0])
            column = trend[0].index(str(translation.gettext("On-time rate (%)")))
            assert trend[-1][0] == "2026-q4"
            assert trend[-1][column] == text
            assert trend[-2][column] == "50.0"  # Q3: due, one of two on time
    # The export through the page, for a province: its own rows, the rate not yet due.
    client.force_login(province_user)
    with today_is():
        response = client.get(
            reverse("dashboards:export", args=["overview"]),
            {"period": "2026-q4", "format": "csv"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    values = {row[0]: row[2] for row in read_csv(response.content)[1:]}
    assert values["reports.on_time_rate"] == "尚未到期"
    assert values["reports.expected"] == "2"  # Beijing's two pilots, the late one included

    with today_is():
        scope = d.scope_for(user=ministry_staff, params={"period": "2026-q4"})
        text = pdf_text(summary_pdf(scope=scope)).replace("\n", " ")
    assert "按时报送率 尚未到期" in text or "按时报送率尚未到期" in text.replace(" ", "")


def test_summary_pdf_of_a_due_period_leaves_out_the_pilot_approved_after_it(mixed, ministry_staff):
    with today_is():
        scope = d.scope_for(user=ministry_staff, params={"period": "2026-q3"})
        text = pdf_text(summary_pdf(scope=scope)).replace("\n", "")
    assert BEIJING in text
    assert GUANGDONG in text
    assert LATE not in text
    assert "50.0%" in text  # on time: one of the two expected reports


# --- reminders ---------------------------------------------------------------------------------


def test_no_reminder_for_a_period_the_pilot_is_not_expected_for(mixed):
    late = mixed["late"].consortium
    # The day after Q3's due date: Beijing's Q3 is overdue and reminded; the late pilot, approved
    # on the due date, is not reminded of Q3.
    reminders = reminders_due(today=dt.date(2026, 10, 16))
    q3 = {(r.consortium.name, r.kind) for r in reminders if r.period.code == "2026-q3"}
    assert (BEIJING, "overdue") in q3
    assert all(name != LATE for name, _kind in q3)
    # Fourteen days before Q4's due date it is reminded like every pilot (its report handed in:
    # none; so remove it and ask again).
    ProgressReport.objects.filter(consortium=late, period__code="2026-q4").delete()
    reminders = reminders_due(today=dt.date(2027, 1, 1))
    assert (LATE, "before_14") in {
        (r.consortium.name, r.kind) for r in reminders if r.period.code == "2026-q4"
    }


# --- homes and the reports page ----------------------------------------------------------------


def test_lead_home_lists_overdue_and_locked_reports_by_the_one_rule(mixed, client):
    lead = mixed["beijing"].lead  # the same lead contact for the three test pilots
    client.force_login(lead)
    with today_is(dt.date(2026, 10, 20)):  # Q3 due 10-15, entry open until 10-30
        html = client.get(reverse("portal:home-consortium"), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    panel = html[html.index('data-testid="reports-panel"') :]
    overdue = panel[panel.index('data-testid="overdue-reports"') :]
    overdue = overdue[: overdue.index("</table>")]
    assert "2026 Q3 progress report" in overdue
    assert BEIJING in overdue
    assert LATE not in overdue
    locked = panel[panel.index('data-testid="locked-reports"') :]
    locked = locked[: locked.index("</table>")]
    assert "2026 Q1 progress report" in locked
    assert GUANGDONG in locked  # returned, then locked
    assert LATE not in locked
    inbox = html[html.index('data-testid="inbox"') : html.index("</ul>", html.index("inbox"))]
    assert (
        "Write and submit the “2026 Q3 progress report” of “京津冀钢铁数据联合体（测试）”" in inbox
    )
    assert "Waiting since 2026-07-01" in inbox
    assert "Due date: 2026-10-15" in inbox
    assert LATE not in inbox

    with today_is():
        html = client.get(
            reverse("portal:home-consortium"), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    locked = html[html.index('data-testid="locked-reports"') :]
    locked = locked[: locked.index("</table>")]
    assert "2026年第三季度进展报告" in locked
    assert BEIJING in locked
    assert LATE not in locked


def test_waiting_lists_show_since_and_due_oldest_first(mixed, client, province_user):
    client.force_login(province_user)
    with today_is():
        html = client.get(
            reverse("portal:home-province"), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    inbox = html[html.index('data-testid="inbox"') :]
    inbox = inbox[: inbox.index("</ul>")]
    items = re.findall(r'data-testid="inbox-item">(.*?)</li>', inbox, re.S)
    submitted = [i for i in items if "Confirm the" in i]
    # Oldest first: Beijing's Q2 (submitted 07-20), the stray Q3 report (10-20), the late
    # pilot's Q4 (11-21); each with its period's due date.
    assert len(submitted) == 3
    assert "2026 Q2" in submitted[0]
    assert "Waiting since 2026-07-20" in submitted[0]
    assert "Due date: 2026-07-15" in submitted[0]
    assert LATE in submitted[2]
    assert "Waiting since 2026-11-21" in submitted[2]
    assert "Due date: 2027-01-15" in submitted[2]
    since = re.findall(r"Waiting since (\d{4}-\d\d-\d\d)", inbox)
    assert since == sorted(since)


def test_reports_page_says_not_required_and_starting_is_refused_in_page_and_api(
    mixed, client, api_client, province_user
):
    late = mixed["late"]
    consortium = late.consortium
    client.force_login(late.lead)
    with today_is():
        html = client.get(reverse("reporting:report-index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = html.content.decode()
    for code in ("2026-q1", "2026-q2"):
        assert f'data-testid="not-required-{consortium.pk}-{code}"' in html
        assert f'data-testid="open-{consortium.pk}-{code}"' not in html
    assert "无须报送：该联合体在本期截止日期当日或之后才获批成为先行先试单位。" in html
    assert f'data-testid="open-{consortium.pk}-2026-q4"' in html
    # Beijing's Q3 is expected and overdue.
    beijing = mixed["beijing"].consortium
    assert f'data-testid="overdue-{beijing.pk}-2026-q3"' in html

    q2 = period_of(mixed["program"], "2026-q2")
    with today_is(dt.date(2026, 7, 10)):  # Q2 open for entry; the pilot came later
        page = client.get(
            reverse("reporting:report-detail", args=[consortium.pk, "2026-q2"]),
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
        assert 'data-testid="start-report"' not in page
        assert 'data-testid="not-required"' in page
        response = client.post(
            reverse("reporting:report-start", args=[consortium.pk, "2026-q2"]),
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )
        assert "Not required: the consortium became a pilot on or after" in (
            response.content.decode()
        )
        api_client.force_authenticate(late.lead)
        answer = api_client.post(
            f"/api/v1/consortia/{consortium.pk}/reports/2026-q2/start/",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert answer.status_code == 400
        assert answer.json()["code"] == "not_expected"
        assert "无须报送" in answer.json()["detail"]
        with pytest.raises(ValidationError):
            services.report_start(actor=late.lead, consortium=consortium, period=q2)
    assert not ProgressReport.objects.filter(consortium=consortium, period=q2).exists()
    # Denial twin: the province cannot start a report at all (not the lead).
    with today_is(dt.date(2026, 7, 10)), pytest.raises(PermissionDenied):
        services.report_start(
            actor=province_user, consortium=beijing, period=period_of(mixed["program"], "2026-q4")
        )


def test_program_periods_of_the_demo_rule(db):
    """The seeded calendar: Q4 is the only period not yet due on 2026-12-02."""
    program = Program.objects.get(code="idfa-2026")
    due = [
        p.code
        for p in ReportingPeriod.objects.filter(program=program)
        if is_due(period=p, today=TODAY)
    ]
    assert due == ["2026-q1", "2026-q2", "2026-q3"]


def test_ministry_waiting_list_shows_since_confirmation_oldest_first(
    mixed, client, ministry_staff, consortium_member
):
    client.force_login(ministry_staff)
    with today_is():
        html = client.get(reverse("portal:home-ministry"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    inbox = html.content.decode()
    inbox = inbox[inbox.index('data-testid="inbox"') :]
    items = re.findall(r'data-testid="inbox-item">(.*?)</li>', inbox[: inbox.index("</ul>")], re.S)
    review = [i for i in items if "审核" in i or "Review" in i]
    assert len(review) == 2
    assert BEIJING in review[0]
    assert "自2026-04-11起待办" in review[0]
    assert "截止日期：2026-04-15" in review[0]
    assert GUANGDONG in review[1]
    assert "自2026-07-03起待办" in review[1]
    # Denial twin: a consortium member has no Ministry home.
    client.force_login(consortium_member)
    assert client.get(reverse("portal:home-ministry")).status_code == 403
