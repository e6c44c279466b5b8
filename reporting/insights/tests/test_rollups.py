"""Roll-ups: every stored figure equals a direct count over the same data; runs are idempotent,
serialised, coalesced, and redone after a worker dies; a transition updates the figures."""

import datetime as dt
import threading
import time
from collections import Counter
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from consortia.models import Consortium, TaskSelection
from reporting.conftest import make_pilot
from reporting.insights.models import (
    ConsortiumRollup,
    DeliverableRollup,
    PlanRollup,
    RollupRun,
    SelectionRollup,
    TaskRollup,
)
from reporting.insights.rollups import (
    HANDED_IN,
    ROLLUP_MODELS,
    rollup_compute,
    rollup_execute,
    rollup_nightly,
    rollup_request,
)
from reporting.periods import services
from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress
from reporting.registry.services import deliverable_save
from reporting.tasks import rollup_run_task
from tasks_catalog.models import Program, ReferenceTask

TODAY = dt.date(2026, 11, 22)
STATUSES = ["on_track", "at_risk", "delayed", "completed", "not_started"]


def at(day: str, hour: int = 10):
    """Patch both clocks the services read: the date and the time."""
    moment = timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))

    class Both:
        def __enter__(self):
            self.patches = [
                mock.patch("django.utils.timezone.localdate", return_value=moment.date()),
                mock.patch("django.utils.timezone.now", return_value=moment),
            ]
            for p in self.patches:
                p.start()

        def __exit__(self, *exc):
            for p in self.patches:
                p.stop()

    return Both()


def write_report(pilot, code: str, day: str, *, offset: int = 0):
    period = ReportingPeriod.objects.get(program=pilot.consortium.program, code=code)
    with at(day):
        report = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=period)
        entries = {}
        for i, entry in enumerate(report.entries.select_related("task")):
            if (i + offset) % 7 == 6:
                entries[entry.task.number] = {"nothing_to_report": True}
                continue
            status = STATUSES[(i + offset) % len(STATUSES)]
            entries[entry.task.number] = {
                "status": status,
                "percent": None if (i + offset) % 5 == 4 else (i * 9 + offset) % 101,
                "work_done": "推进中",
            }
        services.report_update(
            actor=pilot.lead,
            report=report,
            revision=report.revision,
            entries=entries,
            data={"summary": "总体顺利"},
        )
        report.refresh_from_db()
    return report


def build(province_user, other_province_user, ministry_staff):
    """Two pilots in two provinces, reports in several states, on time and late, deliverables."""
    beijing = make_pilot(province_user, ministry_staff, name="京津冀钢铁数据联合体")
    guangdong = make_pilot(other_province_user, ministry_staff, name="粤港澳电子数据联合体")
    # Beijing: Q1 accepted (on time), Q2 submitted (late), Q3 draft.
    report = write_report(beijing, "2026-q1", "2026-04-10")
    with at("2026-04-10"):
        services.report_submit(actor=beijing.lead, report=report)
        services.report_confirm(actor=province_user, report=report)
    with at("2026-04-12"):
        services.report_accept(actor=ministry_staff, report=report)
    report = write_report(beijing, "2026-q2", "2026-07-20", offset=3)
    with at("2026-07-20"):
        services.report_submit(actor=beijing.lead, report=report)
    write_report(beijing, "2026-q3", "2026-10-12", offset=1)
    # Guangdong: Q1 returned (not handed in), Q2 confirmed on time.
    report = write_report(guangdong, "2026-q1", "2026-04-14", offset=2)
    with at("2026-04-14"):
        services.report_submit(actor=guangdong.lead, report=report)
        services.report_return(actor=other_province_user, report=report, comment="补充")
    report = write_report(guangdong, "2026-q2", "2026-07-01", offset=4)
    with at("2026-07-01"):
        services.report_submit(actor=guangdong.lead, report=report)
        services.report_confirm(actor=other_province_user, report=report)
    tasks = ReferenceTask.objects.filter(program=beijing.consortium.program, number__in=[12])
    for pilot, industry, openness in [
        (beijing, "steel", "open_source"),
        (guangdong, "electronic_components", "internal"),
        (guangdong, "electronic_components", "open_source"),
    ]:
        deliverable_save(
            actor=pilot.lead,
            consortium=pilot.consortium,
            kind="dataset",
            data={
                "name": f"{pilot.consortium.name}数据集{openness}",
                "period": pilot.q2,
                "tasks": tasks,
                "industry": industry,
                "stage": "production",
                "modality": "image",
                "records": 1000,
                "size_bytes": 2048,
                "openness": openness,
            },
        )
    deliverable_save(
        actor=beijing.lead,
        consortium=beijing.consortium,
        kind="standard",
        data={
            "name": "工业数据采集规范",
            "period": beijing.q1,
            "tasks": tasks,
            "level": "group",
            "stage": "drafting",
        },
    )
    return beijing.consortium.program


