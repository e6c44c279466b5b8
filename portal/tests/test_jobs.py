"""The jobs layer (``portal/jobs.py``): dispatch by task name on commit, one waiting job per key,
one lifecycle (skip done or held, redo running, store the file, fail with the error), a user's
jobs only. The sweeper: test_sweeper.py. Shown on the reporting app's job models: the portal has none of its own."""

import datetime as dt
import hashlib

import pytest
from celery import shared_task
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone

from portal.jobs import (
    JobOutput,
    JobRefused,
    JobStatus,
    dispatch_on_commit,
    job_download,
    job_get_for,
    job_request,
    job_run,
)
from reporting.insights.models import ExportJob, RollupRun

pytestmark = pytest.mark.django_db

TASK = "portal.tests.test_jobs.record"
sent: list[tuple] = []


@shared_task(name=TASK)
def record(*args) -> None:
    sent.append(args)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sent.clear()


def ask(**kwargs) -> RollupRun:
    return job_request(
        RollupRun, task=TASK, key={"program_id": None}, values={"reason": "test"}, **kwargs
    )


def test_a_task_is_sent_by_its_name_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispatch_on_commit(TASK, 7, "x")
        assert sent == []  # not before the commit
    assert len(callbacks) == 1
    assert sent == [(7, "x")]
    with pytest.raises(KeyError):
        dispatch_on_commit("portal.tests.test_jobs.no_such_task", 1)


def test_a_request_finds_the_job_already_waiting_and_sends_nothing_new(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = ask(), ask()
    assert first.pk == second.pk
    assert sent == [(first.pk,)]
    assert RollupRun.objects.count() == 1
    # A running job does not cover a new request (it may have read the data before).
    RollupRun.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        third = ask()
    assert third.pk != first.pk
    assert sent[-1] == (third.pk,)
    # Without a key, every request is a job of its own.
    with django_capture_on_commit_callbacks(execute=True):
        own = [job_request(RollupRun, task=TASK, values={"reason": "x"}) for _ in range(2)]
    assert len({j.pk for j in own}) == 2


def test_a_waiting_job_gone_stale_or_forced_is_sent_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask()
        ask(force=True)
    assert sent == [(job.pk,), (job.pk,)]
    # Its grace period over (its message lost): the next request sends it again.
    RollupRun.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert ask().pk == job.pk
    assert sent[-1] == (job.pk,)
    assert len(sent) == 3


def test_a_new_job_is_announced_once_in_its_transaction(django_capture_on_commit_callbacks):
    created = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            ask(on_create=created.append)
    assert [j.pk for j in created] == list(RollupRun.objects.values_list("pk", flat=True))


def test_a_run_marks_the_job_running_then_done_with_its_fields():
    job = RollupRun.objects.create(reason="test")
    seen = []

    def work(locked):
        seen.append((locked.status, locked.attempts, bool(locked.started_at)))
        return JobOutput(fields={"rows": 12})

    job = job_run(RollupRun.objects.all(), job.pk, work)
    assert seen == [(JobStatus.RUNNING, 1, True)]
    assert (job.status, job.rows, job.error) == (JobStatus.DONE, 12, "")
    assert job.finished_at


def test_a_done_job_is_left_alone_and_a_running_one_is_redone():
    done = RollupRun.objects.create(reason="test", status=JobStatus.DONE, rows=3)
    calls = []
    assert job_run(RollupRun.objects.all(), done.pk, calls.append).rows == 3
    assert calls == []
    stuck = RollupRun.objects.create(reason="test", status=JobStatus.RUNNING, attempts=1)
    job = job_run(RollupRun.objects.all(), stuck.pk, lambda job: JobOutput())
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    # Running under another worker's lease (a second message for it): left to that worker.
    held = RollupRun.objects.create(
        reason="test",
        status=JobStatus.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() + dt.timedelta(minutes=1),
    )
    job = job_run(RollupRun.objects.all(), held.pk, calls.append)
    assert (job.status, job.attempts, calls) == (JobStatus.RUNNING, 1, [])


def test_an_error_fails_the_job_and_is_raised_a_refusal_is_recorded_only():
    job = RollupRun.objects.create(reason="test")

    def broken(job):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        job_run(RollupRun.objects.all(), job.pk, broken)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "disk full" in job.error
    assert job.finished_at

    def refused(job):
        raise JobRefused("You may no longer see this province.")

    job = job_run(RollupRun.objects.all(), RollupRun.objects.create(reason="x").pk, refused)
    assert (job.status, job.error) == (JobStatus.FAILED, "You may no longer see this province.")


def test_the_file_is_stored_named_by_its_sha256_and_kept_with_the_job(ministry_staff):
    job = ExportJob.objects.create(table="overview", format="csv", requested_by=ministry_staff)
    output = JobOutput(
        fields={"rows": 1}, content=b"a,b\n1,2\n", path=lambda sha256: f"t/{sha256[:8]}.csv"
    )
    job = job_run(ExportJob.objects.all(), job.pk, lambda job: output)
    assert job.status == JobStatus.DONE
    assert job.rows == 1
    assert job.file.name == f"t/{hashlib.sha256(output.content).hexdigest()[:8]}.csv"
    assert default_storage.open(job.file.name).read() == b"a,b\n1,2\n"


def test_a_file_whose_job_cannot_be_marked_done_is_deleted_again(ministry_staff):
    job = ExportJob.objects.create(table="overview", format="csv", requested_by=ministry_staff)
    output = JobOutput(fields={"no_such_column": 1}, content=b"x", path="t/orphan.csv")
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database's own error
        job_run(ExportJob.objects.all(), job.pk, lambda job: output)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not job.file
    assert not default_storage.exists("t/orphan.csv")


def test_a_user_gets_and_downloads_only_visible_finished_jobs(ministry_staff, province_user):
    job = ExportJob.objects.create(table="overview", format="csv", requested_by=ministry_staff)
    mine = ExportJob.objects.filter(requested_by=ministry_staff)
    theirs = ExportJob.objects.filter(requested_by=province_user)
    assert job_get_for(mine, pk=job.pk) == job
    with pytest.raises(Http404):
        job_get_for(theirs, pk=job.pk)
    with pytest.raises(Http404):  # not ready yet
        job_download(job, filename="x.csv", content_type="text/csv")
    job = job_run(
        ExportJob.objects.all(), job.pk, lambda j: JobOutput(content=b"1", path="t/x.csv")
    )
    response = job_download(job, filename="x.csv", content_type="text/csv")
    assert b"".join(response.streaming_content) == b"1"
    assert 'filename="x.csv"' in response["Content-Disposition"]


def test_every_job_model_uses_the_layers_states():
    assert set(RollupRun.Status.values) == set(JobStatus.values)
    assert ExportJob._meta.get_field("status").choices == JobStatus.choices
