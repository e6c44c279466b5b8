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
