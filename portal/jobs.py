"""Background jobs: one lifecycle for every job the apps keep as a row (roll-up runs, summary
PDFs, exports), and dispatching their Celery tasks once the transaction has committed.

A job is a row with ``status`` (pending → running → done | failed: ``JobStatus``'s values),
``requested_at``, ``finished_at`` and ``error``; optionally ``started_at`` and ``attempts``
(stamped when a run starts) and ``file`` and ``sha256`` (a result stored as a file). Its app
keeps the work; this module keeps the lifecycle, written once:

- ``job_request``: create the job, or return the one of the same key already waiting
  (coalescing), and dispatch its task by registered name when the transaction commits; a
  waiting job older than ``STALE_AFTER`` (its message lost) is dispatched again;
- ``job_run`` (the task's body): lock the row, leave a done job alone, mark it running, do the
  work, store its file with the SHA-256, mark it done, or failed with the error;
- ``jobs_fail_stuck``: fail jobs a dead worker left running;
- ``job_get_for`` / ``job_download`` / ``any_active``: one job of those the user may see, its
  file, and whether a list of them is still changing.

Tasks are sent by their registered name (``reporting.tasks.rollup_run_task``), looked up in the
Celery app when sent: the modules requesting jobs never import the tasks module that calls them
back, so there is no import circle, and eager Celery (tests) runs them as a worker would.

Fault tolerance (issue 14) goes here, in this one layer, so every kind of job gets it at once:

1. a registry of job kinds: each app registers its job model and task name here in its
   ``AppConfig.ready`` (as it registers inbox providers), so one sweeper knows every job table
   and which task runs its rows;
2. a lease: ``job_run`` stamps ``leased_until`` when it marks a job running and renews it from a
   heartbeat while the work runs (the column on the shared abstract base,
   ``reporting.insights.models.Job``, and on ``RollupRun``);
3. ``jobs_sweep()``, called by one thin periodic task: re-dispatch pending jobs older than
   ``STALE_AFTER`` (today only ``job_request`` does, when the same job is asked for again) and
   fail, or re-dispatch up to a number of attempts, running jobs whose lease expired (today
   ``jobs_fail_stuck``, by the age of ``started_at``, nightly, for roll-up runs only).
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from celery import current_app
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.security_audit import download_of
from portal.uploads import files_cleanup_on_error, store_file, stored_file_response

logger = logging.getLogger(__name__)
J = TypeVar("J", bound=models.Model)

#: A job waiting or running for longer than this has lost its message or its worker.
STALE_AFTER = dt.timedelta(minutes=30)
ERROR_MAX = 2000  # characters of an error kept on the job


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


#: A job in one of these states is still to finish.
ACTIVE = (JobStatus.PENDING, JobStatus.RUNNING)


# --- dispatching ---------------------------------------------------------------------------------


def registered_task(name: str):
    """The Celery task registered under ``name``. Nothing may have imported the task modules
    yet (a web process): the first look-up runs Celery's autodiscovery, which does."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def dispatch_on_commit(task: str, *args) -> None:
    """Send the task registered as ``task`` with ``args`` when the transaction commits (at once
    outside one). An unknown name raises here, at the call.

    A broker outage (or, with eager Celery, a failing task) is logged, never raised: the user's
    action has committed already, and every job here is picked up again when it goes stale.
    """
    celery_task = registered_task(task)

    def send() -> None:
        try:
            celery_task.delay(*args)
        except Exception:
            logger.exception("%s%r could not be dispatched", task, args)

    transaction.on_commit(send)


# --- requesting ----------------------------------------------------------------------------------


def job_request(
    model: type[J],
    *,
    task: str,
    values: Mapping[str, Any],
    key: Mapping[str, Any] | None = None,
    waiting: Iterable[str] = (JobStatus.PENDING,),
    lock: models.QuerySet | None = None,
    force: bool = False,
    on_create: Callable[[J], None] | None = None,
) -> J:
    """Ask for a job: a row of ``model`` (``key`` and ``values`` its fields) whose ``task`` is
    dispatched with its id when the transaction commits.

    Coalesced by ``key``: a job of the same key whose status is in ``waiting`` covers this request
    and is returned; it is dispatched again only if it has waited longer than ``STALE_AFTER``, or
    with ``force``. At most one may wait: a partial unique constraint over ``waiting`` backs that
    (an insert racing another request returns the winner's job; a worker may have taken it since,
    and it then started after this request's change committed, so it covers it too), or, where
    a NULL in the key defeats the constraint, ``lock``: rows locked first, serialising requests.
    Without a ``key`` every request is a job of its own. ``on_create(job)`` runs in the same
    transaction for a new job only (its audit entry).
    """
    with transaction.atomic():
        if lock is not None:
            list(lock.select_for_update().order_by("pk").values_list("pk", flat=True))
        same = model.objects.filter(**key) if key is not None else None
        queued = same.filter(status__in=list(waiting)) if same is not None else None
        job, created = (queued.first() if queued is not None else None), False
        if job is None:
            try:
                with transaction.atomic():
                    job = model.objects.create(**(key or {}), **values)
                    created = True
            except IntegrityError:
                if same is None:
                    raise
                job = queued.first() or same.latest("pk")
        if created and on_create is not None:
            on_create(job)
        if created or force or job.requested_at < timezone.now() - STALE_AFTER:
            dispatch_on_commit(task, job.pk)
    return job


