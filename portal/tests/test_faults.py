"""Fault tolerance without a real Redis or worker (SQLite, eager Celery): the sweeper, leases,
dispatch that never fails the request, the cache as a miss, liveness and readiness, JSON 500s.
The drills with a Redis and a worker of their own: reporting/insights/tests/test_fault_drills.py."""

import datetime as dt
import json
import logging
import time
from unittest import mock

import pytest
from celery import shared_task
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.test import Client
from django.utils import timezone, translation

from portal import jobs
from portal.health import heartbeat_stamp
from portal.jobs import (
    GAVE_UP,
    INTERRUPTED,
    SUPERSEDED,
    JobKind,
    JobOutput,
    JobStatus,
    dispatch,
    job_display_status,
    job_request,
    job_run,
    jobs_sweep,
)
from portal.models import Heartbeat, Notification
from portal.notifications import notification_queue, notification_redispatch_stale
from portal.tasks import jobs_sweep_task
from reporting.closing.models import ClosingDocument
from reporting.insights.models import RollupRun
from reporting.insights.rollups import rollup_status
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db

TASK = "portal.tests.test_faults.record"
sent: list[tuple] = []


@shared_task(name=TASK)
def record(*args) -> None:
    sent.append(args)


@pytest.fixture(autouse=True)
def _recorded_kinds(monkeypatch):
    """The sweeper sees the roll-up runs and closing documents, sent to ``record``."""
    sent.clear()
    monkeypatch.setattr(
        jobs,
        "_kinds",
        {"r": JobKind(RollupRun, TASK), "c": JobKind(ClosingDocument, TASK)},
    )
    monkeypatch.setitem(jobs._broker, "down_until", 0.0)


class RedisDown:
    """Celery sends to a broker that refuses every message (as with Redis stopped)."""

    def __init__(self) -> None:
        self.send = mock.Mock(side_effect=OSError("Error 111 connecting to redis:6379"))
        self.patch = mock.patch("celery.app.task.Task.apply_async", self.send)
        self.eager = jobs.current_app.conf.task_always_eager

    def start(self) -> None:
        self.patch.start()
        jobs.current_app.conf.task_always_eager = False

    def stop(self) -> None:
        jobs.current_app.conf.task_always_eager = self.eager
        self.patch.stop()
        jobs._broker["down_until"] = 0.0


@pytest.fixture
def redis_down():
    down = RedisDown()
    down.start()
    yield down
    if jobs.current_app.conf.task_always_eager != down.eager:
        down.stop()


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def run(**fields) -> RollupRun:
    job = RollupRun.objects.create(reason="test", **fields)
    RollupRun.objects.filter(pk=job.pk).update(**fields)  # auto fields too
    job.refresh_from_db()
    return job


def test_the_sweeper_sends_again_only_jobs_waiting_past_their_grace_period(settings):
    lost = run(lease_expires_at=ago(5))
    fresh = run(program=Program.objects.first(), lease_expires_at=ago(-60))
    jobs_sweep()
    assert sent == [(lost.pk,)]
    lost.refresh_from_db()
    assert lost.status == JobStatus.PENDING
    assert lost.lease_expires_at > timezone.now()  # one more grace period before the next try
    jobs_sweep()
    assert sent == [(lost.pk,)]  # not again within the grace period
    assert RollupRun.objects.get(pk=fresh.pk).status == JobStatus.PENDING


def test_a_running_job_whose_lease_expired_is_started_again_then_failed_with_a_retry(settings):
    settings.JOB_MAX_ATTEMPTS = 2
    busy = run(status=JobStatus.RUNNING, attempts=1, lease_expires_at=ago(-60))
    dead = run(program=Program.objects.first(), status=JobStatus.RUNNING, attempts=1)
    RollupRun.objects.filter(pk=dead.pk).update(lease_expires_at=ago(1))
    jobs_sweep()
    dead.refresh_from_db()
    assert (dead.status, dead.error, sent) == (JobStatus.PENDING, INTERRUPTED, [(dead.pk,)])
    assert RollupRun.objects.get(pk=busy.pk).status == JobStatus.RUNNING
    # Its second worker dies too: failed, with the reason; "Refresh figures" asks again.
    RollupRun.objects.filter(pk=dead.pk).update(
        status=JobStatus.RUNNING, attempts=2, lease_expires_at=ago(1)
    )
    jobs_sweep()
    dead.refresh_from_db()
    assert (dead.status, dead.error) == (JobStatus.FAILED, GAVE_UP)
    with translation.override("zh-hans"):
        assert "重新" in dead.shown_error
    assert dead.finished_at
    assert len(sent) == 1