# --- the figures, counted directly from the data ----------------------------------------------


def direct_consortium_rows(program, today):
    periods = ReportingPeriod.objects.filter(program=program, opens_on__lte=today)
    pilots = Consortium.objects.filter(program=program, pilot_since__isnull=False)
    rows = set()
    for period in periods:
        # Expected: approved on a day before the period's due date.
        for c in (c for c in pilots if c.pilot_since < period.due_date):
            report = ProgressReport.objects.filter(consortium=c, period=period).first()
            handed_in = bool(report and report.state in HANDED_IN)
            entries = list(report.entries.all()) if handed_in else []
            live = [e for e in entries if not e.nothing_to_report]
            percents = [e.percent for e in live if e.percent is not None]
            rows.add(
                (
                    period.pk,
                    c.pk,
                    c.authority_id,
                    c.entity_type_id,
                    report.state if report else "",
                    handed_in,
                    handed_in
                    and timezone.localtime(report.first_submitted_at).date() <= period.due_date,
                    not handed_in and today > period.due_date,
                    TaskSelection.objects.filter(plan__consortium=c).count(),
                    *(sum(e.status == s for e in live) for s in STATUSES),
                    sum(e.nothing_to_report for e in entries),
                    sum(percents),
                    len(percents),
                )
            )
    return rows


def stored_consortium_rows(program):
    return set(
        ConsortiumRollup.objects.filter(program=program).values_list(
            "period_id",
            "consortium_id",
            "authority_id",
            "entity_type_id",
            "report_state",
            "handed_in",
            "on_time",
            "overdue",
            "selected",
            *STATUSES,
            "nothing_to_report",
            "percent_sum",
            "percent_count",
        )
    )


def direct_task_rows(program, today):
    counts = Counter()
    for e in TaskProgress.objects.filter(
        report__period__program=program,
        report__period__opens_on__lte=today,
        report__state__in=HANDED_IN,
        report__consortium__pilot_since__isnull=False,
    ).select_related("report__consortium", "report__period", "task"):
        if not e.report.consortium.pilot_since < e.report.period.due_date:
            continue  # not expected for that period: not counted
        key = (
            e.report.period_id,
            e.task_id,
            e.task.category_id,
            e.report.consortium.authority_id,
            e.report.consortium.entity_type_id,
        )
        counts[key + ("reported",)] += 1
        if e.nothing_to_report:
            counts[key + ("nothing_to_report",)] += 1
        else:
            counts[key + (e.status,)] += 1
            if e.percent is not None:
                counts[key + ("percent_sum",)] += e.percent
                counts[key + ("percent_count",)] += 1
    keys = {k[:5] for k in counts}
    fields = ["reported", *STATUSES, "nothing_to_report", "percent_sum", "percent_count"]
    return {k + tuple(counts[k + (f,)] for f in fields) for k in keys}


def stored_task_rows(program):
    return set(
        TaskRollup.objects.filter(program=program).values_list(
            "period_id",
            "task_id",
            "category_id",
            "authority_id",
            "entity_type_id",
            "reported",
            *STATUSES,
            "nothing_to_report",
            "percent_sum",
            "percent_count",
        )
    )


