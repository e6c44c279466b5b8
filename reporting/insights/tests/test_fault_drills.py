"""Fault drills (issue 14) on a Redis, Celery workers and a beat of the test's own (``drills.py``),
never the machine's: Redis stopped while reports are submitted, a worker killed in the middle
of a roll-up and a summary. The drill prints its recovery times (``-s``). CI runs them (REDIS_URL and a
PostgreSQL DATABASE_URL); the units behind them run everywhere (portal/tests/test_faults.py)."""

import os
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from reporting.conftest import make_pilot
from reporting.insights import dashboards as d
from reporting.insights.models import ConsortiumRollup, RollupRun, SummaryDocument
from reporting.insights.rollups import rollup_compute, rollup_request, rollup_status
from reporting.insights.summaries import summary_request
from reporting.insights.tests import drills
from reporting.insights.tests.test_rollups import assert_rollups_match_the_data, snapshot
from reporting.periods import services
from reporting.periods.models import ProgressReport

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs redis-server and a PostgreSQL test database (CI: REDIS_URL, DATABASE_URL)",
    ),
]

PERIOD = 2.0  # the sweeper's period in these drills, seconds (production: 60)


class Drill:
    def __init__(self, tmp_path) -> None:
        self.tmp = tmp_path
        self.redis = drills.OwnRedis()
        self.beat = drills.Beat()
        self.workers: list[drills.DrillWorker] = []

    def worker(self) -> drills.DrillWorker:
        w = drills.DrillWorker(redis_url=self.redis.url, database_url=_database_url(), tmp=self.tmp)
        self.workers.append(w)
        w.wait_ready()
        return w

    def mails_sent(self) -> int:
        return sum(m.count("Message-ID:") for w in self.workers for m in w.mails())