# --- running -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobOutput:
    """What a job's work produced: columns stored with "done", and optionally a file."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    content: bytes | None = None
    #: Where the file goes; a callable is given the content's SHA-256 (to name the file by it).
    path: str | Callable[[str], str] = ""


class JobRefused(Exception):  # noqa: N818 - a refusal, not an error of the code
    """The job cannot be done as asked (e.g. its user's rights changed since the request): it is
    failed with this message, for the user to read, and ``job_run`` returns it; nothing to retry."""


def _has(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _fail(model: type[models.Model], pk: int, message: str) -> None:
    model.objects.filter(pk=pk).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), error=message[:ERROR_MAX]
    )


def job_run(jobs: models.QuerySet[J], pk: int, work: Callable[[J], JobOutput]) -> J:
    """Run job ``pk`` of ``jobs`` (a queryset, e.g. with the ``select_related`` the work needs).

    The row is locked while it is marked running (``started_at`` and ``attempts`` stamped where
    the model has them); a job already done is returned as it is, and a job found running (its
    message redelivered after a worker died) is run again. ``work(job)`` runs outside any
    transaction; its file is stored (with its SHA-256 where the model has a ``sha256`` column) in
    the transaction that marks the job done, and deleted again if that fails. On an error the job
    is failed with it and the error raised again (``JobRefused``: failed and returned).
    """
    model = jobs.model
    with transaction.atomic():
        job = jobs.select_for_update(of=("self",)).get(pk=pk)
        if job.status == JobStatus.DONE:
            return job
        job.status, job.error = JobStatus.RUNNING, ""
        started = ["status", "error"]
        if _has(model, "started_at"):
            job.started_at = timezone.now()
            started.append("started_at")
        if _has(model, "attempts"):
            job.attempts += 1
            started.append("attempts")
        job.save(update_fields=started)
    try:
        output = work(job)
        done = {
            "status": JobStatus.DONE,
            "finished_at": timezone.now(),
            "error": "",
            **output.fields,
        }
        if output.content is None:
            model.objects.filter(pk=pk).update(**done)
        else:
            sha256 = hashlib.sha256(output.content).hexdigest()
            path = output.path(sha256) if callable(output.path) else output.path
            if _has(model, "sha256"):
                done["sha256"] = sha256
            with files_cleanup_on_error(), transaction.atomic():
                done["file"] = store_file(content=output.content, path=path)
                model.objects.filter(pk=pk).update(**done)
    except JobRefused as refusal:
        _fail(model, pk, str(refusal))
    except Exception as exc:
        _fail(model, pk, repr(exc))
        raise
    job.refresh_from_db()
    return job


def jobs_fail_stuck(jobs: models.QuerySet, *, error: str) -> int:
    """Fail the jobs a dead worker left running (``started_at``) longer than ``STALE_AFTER``
    ago, their message gone too; returns how many. Their owner asks for fresh ones."""
    now = timezone.now()
    return jobs.filter(status=JobStatus.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=JobStatus.FAILED, finished_at=now, error=error
    )


# --- reading -------------------------------------------------------------------------------------


def job_get_for(visible: models.QuerySet[J], *, pk: int) -> J:
    """Job ``pk`` among the user's ``visible`` jobs, or ``Http404`` (others' are not theirs to
    know of)."""
    job = visible.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def any_active(jobs: Iterable[models.Model]) -> bool:
    """Whether any of these jobs is still to finish (a list page then refreshes itself)."""
    return any(job.status in ACTIVE for job in jobs)


def job_download(job: models.Model, *, filename: str, content_type: str):
    """The finished job's file as a download; 404 while it is not done (or the file is gone)."""
    if job.status != JobStatus.DONE:
        raise Http404
    return download_of(
        stored_file_response(name=job.file.name, filename=filename, content_type=content_type),
        job,
    )
