"""Incremental roll-ups: a change computes again only its consortium's rows and its groups', when
it commits; after any sequence of changes the rows are those a full run writes, without a run."""

import datetime as dt
import random
import threading
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from consortia.services.consortia import consortium_update
from portal.models import User
from portal.tests.factories import UserFactory
from reporting.conftest import make_pilot
from reporting.insights import rollups
from reporting.insights.models import (
    ConsortiumRollup,
    PlanRollup,
    RollupRun,
    RollupState,
    TaskRollup,
)
from reporting.insights.rollups import (
    Change,
    rollup_apply,
    rollup_compute,
    rollup_status,
    rollup_version,
)
from reporting.insights.tests.test_rollups import (
    TODAY,
    assert_rollups_match_the_data,
    at,
    build,
    snapshot,
    write_report,
)
from reporting.periods import services
from reporting.periods.models import ProgressReport
from reporting.periods.permissions import is_lead_of
from reporting.registry.models import Dataset
from reporting.registry.services import deliverable_delete, deliverable_save
from tasks_catalog.models import EntityType

pytestmark = pytest.mark.django_db

# Provinces whose authority recommends one more pilot during the sequence.
NEW_PROVINCES = ["310000", "320000", "330000"]


def lead_of(consortium):
    return next(
        user
        for user in User.objects.filter(role="consortium_lead").order_by("-pk")
        if is_lead_of(user, consortium)
    )