def test_a_dead_run_is_failed_when_another_run_of_its_program_waits_already():
    program = Program.objects.first()
    waiting = run(program=program, lease_expires_at=ago(-60))
    dead = run(program=program, status=JobStatus.RUNNING, attempts=1, lease_expires_at=ago(1))
    jobs_sweep()
    dead.refresh_from_db()
    assert (dead.status, dead.error) == (JobStatus.FAILED, SUPERSEDED)
    assert RollupRun.objects.get(pk=waiting.pk).status == JobStatus.PENDING
    assert sent == []


def test_an_idle_sweep_is_one_query_per_kind_and_one_for_the_e_mails(
    django_assert_num_queries,
):
    run(status=JobStatus.DONE)
    with django_assert_num_queries(3):
        jobs_sweep()
        notification_redispatch_stale()


def test_the_sweep_task_stamps_its_heartbeat():
    assert jobs_sweep_task.delay().get()["notifications"] == {"redispatched": 0}
    assert Heartbeat.objects.get(name="sweeper").seen_at > ago(5)


def test_a_worker_that_cannot_record_its_failure_leaves_the_job_to_the_sweeper(settings):
    """The database is down when the work fails: the job keeps "running" only until its lease
    runs out; the sweeper then starts it again, and it ends done (or failed, after the
    attempts), never stuck."""
    job = run()

    def broken(job):
        raise OperationalError("connection to server lost")

    with (
        mock.patch.object(jobs, "_fail", side_effect=OperationalError("server closed")),
        pytest.raises(OperationalError),
    ):
        job_run(RollupRun.objects.all(), job.pk, broken)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job_display_status(job) == JobStatus.RUNNING  # its lease still runs
    later = job.lease_expires_at + dt.timedelta(seconds=1)
    assert job_display_status(job) != JobStatus.FAILED
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert job_display_status(job) == JobStatus.FAILED  # shown as failed, not running
        jobs_sweep()
    assert sent == [(job.pk,)]
    job = job_run(RollupRun.objects.all(), job.pk, lambda j: JobOutput(fields={"rows": 1}))
    assert (job.status, job.attempts, job.rows) == (JobStatus.DONE, 2, 1)


def test_a_worker_whose_job_was_taken_over_cannot_mark_it_done():
    job = run()

    def overtaken(locked):
        RollupRun.objects.filter(pk=locked.pk).update(attempts=locked.attempts + 1)
        return JobOutput(fields={"rows": 99})

    job = job_run(RollupRun.objects.all(), job.pk, overtaken)
    assert (job.status, job.rows) == (JobStatus.RUNNING, 0)