def assert_rollups_match_the_data(program, today=TODAY):
    assert stored_consortium_rows(program) == direct_consortium_rows(program, today)
    assert stored_task_rows(program) == direct_task_rows(program, today)
    selections = Counter(
        (
            s.task_id,
            s.task.category_id,
            s.plan.consortium.authority_id,
            s.plan.consortium.entity_type_id,
        )
        for s in TaskSelection.objects.filter(
            plan__consortium__program=program, plan__consortium__pilot_since__isnull=False
        ).select_related("task", "plan__consortium")
    )
    assert set(
        SelectionRollup.objects.filter(program=program).values_list(
            "task_id", "category_id", "authority_id", "entity_type_id", "selected"
        )
    ) == {(*k, n) for k, n in selections.items()}
    plans = Counter(
        (c.authority_id, c.entity_type_id, c.plan.state)
        for c in Consortium.objects.filter(program=program).select_related("plan")
    )
    assert set(
        PlanRollup.objects.filter(program=program).values_list(
            "authority_id", "entity_type_id", "state", "count"
        )
    ) == {(*k, n) for k, n in plans.items()}
    from reporting.registry.models import Dataset, Standard

    datasets = Counter()
    for d in Dataset.objects.filter(consortium__program=program).select_related("consortium"):
        key = (d.period_id, d.consortium.authority_id, d.industry, d.stage)
        datasets[key + ("count",)] += 1
        datasets[key + ("records",)] += d.records
        datasets[key + ("size_bytes",)] += d.size_bytes
        datasets[key + ("open_source",)] += d.openness == "open_source"
    keys = {k[:4] for k in datasets}
    assert set(
        DeliverableRollup.objects.filter(program=program, kind="dataset").values_list(
            "period_id",
            "authority_id",
            "industry",
            "stage",
            "count",
            "records",
            "size_bytes",
            "open_source",
        )
    ) == {
        k + tuple(datasets[k + (f,)] for f in ("count", "records", "size_bytes", "open_source"))
        for k in keys
    }
    standards = Counter(
        (s.period_id, s.consortium.authority_id, s.level, s.stage)
        for s in Standard.objects.filter(consortium__program=program).select_related("consortium")
    )
    assert set(
        DeliverableRollup.objects.filter(program=program, kind="standard").values_list(
            "period_id", "authority_id", "level", "stage", "count"
        )
    ) == {(*k, n) for k, n in standards.items()}


def snapshot(program):
    """Every roll-up row of the program, ids left out."""
    out = {}
    for model in ROLLUP_MODELS:
        names = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        out[model.__name__] = sorted(model.objects.filter(program=program).values_list(*names))
    return out


# --- tests -------------------------------------------------------------------------------------