def full_run_rows(program) -> dict:
    """The rows a full run writes now, computed in a savepoint rolled back (the increments'
    rows stay as they were)."""
    with transaction.atomic():
        rollup_compute(program=program, today=TODAY)
        rows = snapshot(program)
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` the changes inside commit (their on-commit callbacks run), on
    TODAY as the increments see it."""

    def block():
        connection.run_on_commit.clear()  # the fixtures' own, which never commit
        today = mock.patch("django.utils.timezone.localdate", return_value=TODAY)

        class Both:
            def __enter__(self):
                today.start()
                self.capture = django_capture_on_commit_callbacks(execute=True)
                self.capture.__enter__()

            def __exit__(self, *exc):
                try:
                    self.capture.__exit__(*exc)
                finally:
                    today.stop()
                    # The capture runs the callbacks but leaves them queued on the connection
                    # (the test's transaction never commits): as after a commit, none remains.
                    connection.run_on_commit.clear()

        return Both()

    return block


@pytest.fixture
def world(province_user, other_province_user, ministry_staff, settings, tmp_path, committed):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    RollupRun.objects.all().delete()
    with committed():
        program = build(province_user, other_province_user, ministry_staff)
    return program


def test_the_increments_of_the_build_leave_the_rows_of_a_full_run_and_no_run(world):
    assert RollupRun.objects.count() == 0  # no run was asked for: every change was applied
    rows = snapshot(world)
    assert sum(len(r) for r in rows.values()) > 0
    assert rows == full_run_rows(world)
    assert_rollups_match_the_data(world)


def test_a_random_sequence_of_changes_leaves_the_rows_of_a_full_run(
    world, committed, ministry_staff, province_user, other_province_user
):
    rng = random.Random(2026)  # noqa: S311 (a repeatable sequence, not a secret)
    authority_of = {"110000": province_user, "440000": other_province_user}
    new_provinces = list(NEW_PROVINCES)
    program = world

    def pilots():
        out = []
        for consortium in program.consortia.filter(pilot_since__isnull=False):
            out.append((consortium, lead_of(consortium), authority_of[consortium.authority.code]))
        return out

    def step_write():
        consortium, lead, _authority = rng.choice(pilots())
        started = set(consortium.reports.values_list("period__code", flat=True))
        free = [c for c in ("2026-q1", "2026-q2", "2026-q3", "2026-q4") if c not in started]
        if not free:
            return "nothing to write"
        pilot = type("P", (), {"consortium": consortium, "lead": lead})
        try:
            write_report(pilot, rng.choice(free), "2026-11-20", offset=rng.randrange(7))
        except ValidationError:  # that period's entry has closed
            return "closed"
        return "write"

    def reports_in(*states):
        return list(
            ProgressReport.objects.filter(
                consortium__program=program, state__in=states
            ).select_related("consortium__authority")
        )

    def step_transition():
        choices = []
        for report in reports_in("draft", "returned"):
            choices.append(("submit", report))
        for report in reports_in("submitted"):
            choices += [("confirm", report), ("return", report)]
        for report in reports_in("confirmed"):
            choices.append(("accept", report))
        if not choices:
            return "no transition"
        action, report = rng.choice(choices)
        authority = authority_of[report.consortium.authority.code]
        lead = lead_of(report.consortium)
        with at("2026-11-20"):
            if action == "submit":
                try:
                    services.report_submit(actor=lead, report=report)
                except PermissionDenied:  # that period's entry has closed
                    return "closed"
            elif action == "confirm":
                services.report_confirm(actor=authority, report=report)
            elif action == "return":
                services.report_return(actor=authority, report=report, comment="请补充。")
            else:
                services.report_accept(actor=ministry_staff, report=report)
        return action

    def step_deliverable():
        consortium, lead, _authority = rng.choice(pilots())
        existing = list(Dataset.objects.filter(consortium=consortium))
        if existing and rng.random() < 0.4:
            deliverable_delete(actor=lead, instance=rng.choice(existing))
            return "deliverable.delete"
        period = consortium.program.periods.get(code=rng.choice(["2026-q1", "2026-q2"]))
        deliverable_save(
            actor=lead,
            consortium=consortium,
            kind="dataset",
            data={
                "name": f"数据集{rng.randrange(10**6)}",
                "period": period,
                "tasks": list(consortium.program.tasks.filter(number__in=[12])),
                "industry": rng.choice(["steel", "electronic_components"]),
                "stage": "production",
                "modality": "image",
                "records": rng.randrange(1, 5000),
                "size_bytes": rng.randrange(1, 10**7),
                "openness": rng.choice(["open_source", "internal"]),
            },
        )
        return "deliverable.save"

    def step_pilot():
        if not new_provinces:
            return "no province left"
        code = new_provinces.pop(0)
        authority = UserFactory(role="provincial_authority", organisation_code=code)
        authority_of[code] = authority
        make_pilot(authority, ministry_staff, name=f"新增{code}数据联合体")
        return "plan.approve"

    steps = [step_write] * 3 + [step_transition] * 5 + [step_deliverable] * 2 + [step_pilot]
    done = []
    for i in range(40):
        with committed():
            done.append(rng.choice(steps)())
        if i % 10 == 9:  # drift would show here, not only at the end
            assert snapshot(program) == full_run_rows(program), done
    assert {"write", "submit", "confirm", "return", "accept", "plan.approve"} <= set(done)
    assert {"deliverable.save", "deliverable.delete"} <= set(done)
    assert RollupRun.objects.count() == 0
    assert snapshot(program) == full_run_rows(program)
    assert_rollups_match_the_data(program)


def test_a_report_transition_touches_its_consortium_and_its_group_only(
    world, committed, ministry_staff
):
    report = ProgressReport.objects.get(
        consortium__name="粤港澳电子数据联合体", period__code="2026-q2"
    )
    version = rollup_version(world.pk)
    beijing = set(ConsortiumRollup.objects.exclude(consortium=report.consortium).values_list())
    other_groups = set(
        TaskRollup.objects.exclude(
            period=report.period, authority=report.consortium.authority_id
        ).values_list()
    )
    own_group = TaskRollup.objects.filter(
        period=report.period, authority=report.consortium.authority_id
    )
    own_group_before = set(own_group.values_list())
    row_id = ConsortiumRollup.objects.get(consortium=report.consortium, period=report.period).pk
    with committed(), at("2026-07-25"):
        services.report_accept(actor=ministry_staff, report=report)
    assert rollup_version(world.pk) != version  # cached figures are keyed on it
    row = ConsortiumRollup.objects.get(consortium=report.consortium, period=report.period)
    assert row.report_state == "accepted"
    if connection.vendor == "postgresql":
        # Only rows whose figures differ are written: the consortium's row is updated in place,
        # and an acceptance changes no task figure (accepted counts as handed in, as confirmed).
        assert row.pk == row_id
        assert set(own_group.values_list()) == own_group_before
    # Rows of other consortia and other groups were not rewritten (same ids, same values).
    assert set(ConsortiumRollup.objects.exclude(consortium=report.consortium).values_list()) == (
        beijing
    )
    assert (
        set(
            TaskRollup.objects.exclude(
                period=report.period, authority=report.consortium.authority_id
            ).values_list()
        )
        == other_groups
    )
    status = rollup_status(program=world)
    assert status["last"] is None  # no run
    assert status["changed_at"] == RollupState.objects.get(program=world).changed_at


def test_changing_the_entity_type_asks_for_a_run_of_the_program(
    world, committed, province_user, ministry_staff
):
    from consortia.tests.conftest import make_ready_plan

    with committed():
        plan = make_ready_plan(province_user, world, name="京津冀新增数据联合体")
    other = EntityType.objects.filter(program=world).exclude(pk=plan.consortium.entity_type_id)
    with committed():
        consortium_update(
            actor=province_user,
            consortium=plan.consortium,
            data={"entity_type": other.first()},
            revision=plan.revision,
        )
    run = RollupRun.objects.get()
    assert (run.reason, run.status) == ("consortium.update", "done")
    assert snapshot(world) == full_run_rows(world)


def test_a_failed_increment_asks_for_a_run_and_the_action_stands(world, committed, ministry_staff):
    report = ProgressReport.objects.get(
        consortium__name="粤港澳电子数据联合体", period__code="2026-q2"
    )
    real = rollups._emit
    failures = iter([RuntimeError("disk full")])

    def fails_once(*args, **kwargs):  # the increment fails; the run asked for instead works
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real(*args, **kwargs)

    with (
        mock.patch("reporting.insights.rollups._emit", side_effect=fails_once),
        committed(),
        at("2026-07-25"),
    ):
        services.report_accept(actor=ministry_staff, report=report)
    report.refresh_from_db()
    assert report.state == "accepted"
    run = RollupRun.objects.get()
    assert (run.reason, run.status) == ("report.accept (retry)", "done")
    assert snapshot(world) == full_run_rows(world)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_increments_and_a_run_at_once_leave_the_rows_of_one_run(
    reference_data, province_user, other_province_user, ministry_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        program = build(province_user, other_province_user, ministry_staff)
        rollup_compute(program=program, today=TODAY)
    consortia = list(program.consortia.values_list("pk", flat=True))
    errors = []

    def work(job):
        try:
            job()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    jobs = [
        lambda pk=pk: rollup_apply(
            Change(pk, program.pk, "report.submit", None, {"consortium", "task", "plan"}),
            today=TODAY,
        )
        for pk in consortia * 3
    ] + [lambda: rollup_compute(program=program, today=TODAY)]
    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with transaction.atomic():
        assert snapshot(program) == full_run_rows(program)
    assert_rollups_match_the_data(program)
    assert dt.date(2026, 11, 22) == TODAY


def test_a_run_puts_drifted_rows_right_and_leaves_the_right_ones_unwritten(world, caplog):
    """The nightly run as the safety net: rows the increments got wrong (changed, lost or left
    over) are put right; on PostgreSQL it writes those rows only and says what it corrected."""
    right = snapshot(world)
    task_row = TaskRollup.objects.filter(program=world).order_by("pk").first()
    TaskRollup.objects.filter(pk=task_row.pk).update(completed=task_row.completed + 5)
    lost = ConsortiumRollup.objects.filter(program=world).order_by("pk").first()
    ConsortiumRollup.objects.filter(pk=lost.pk).delete()
    plan_row = PlanRollup.objects.filter(program=world).order_by("pk").first()
    PlanRollup.objects.create(
        program=world,
        authority_id=plan_row.authority_id,
        entity_type_id=plan_row.entity_type_id,
        state="left_over",
        count=7,
    )
    untouched = set(TaskRollup.objects.filter(program=world).values_list("pk", flat=True))
    assert snapshot(world) != right
    with caplog.at_level("INFO", logger="reporting.insights.rollups"):
        rollup_compute(program=world, today=TODAY)
    assert snapshot(world) == right
    if connection.vendor == "postgresql":
        # Row by row: the right rows kept their ids (not rewritten); the corrections are told.
        assert set(TaskRollup.objects.filter(program=world).values_list("pk", flat=True)) == (
            untouched
        )
        told = [r.getMessage() for r in caplog.records if "corrected" in r.getMessage()]
        assert len(told) == 1
        for table, counts in (
            ("taskrollup", [1, 0, 0]),
            ("consortiumrollup", [0, 0, 1]),
            ("planrollup", [0, 1, 0]),
        ):
            assert f"'{table}': {counts}" in told[0]
        caplog.clear()
        with caplog.at_level("INFO", logger="reporting.insights.rollups"):
            rollup_compute(program=world, today=TODAY)  # nothing drifted: nothing to tell
        assert not [r for r in caplog.records if "corrected" in r.getMessage()]