def test_a_request_never_returns_a_stuck_document(django_capture_on_commit_callbacks):
    program = Program.objects.first()
    stuck = ClosingDocument.objects.create(
        program=program, status=JobStatus.RUNNING, attempts=1, lease_expires_at=ago(1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = job_request(
            ClosingDocument,
            task=TASK,
            key={"program": program},
            values={},
            waiting=jobs.ACTIVE,
        )
    assert again.pk == stuck.pk
    assert again.status == JobStatus.PENDING
    assert sent == [(stuck.pk,)]


def test_the_status_shows_a_dead_run_as_failed_and_the_newest_finished_run_decides():
    program = Program.objects.first()
    old = run(program=program, status=JobStatus.DONE, finished_at=ago(600))
    new = run(program=None, status=JobStatus.DONE, finished_at=ago(60))
    dead = run(program=program, status=JobStatus.RUNNING, attempts=1, lease_expires_at=ago(30))
    status = rollup_status(program=program)
    assert status["last"].pk == new.pk != old.pk
    assert status["active"] is None
    assert (status["failed"].pk, status["failed"].status) == (dead.pk, JobStatus.FAILED)


def test_a_notification_whose_dispatch_fails_is_saved_and_sent_once_by_the_sweeper(
    province_user, mailoutbox, caplog, django_capture_on_commit_callbacks, redis_down
):
    with (
        caplog.at_level(logging.ERROR, logger="portal.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        started = time.monotonic()
        notification = notification_queue(
            recipient=province_user, kind="test", subject="hello", body="b"
        )
        notification_queue(recipient=province_user, kind="test", subject="again", body="b")
    assert time.monotonic() - started < 1
    assert len([r for r in caplog.records if "could not be sent" in r.message]) == 1
    assert notification.status == Notification.Status.PENDING
    assert mailoutbox == []
    # Redis is back; the sweep after the grace period sends each once, and only once.
    later = timezone.now() + dt.timedelta(minutes=2)
    redis_down.stop()
    assert notification_redispatch_stale(now=later) == 2
    assert notification_redispatch_stale(now=later) == 0
    assert sorted(m.subject for m in mailoutbox) == ["again", "hello"]


def test_after_a_broker_error_dispatching_is_skipped_for_a_moment(redis_down):
    assert dispatch(TASK, 1) is False
    assert dispatch(TASK, 2) is False
    assert redis_down.send.call_count == 1
    jobs._broker["down_until"] = 0.0
    assert dispatch(TASK, 3) is False
    assert redis_down.send.call_count == 2


def test_the_dashboard_renders_from_the_database_when_the_cache_is_down(
    client, ministry_staff, settings, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    run(program=None, status=JobStatus.DONE, finished_at=ago(60))
    client.force_login(ministry_staff)
    response = client.get("/dashboards/")
    assert response.status_code == 200
    assert 'data-testid="computed-at"' in response.text
    assert any("cache could not" in r.message for r in caplog.records)


def test_liveness_asks_nothing_readiness_reports_each_dependency(client, settings):
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor") as cursor:
        assert client.get("/healthz").content == b"ok"
    cursor.assert_not_called()
    settings.REDIS_URL = (
        ""  # eager Celery (CI sets REDIS_URL): no Redis, worker or beat to wait for
    )
    response = client.get("/readyz")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {
        "database",
        "redis",
        "worker",
        "beat",
        "sweeper",
        "disk",
    }
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    heartbeat_stamp("beat")
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": ago(3600)})
    response = client.get("/readyz")
    body = response.json()
    assert (response.status_code, body["status"]) == (503, "not_ready")
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["beat"]["ok"]
    assert not body["checks"]["worker"]["ok"]
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError"}  # no host named
    assert body["checks"]["sweeper"]["last_seen"] is None
    assert client.get("/readyz?check=beat,database").status_code == 200
    settings.READYZ_MIN_FREE_BYTES = 1 << 62
    assert not client.get("/readyz?check=disk").json()["checks"]["disk"]["ok"]


def test_the_readiness_command_exits_non_zero_when_not_ready(settings, capsys):
    call_command("readiness", "--only", "database,disk")
    assert json.loads(capsys.readouterr().out)["status"] == "ready"
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    with pytest.raises(CommandError):
        call_command("readiness", "--only", "worker")
    with pytest.raises(CommandError):
        call_command("readiness", "--only", "nonsense")


def test_api_errors_are_json_even_a_500_and_an_unknown_address(ministry_staff, settings):
    client = Client(raise_request_exception=False)
    client.force_login(ministry_staff)
    with mock.patch(
        "reporting.insights.api.dashboards._status_data", side_effect=RuntimeError("bug")
    ):
        response = client.get("/api/v1/dashboards/status/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # Pages keep their error pages.
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


def test_beat_stamps_its_heartbeat_and_sends_the_sweep_every_period(settings):
    from portal.beat import PortalScheduler
    from portal.celery import app

    scheduler = PortalScheduler.__new__(PortalScheduler)  # its loop only, not the database sync
    with mock.patch("django_celery_beat.schedulers.DatabaseScheduler.tick", return_value=5.0):
        assert scheduler.tick() == 5.0
    assert Heartbeat.objects.get(name="beat").seen_at > ago(5)
    entry = app.conf.beat_schedule["Sweep jobs and e-mails"]
    assert (entry["task"], entry["schedule"]) == (
        "portal.tasks.jobs_sweep_task",
        settings.JOB_SWEEP_SECONDS,
    )