@pytest.fixture
def program(province_user, other_province_user, ministry_staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build(province_user, other_province_user, ministry_staff)


def test_every_figure_equals_a_direct_count_over_the_same_data(program):
    rollup_compute(program=program, today=TODAY)
    assert_rollups_match_the_data(program)
    # The data covers what the figures distinguish: on time, late, overdue, not handed in.
    rows = ConsortiumRollup.objects.filter(program=program)
    assert rows.filter(on_time=True).count() == 2
    assert rows.filter(handed_in=True, on_time=False).count() == 1
    assert rows.filter(overdue=True).count() == 3  # Guangdong Q1 returned; Q3 (due 10-15) × 2
    assert rows.filter(period__code="2026-q4", overdue=False, report_state="").count() == 2


def test_one_pass_over_every_program_gives_the_rows_of_a_run_per_program(program):
    programs = list(Program.objects.order_by("pk"))
    assert len(programs) > 1
    for each in programs:
        rollup_compute(program=each, today=TODAY)
    separately = {p.pk: snapshot(p) for p in programs}
    rollup_compute(programs=programs, today=TODAY)
    assert {p.pk: snapshot(p) for p in programs} == separately


def test_running_twice_leaves_identical_rows(program):
    rollup_compute(program=program, today=TODAY)
    first = snapshot(program)
    rollup_compute(program=program, today=TODAY)
    assert snapshot(program) == first
    assert sum(len(rows) for rows in first.values()) > 0


def test_a_run_after_a_change_reflects_it(program, ministry_staff):
    rollup_compute(program=program, today=TODAY)
    report = ProgressReport.objects.get(
        consortium__name="粤港澳电子数据联合体", period__code="2026-q2"
    )
    with at("2026-07-25"):
        services.report_accept(actor=ministry_staff, report=report)
    rollup_compute(program=program, today=TODAY)
    assert_rollups_match_the_data(program)
    assert (
        ConsortiumRollup.objects.get(
            consortium=report.consortium, period=report.period
        ).report_state
        == "accepted"
    )


def test_a_burst_of_requests_leaves_one_waiting_run(program):
    RollupRun.objects.all().delete()
    runs = [rollup_request(program_id=program.pk, reason="report.submit") for _ in range(5)]
    assert len({r.pk for r in runs}) == 1
    assert RollupRun.objects.filter(program=program, status="pending").count() == 1


def test_a_request_racing_a_worker_that_took_the_waiting_run_is_covered_by_that_run(program):
    """Between this request's look and its insert, another process asked for a run and a worker
    started it (no longer pending): the request returns that run instead of failing after the
    commit of the change that asked (a submission then answered an error although it was saved)."""
    from django.db import IntegrityError

    RollupRun.objects.all().delete()
    other = RollupRun.objects.create(program=program, reason="report.submit", status="running")

    def collide(**kwargs):  # the other run was still pending at our insert
        raise IntegrityError("rolluprun_one_pending_per_program")

    with mock.patch.object(RollupRun.objects, "create", side_effect=collide):
        run = rollup_request(program_id=program.pk, reason="plan.submit")
    assert run.pk == other.pk


def test_a_transition_updates_the_figures_when_it_commits_without_a_run(
    program, ministry_staff, django_capture_on_commit_callbacks
):
    RollupRun.objects.all().delete()
    # The fixture's transitions ran inside this test's transaction, which never commits: their
    # requests are still queued on the connection. Forget them; this test watches one commit.
    connection.run_on_commit.clear()
    report = ProgressReport.objects.get(
        consortium__name="粤港澳电子数据联合体", period__code="2026-q2"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(actor=ministry_staff, report=report)
    assert not RollupRun.objects.exists()  # the increment (test_rollup_increments.py)
    assert (
        ConsortiumRollup.objects.get(
            consortium=report.consortium, period=report.period
        ).report_state
        == "accepted"
    )


def test_a_run_left_running_by_a_dead_worker_is_redone(program):
    RollupRun.objects.all().delete()
    stuck = RollupRun.objects.create(program=program, reason="report.submit", status="running")
    RollupRun.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=2), attempts=1
    )
    # The broker delivers the task again (acks_late): the run is computed again.
    run = rollup_execute(run_id=stuck.pk, today=TODAY)
    assert (run.status, run.attempts) == ("done", 2)
    assert_rollups_match_the_data(program)
    # Or, its message lost: the nightly run over every program covers the runs left waiting.
    lost = RollupRun.objects.create(program=program, reason="report.submit")
    fresh = rollup_nightly(today=TODAY)
    assert [r.program_id for r in fresh] == [None]  # one run over every active program
    rollup_execute(run_id=fresh[0].pk, today=TODAY)
    assert_rollups_match_the_data(program)
    lost.refresh_from_db()
    fresh[0].refresh_from_db()
    assert (lost.status, lost.finished_at) == ("done", fresh[0].finished_at)
    # A run asked for after the nightly one started is not covered: it still waits.
    later = RollupRun.objects.create(program=program, reason="report.submit")
    RollupRun.objects.filter(pk=later.pk).update(
        requested_at=timezone.now() + dt.timedelta(minutes=1)
    )
    rollup_execute(run_id=rollup_nightly(today=TODAY)[0].pk, today=TODAY)
    assert RollupRun.objects.get(pk=later.pk).status == "pending"