@pytest.fixture
def drill(settings, tmp_path, reference_data):
    """Own Redis, this process pointed at it, fast sweeper settings; workers started at will."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.JOB_SWEEP_SECONDS = settings.JOB_GRACE_SECONDS = settings.JOB_LEASE_SECONDS = PERIOD
    drill = Drill(tmp_path)
    drill.redis.start()
    with drills.celery_pointed_at(drill.redis.url, settings):
        try:
            yield drill
        finally:
            if drill.beat.is_alive():
                drill.beat.stop()
            for w in drill.workers:
                w.stop()
            drill.redis.stop()


def _database_url() -> str:
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


def _ready_reports(pilot, on_date):
    """Q1 and Q2 of the pilot answered, both ready to submit."""
    reports = []
    for code, day in (("2026-q1", "2026-04-10"), ("2026-q2", "2026-07-05")):
        period = pilot.q1 if code == "2026-q1" else pilot.q2
        with on_date(day):
            report = services.report_start(
                actor=pilot.lead, consortium=pilot.consortium, period=period
            )
            services.report_update(
                actor=pilot.lead,
                report=report,
                revision=report.revision,
                data={"summary": "按计划推进。"},
                entries={
                    e.task.number: {"status": "on_track", "percent": 40, "work_done": "推进中"}
                    for e in report.entries.select_related("task")
                },
            )
        report.refresh_from_db()
        reports.append(report)
    return reports


def test_redis_stopped_then_a_worker_killed_mid_job_nothing_is_lost_or_stuck_or_done_twice(
    drill, province_user, ministry_staff, on_date, client, api_client
):
    """One pilot, one Redis, two workers (starting each costs seconds): first Redis stops while
    reports are submitted, then the worker is killed in the middle of a roll-up and a summary."""
    pilot = make_pilot(province_user, ministry_staff)
    q1, q2 = _ready_reports(pilot, on_date)
    program = pilot.consortium.program
    first = drill.worker()
    runs_before = set(RollupRun.objects.values_list("pk", flat=True))

    # --- Redis stopped: the submissions answer at once, the dashboard renders -----------------
    drill.redis.stop()
    client.force_login(pilot.lead)
    started = time.monotonic()
    with on_date("2026-04-10"):
        page = client.post(
            reverse("reporting:report-submit", args=[pilot.consortium.pk, "2026-q1"]),
            {"revision": q1.revision},
        )
    page_seconds = time.monotonic() - started
    api_client.force_authenticate(pilot.lead)
    started = time.monotonic()
    with on_date("2026-07-05"):
        api = api_client.post(
            f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/submit/",
            {"revision": q2.revision, "summary": "二季度按计划推进。", "entries": {}},
            format="json",
        )
    api_seconds = time.monotonic() - started
    client.force_login(ministry_staff)
    started = time.monotonic()
    dashboard = client.get("/dashboards/")
    dashboard_seconds = time.monotonic() - started
    print(
        f"\nRedis down: page submit {page_seconds:.2f} s, API submit {api_seconds:.2f} s, "
        f"dashboard {dashboard_seconds:.2f} s"
    )
    assert (page.status_code, api.status_code, dashboard.status_code) == (302, 200, 200)
    assert page_seconds < 2
    assert api_seconds < 2
    reports = ProgressReport.objects.filter(pk__in=[q1.pk, q2.pk])
    assert set(reports.values_list("state", flat=True)) == {"submitted"}
    # The roll-up needs no Redis: each submission's increment was applied as it committed.
    assert not RollupRun.objects.exclude(pk__in=runs_before).exists()
    shown = ConsortiumRollup.objects.filter(
        consortium=pilot.consortium, period__in=[q1.period, q2.period]
    )
    assert set(shown.values_list("report_state", flat=True)) == {"submitted"}
    assert Notification.objects.filter(status="pending").count() >= 2  # the province's

    # --- Redis back: the sweeper sends the e-mails, each once --------------------------------
    drill.redis.start()
    back = time.monotonic()
    drill.beat.start()

    def caught_up() -> bool:
        return not Notification.objects.filter(status="pending").exists()

    drills.wait_for(caught_up, timeout=30, what="the e-mails after Redis is back")
    recovery = time.monotonic() - back
    print(f"Redis back: e-mails done {recovery:.1f} s later (sweeper: {PERIOD} s)")
    sent = Notification.objects.filter(status="sent").exclude(recipient__email="")
    assert drill.mails_sent() == sent.count()  # each e-mail exactly once
    assert recovery < 2 * PERIOD + 3  # two periods, and the worker's own reconnection

    # --- The worker killed in the middle of a roll-up and a summary --------------------------
    slow = drill.tmp / "slow"
    slow.touch()
    run = rollup_request(program_id=program.pk, reason="manual")
    document = summary_request(actor=ministry_staff, scope=d.Scope(program, pilot.q1))

    def both_running() -> bool:
        return (
            RollupRun.objects.get(pk=run.pk).status == "running"
            and SummaryDocument.objects.get(pk=document.pk).status == "running"
        )

    drills.wait_for(both_running, timeout=20, what="the roll-up and the summary start")
    first.kill()
    killed = time.monotonic()
    slow.unlink()
    drill.worker()
    ready, ready_at = time.monotonic(), timezone.now()
    shown_running_while_dead = []

    def finished() -> bool:
        # Shown running although its lease had run out before the status was asked (a lease
        # that runs out while the status is being read was alive when it was read).
        asked_at = timezone.now()
        active = rollup_status(program=program)["active"]
        if active is not None and active.pk == run.pk and active.status == "running":
            lease = RollupRun.objects.get(pk=run.pk).lease_expires_at
            if lease is not None and lease < asked_at:
                shown_running_while_dead.append(active.pk)
        return (
            RollupRun.objects.get(pk=run.pk).status == "done"
            and SummaryDocument.objects.get(pk=document.pk).status == "done"
        )

    drills.wait_for(finished, timeout=40, what="both jobs finish on the new worker")
    done = time.monotonic()
    run.refresh_from_db()
    document.refresh_from_db()
    restarted = (max(run.started_at, document.started_at) - ready_at).total_seconds()
    print(
        f"worker killed: a new worker was ready {ready - killed:.1f} s later; it restarted "
        f"both jobs within {restarted:.1f} s and finished them {done - ready:.1f} s after it "
        f"was ready (sweeper: {PERIOD} s, lease: {PERIOD} s)"
    )
    assert shown_running_while_dead == []
    assert restarted < 2 * PERIOD + 1  # within two sweeper periods (and the sending)
    assert (run.attempts, document.attempts) == (2, 2)
    assert document.sha256
    assert document.pages
    figures = snapshot(program)
    assert_rollups_match_the_data(program, today=timezone.localdate())
    rollup_compute(program=program, today=timezone.localdate())  # a clean run
    assert snapshot(program) == figures
