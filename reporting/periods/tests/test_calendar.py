"""The program's calendar is the one source of truth for dates: a change made in the admin moves
the reporting period with it, and every page, reminder and API call shows the same new date."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, translation

from portal.models import AuditEntry, Notification
from portal.tests.forms import program_form_data
from reporting.periods import services
from reporting.periods.models import ReportingPeriod
from reporting.periods.reminders import reminders_due
from tasks_catalog.models import CalendarEntry, Program

NEW_DUE = dt.date(2026, 7, 10)  # Q2 was due 2026-07-15


def _calendar_row(data: dict[str, str], code: str) -> str:
    """The inline prefix ("calendar-3") of the calendar row with this code."""
    for key, value in data.items():
        if key.startswith("calendar-") and key.endswith("-code") and value == code:
            return key.removesuffix("-code")
    raise AssertionError(f"no calendar row {code}")


def _day(value: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def _shows(html: str, day: dt.date) -> bool:
    """Whether a page shows the day, in any of the forms pages write dates in."""
    return day.isoformat() in html or _day(day, "zh-hans") in html or _day(day, "en") in html


@pytest.fixture
def admin_client(client, ministry_admin):
    client.force_login(ministry_admin)
    return client


def test_a_due_date_changed_in_the_admin_is_the_date_every_page_reminder_and_api_shows(
    admin_client, ministry_admin, pilot, api_client, client, on_date, settings
):
    program = pilot.consortium.program
    pilot.authority.language = "en"
    pilot.authority.save(update_fields=["language"])
    old = ReportingPeriod.objects.get(pk=pilot.q2.pk)
    url, data = program_form_data(admin_client, program)
    row = _calendar_row(data, "2026-q2")
    data[f"{row}-due_date"] = NEW_DUE.isoformat()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    period = ReportingPeriod.objects.get(pk=pilot.q2.pk)
    assert period.due_date == NEW_DUE
    assert period.locks_on == old.locks_on - dt.timedelta(days=5)  # the grace period stays
    assert period.opens_on == old.opens_on
    assert CalendarEntry.objects.get(program=program, code="2026-q2").due_date == NEW_DUE

    # Audited twice: the calendar (what the administrator changed) and the period (what follows).
    calendar_audit = AuditEntry.objects.get(action="calendar.change")
    assert calendar_audit.actor == ministry_admin
    assert calendar_audit.data["changes"]["due_date"] == ["2026-07-15", "2026-07-10"]
    period_audit = AuditEntry.objects.get(action="period.dates_change", object_id=str(period.pk))
    assert period_audit.data["changes"]["due_date"] == ["2026-07-15", "2026-07-10"]

    # Those affected are told, each in their own language.
    notes = {n.recipient_id: n for n in Notification.objects.filter(kind="period_dates")}
    assert set(notes) >= {pilot.lead.pk, pilot.authority.pk}
    assert notes[pilot.authority.pk].subject.startswith("Reporting dates changed")
    assert _day(NEW_DUE, "en") in notes[pilot.authority.pk].body
    assert notes[pilot.lead.pk].subject.startswith("报告期日期调整")
    assert _day(NEW_DUE, "zh-hans") in notes[pilot.lead.pk].body

    # Every reader shows the new date.
    with on_date("2026-07-01"):
        api_client.force_authenticate(pilot.lead)
        periods = api_client.get(reverse("api-periods")).json()
        rows = periods["results"] if isinstance(periods, dict) else periods
        assert {p["code"]: p["due_date"] for p in rows}["2026-q2"] == "2026-07-10"

        client.force_login(pilot.lead)
        for page in (
            reverse("portal:home-consortium"),
            reverse("reporting:report-index"),
            reverse("tasks_catalog:program-detail", args=[program.code]),
        ):
            html = client.get(page).content.decode()
            assert _shows(html, NEW_DUE), page
            assert not _shows(html, dt.date(2026, 7, 15)), page

    # Reminders follow: three days before is the 7th now, and the 12th is already overdue.
    def kinds(day):
        return {
            r.kind
            for r in reminders_due(today=day)
            if r.period == period and r.consortium == pilot.consortium
        }

    assert kinds(dt.date(2026, 7, 7)) == {"before_3"}
    assert kinds(dt.date(2026, 7, 12)) == {"overdue"}


def test_a_new_calendar_entry_makes_a_period_the_lead_can_report_for(
    admin_client, pilot, client, on_date
):
    program = pilot.consortium.program
    url, data = program_form_data(admin_client, program)
    total = int(data["calendar-TOTAL_FORMS"])
    row = f"calendar-{total}"
    data.update(
        {
            f"{row}-program": str(program.pk),
            f"{row}-code": "2027-q1",
            f"{row}-kind": "report",
            f"{row}-name_zh": "2027年第一季度",
            f"{row}-name_en": "Q1 2027",
            f"{row}-period_start": "2027-01-01",
            f"{row}-period_end": "2027-03-31",
            f"{row}-due_date": "2027-04-15",
            f"{row}-sort_order": "9",
            "calendar-TOTAL_FORMS": str(total + 1),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    period = ReportingPeriod.objects.get(program=program, code="2027-q1")
    assert (period.opens_on, period.due_date, period.locks_on) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 4, 15),
        dt.date(2027, 4, 30),
    )
    assert period.calendar_entry.code == "2027-q1"
    with on_date("2027-01-05"):
        report = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=period)
    assert report.period == period


def test_a_period_reports_belong_to_cannot_be_deleted_from_the_calendar(
    admin_client, pilot, on_date
):
    program = pilot.consortium.program
    with on_date("2026-04-01"):
        services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1)
    url, data = program_form_data(admin_client, program)
    data[f"{_calendar_row(data, '2026-q1')}-DELETE"] = "on"
    with translation.override("en"):
        response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "cannot be deleted from the calendar" in response.content.decode()
    assert CalendarEntry.objects.filter(program=program, code="2026-q1").exists()
    assert ReportingPeriod.objects.filter(pk=pilot.q1.pk).exists()
    assert not AuditEntry.objects.filter(action__in=["calendar.delete", "period.retire"]).exists()

    # A period nothing belongs to goes with its entry.
    url, data = program_form_data(admin_client, program)
    data[f"{_calendar_row(data, '2026-q4')}-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not ReportingPeriod.objects.filter(program=program, code="2026-q4").exists()
    assert AuditEntry.objects.filter(action="period.retire").count() == 1


def test_the_administrator_sets_when_entry_locks_and_the_pilots_are_told(
    admin_client, ministry_admin, pilot
):
    period = pilot.q1
    url = reverse("admin:reporting_reportingperiod_change", args=[period.pk])
    assert admin_client.get(url).status_code == 200
    new_lock = period.locks_on + dt.timedelta(days=10)
    response = admin_client.post(
        url, {"opens_on": period.opens_on.isoformat(), "locks_on": new_lock.isoformat()}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    period.refresh_from_db()
    assert period.locks_on == new_lock
    audit = AuditEntry.objects.get(action="period.dates_change")
    assert audit.actor == ministry_admin and list(audit.data["changes"]) == ["locks_on"]
    assert Notification.objects.filter(kind="period_dates", recipient=pilot.lead).exists()
    # The due date is the calendar's: not editable here.
    response = admin_client.post(
        url,
        {
            "opens_on": period.opens_on.isoformat(),
            "locks_on": new_lock.isoformat(),
            "due_date": "2026-04-01",
        },
    )
    period.refresh_from_db()
    assert period.due_date == dt.date(2026, 4, 15)


def test_only_the_ministry_administrator_changes_a_program_calendar_or_a_period(
    client, role_users, pilot
):
    program = Program.objects.get(code="idfa-2026")
    urls = [
        reverse("admin:tasks_catalog_program_change", args=[program.pk]),
        reverse("admin:reporting_reportingperiod_change", args=[pilot.q1.pk]),
    ]
    for role, user in role_users.items():
        if role == "ministry_admin":
            continue
        client.force_login(user)
        for url in urls:
            response = client.post(url, {"locks_on": "2026-12-31"})
            assert response.status_code == 302 and "/admin/login/" in response["Location"], role
    assert ReportingPeriod.objects.get(pk=pilot.q1.pk).locks_on == pilot.q1.locks_on
    assert not AuditEntry.objects.filter(action__startswith="period.").exists()