def test_a_failed_run_keeps_the_previous_figures_and_records_the_error(program):
    rollup_compute(program=program, today=TODAY)
    before = snapshot(program)
    run = RollupRun.objects.create(program=program, reason="manual")
    with (
        mock.patch("reporting.insights.rollups._plan_rows", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        rollup_execute(run_id=run.pk, today=TODAY)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "disk full" in run.error
    assert snapshot(program) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_leave_the_same_rows_as_one(
    reference_data, province_user, other_province_user, ministry_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    program = build(province_user, other_province_user, ministry_staff)
    rollup_compute(program=program, today=TODAY)
    expected = snapshot(program)
    errors = []

    def run():
        try:
            rollup_compute(program=program, today=TODAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert snapshot(program) == expected
    assert_rollups_match_the_data(program)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_run_in_two_halves_at_once_writes_the_rows_and_a_failed_half_fails_the_run(
    reference_data, province_user, other_province_user, ministry_staff, settings, tmp_path
):
    """Outside a transaction on PostgreSQL a run computes the consortium and deliverable rows
    on a second connection while the others are computed: the same rows as the data; a failure
    there fails the run, and the first half's tables keep their rows."""
    from reporting.insights import rollups

    settings.MEDIA_ROOT = str(tmp_path / "media")
    program = build(province_user, other_province_user, ministry_staff)
    for model in rollups.ROLLUP_MODELS:
        model.objects.all().delete()
    threads = []
    real = rollups._write_tables

    def noting(ids, tables, changed):
        threads.append((threading.current_thread().name, {m.__name__ for m in tables}))
        return real(ids, tables, changed)

    with mock.patch.object(rollups, "_write_tables", noting):
        assert rollup_compute(program=program, today=TODAY) > 0
    assert dict(threads) == {
        "MainThread": {"TaskRollup", "SelectionRollup", "PlanRollup"},
        "rollup-second-half": {"ConsortiumRollup", "DeliverableRollup"},
    }
    assert_rollups_match_the_data(program)

    before = snapshot(program)
    TaskRollup.objects.filter(program=program).delete()  # the first half would write them back
    with (
        mock.patch.object(rollups, "_deliverable_rows", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError, match="disk full"),
    ):
        rollup_compute(program=program, today=TODAY)
    # The first half rolled back (no task rows written again), the second left its rows.
    assert snapshot(program) == {**before, "TaskRollup": []}


@pytest.mark.worker
def test_the_roll_up_on_a_real_worker_matches_direct_counts(
    real_worker, province_user, other_province_user, ministry_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    program = build(province_user, other_province_user, ministry_staff)
    # The transitions above already asked the worker for runs; ask once more and wait.
    deadline = time.monotonic() + 60
    while RollupRun.objects.filter(status__in=["pending", "running"]).exists():
        assert time.monotonic() < deadline, "the worker did not finish the requested runs"
        time.sleep(0.3)
    runs = [
        rollup_run_task.delay(
            RollupRun.objects.create(program=program, reason="manual").pk, TODAY.isoformat()
        )
    ]
    second = RollupRun.objects.create(program=program, reason="nightly", status="running")
    runs.append(rollup_run_task.delay(second.pk, TODAY.isoformat()))
    assert all(r.get(timeout=60) > 0 for r in runs)
    assert set(RollupRun.objects.filter(program=program).values_list("status", flat=True)) == {
        "done"
    }
    assert_rollups_match_the_data(program)
    assert Program.objects.filter(pk=program.pk).exists()


def test_a_pilot_approved_after_a_due_date_is_neither_expected_nor_overdue_for_that_period(
    program, province_user, ministry_staff
):
    # Approved on 2026-10-15, Q3's due date itself: expected only for Q4 (due 2027-01-15).
    late = make_pilot(
        province_user, ministry_staff, name="京冀晚批数据联合体", approved_on=dt.date(2026, 10, 15)
    ).consortium
    # A Q2 report written outside the portal's rules (e.g. imported) is not counted either.
    legacy = ProgressReport.objects.create(
        consortium=late,
        period=ReportingPeriod.objects.get(program=program, code="2026-q2"),
        state="accepted",
        first_submitted_at=dt.datetime(2026, 7, 1, 9, tzinfo=timezone.get_current_timezone()),
    )
    TaskProgress.objects.create(
        report=legacy, task=late.plan.selections.first().task, status="at_risk"
    )
    rollup_compute(program=program, today=TODAY)
    assert_rollups_match_the_data(program)
    rows = ConsortiumRollup.objects.filter(consortium=late)
    assert list(rows.values_list("period__code", "overdue")) == [("2026-q4", False)]
    # The two pilots approved in March are still expected and overdue for Q3.
    assert ConsortiumRollup.objects.filter(period__code="2026-q3", overdue=True).count() == 2
