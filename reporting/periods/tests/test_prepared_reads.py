"""The report page's prepared reads (``portal.prepared``) give what the ORM reads they replace
gave: the report with its period, the previous report with its entries, the entries with their
tasks, categories and evidence, and the lock date a reopening moves."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.samples import blank_pdf
from portal.tests.test_prepared import fields, same_objects
from reporting.periods import services
from reporting.periods.comparison import (
    entries_with_tasks,
    previous_report,
    report_entries,
    report_with_period,
)
from reporting.periods.models import PeriodReopening, ProgressReport
from reporting.periods.selectors import period_lock_date
from reporting.periods.tests.test_report_form import q1_reported

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(pilot, on_date):
    q1, q2 = q1_reported(pilot, on_date)
    entry = q2.entries.select_related("task").order_by("task__number").first()
    with on_date("2026-07-02"):
        services.report_update(
            actor=pilot.lead,
            report=q2,
            revision=q2.revision,
            data={},
            entries={},
            uploads={
                entry.task.number: SimpleUploadedFile("佐证.pdf", blank_pdf(1), "application/pdf")
            },
        )
    return q1, q2


def test_the_report_with_its_period(pilot, reports, django_assert_num_queries):
    for report in reports:
        orm = list(
            ProgressReport.objects.select_related("period").filter(
                consortium=pilot.consortium,
                period__program=pilot.consortium.program_id,
                period__code=report.period.code,
            )
        )
        with django_assert_num_queries(1):
            prepared = report_with_period(
                consortium=pilot.consortium.pk,
                program=pilot.consortium.program_id,
                code=report.period.code,
            )
            same_objects([prepared], orm, related=("period",))
    missing = {"consortium": pilot.consortium.pk, "program": pilot.consortium.program_id}
    assert report_with_period(**missing, code="no-such-period") is None


def test_the_previous_report_with_its_entries(pilot, reports, django_assert_num_queries):
    q1, q2 = reports
    with django_assert_num_queries(2):  # the report with its period, then its entries
        previous = previous_report(consortium=pilot.consortium, period=q2.period)
    orm = (
        ProgressReport.objects.filter(
            consortium=pilot.consortium,
            period__program_id=q2.period.program_id,
            period__due_date__lt=q2.period.due_date,
        )
        .select_related("period")
        .order_by("-period__due_date")
        .first()
    )
    assert orm.pk == q1.pk
    same_objects([previous], [orm], related=("period",))
    with django_assert_num_queries(0):
        entries = list(previous.entries.all())
        assert {e.report is previous for e in entries} == {True}
    assert [fields(e) for e in entries] == [fields(e) for e in orm.entries.all()]
    assert previous_report(consortium=pilot.consortium, period=q1.period) is None


def test_the_entries_with_their_tasks_categories_and_evidence(reports, django_assert_num_queries):
    _q1, q2 = reports
    orm = list(q2.entries.select_related("task__category").prefetch_related("evidence"))
    assert sum(len(e.evidence.all()) for e in orm) == 1
    with django_assert_num_queries(2):  # the entries, then their evidence
        entries = report_entries(q2)
    with django_assert_num_queries(0):  # nothing more to read for the page
        same_objects(entries, orm, related=("task",))
        assert [fields(e.task.category) for e in entries] == [fields(e.task.category) for e in orm]
        assert [[fields(f) for f in e.evidence.all()] for e in entries] == [
            [fields(f) for f in e.evidence.all()] for e in orm
        ]
        assert {e.report is q2 for e in entries} == {True}
    with django_assert_num_queries(1):
        light = entries_with_tasks(q2)
    same_objects(light, list(q2.entries.select_related("task")), related=("task",))
    assert {e.report is q2 for e in light} == {True}


def test_the_lock_date_a_reopening_moves(pilot, reports, ministry_admin, on_date):
    q1, _q2 = reports
    assert period_lock_date(period=q1.period, consortium=pilot.consortium) == q1.period.locks_on
    later = q1.period.locks_on + dt.timedelta(days=30)
    with on_date(q1.period.locks_on.isoformat()):
        for locks_on in (later, later - dt.timedelta(days=10)):  # the latest counts
            services.period_reopen(
                actor=ministry_admin,
                consortium=pilot.consortium,
                period=q1.period,
                locks_on=locks_on,
                reason="补报",
            )
    assert PeriodReopening.objects.filter(period=q1.period).count() == 2
    assert period_lock_date(period=q1.period, consortium=pilot.consortium) == later
    assert period_lock_date(period=pilot.q2, consortium=pilot.consortium) == pilot.q2.locks_on


def test_the_reviews_history_waiting_list_and_panel_of_the_pages(
    pilot, reports, province_user, other_province_user, ministry_staff, on_date
):
    """The report page's reviews and history, the province home's waiting reports and consortia
    panel: the prepared reads equal the ORM reads they replace."""
    from django.contrib.contenttypes.models import ContentType

    from consortia.inbox import _panel_values, _province_panel_values
    from consortia.selectors import consortium_list_visible_to
    from portal.selectors import audit_list_for_object
    from reporting.periods.inbox import _province_waiting, _waiting
    from reporting.periods.selectors import report_list_visible_to, report_reviews
    from reporting.periods.views import _history_light
    from reporting.periods.workflows import ReportState

    q1, q2 = reports
    for report in (q1, q2):  # q1 submitted: waiting for the province
        orm = list(report_list_visible_to(user=province_user).filter(pk=report.pk))
        assert len(orm) == 1
    waiting = _province_waiting.all(authority=province_user.organisation_id)
    orm = list(_waiting(report_list_visible_to(user=province_user), ReportState.SUBMITTED))
    assert [r.pk for r in waiting] == [r.pk for r in orm] == [q1.pk]
    assert [(r.waiting_since, r.period.name, r.consortium.name) for r in waiting] == [
        (r.waiting_since, r.period.name, r.consortium.name) for r in orm
    ]
    assert _province_waiting.all(authority=other_province_user.organisation_id) == []

    with on_date("2026-04-12"):
        services.report_return(actor=province_user, report=q1, comment="请补充数据。")
    q1.refresh_from_db()
    orm = list(q1.reviews.select_related("reviewer"))
    assert len(orm) == 1
    same_objects(report_reviews(q1), orm, related=("reviewer",))
    assert {r.report is q1 for r in report_reviews(q1)} == {True}
    assert report_reviews(q2) == []

    for report in (q1, q2):
        light = _history_light.all(
            content_type=ContentType.objects.get_for_model(report).pk, object_id=str(report.pk)
        )
        orm = list(audit_list_for_object(obj=report).values_list("pk", "action", "actor_id")[:200])
        assert light == orm
        assert light

    for user in (province_user, other_province_user):
        assert _province_panel_values.all(authority=user.organisation_id) == list(
            _panel_values(consortium_list_visible_to(user=user))
        )
    assert len(_province_panel_values.all(authority=province_user.organisation_id)) == 1


def test_the_programs_every_home_and_dashboard_reads(pilot, django_assert_num_queries):
    """The active programs with their calendars (homes) and every program oldest first
    (dashboards): the prepared reads equal the ORM reads they replace."""
    from reporting.insights.dashboards import _programs
    from tasks_catalog.models import Program
    from tasks_catalog.selectors import _active_programs_with_calendar, program_list

    orm = list(program_list().prefetch_related(None).prefetch_related("calendar"))
    with django_assert_num_queries(2):  # the programs, then their calendars
        programs = _active_programs_with_calendar()
    assert orm
    same_objects(programs, orm)
    with django_assert_num_queries(0):
        assert [[fields(e) for e in p.calendar.all()] for p in programs] == [
            [fields(e) for e in p.calendar.all()] for p in orm
        ]
    same_objects(_programs.all(), list(Program.objects.order_by("start_date", "code")))
