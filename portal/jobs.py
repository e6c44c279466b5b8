"""Background jobs: one lifecycle for every job the apps keep as a row (roll-up runs, summary
PDFs, exports, closing documents), dispatching their Celery tasks once the transaction has
committed, and the sweeper that keeps them from ever staying stuck.

A job is a row with ``status`` (pending → running → done | failed: ``JobStatus``'s values),
``requested_at``, ``started_at``, ``attempts``, ``lease_expires_at``, ``finished_at`` and
``error``; optionally ``file`` and ``sha256`` (a result stored as a file). Its app keeps the
work; this module keeps the lifecycle, written once:

- ``job_request``: create the job, or return the one of the same key already waiting
  (coalescing), and dispatch its task by registered name when the transaction commits;
- ``job_run`` (the task's body): lock the row, leave a done job (or one another worker holds)
  alone, claim it (running, a lease), do the work while a heartbeat renews the lease, store its
  file with the SHA-256, mark it done, or failed with the error;
- ``jobs_sweep`` (``portal.tasks.jobs_sweep_task``, every ``JOB_SWEEP_SECONDS`` from beat): one
  indexed query per registered kind finds the active jobs whose lease expired. A waiting job
  past its grace period (its message lost, or never sent: Redis was down) is dispatched again; a
  running one (its worker is gone, or could not record its failure: the database was down) is
  put back to waiting and dispatched again, up to ``JOB_MAX_ATTEMPTS`` starts, then failed with
  the reason, for the user to ask again;
- ``job_get_for`` / ``job_download`` / ``any_active`` / ``job_is_dead``: one job of those the
  user may see, its file, whether a list of them is still changing, and whether a row still
  saying "running" lost its worker (status pages show it as failed).

The lease is the one clock: a waiting job's lease is its grace period, a running job's is
renewed every third of ``JOB_LEASE_SECONDS`` by the worker doing it. Nothing waits for Redis's
``visibility_timeout`` or a 30-minute guess. Work is never duplicated: the claim takes the row
lock and bumps ``attempts``; a worker whose claim was taken over (its lease expired) cannot mark
the job done, and the apps' unique keys and row locks stay the guard of the work itself.

Tasks are sent by their registered name (``reporting.tasks.rollup_run_task``), looked up in the
Celery app when sent: the modules requesting jobs never import the tasks module that calls them
back, so there is no import circle, and eager Celery (tests) runs them as a worker would. A
broker that does not answer is logged once and skipped for a few seconds: the user's action has
committed, the sweeper sends the job when Redis is back.
"""

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.security_audit import download_of
from portal.uploads import files_cleanup_on_error, store_file, stored_file_response

logger = logging.getLogger(__name__)
J = TypeVar("J", bound=models.Model)

ERROR_MAX = 2000  # characters of an error kept on the job
#: After a broker error, dispatching is skipped (left to the sweeper) for this many seconds.
BROKER_RETRY_AFTER = 5.0
#: How many due jobs (and e-mails) one sweep handles per kind; the next sweep takes the rest.
SWEEP_BATCH = 500
# The sweeper's errors, stored as these keys and shown translated (``ShownStatus.shown_error``).
INTERRUPTED = "Interrupted: the worker stopped before the job finished; started again."
GAVE_UP = "The worker stopped before the job finished, several times; ask for it again."
SUPERSEDED = "Interrupted: the worker stopped; a newer request covers it."
DEAD = "Interrupted: the worker stopped; the job is started again shortly, or ask for it again."
SWEEPER_ERRORS = {
    INTERRUPTED: _("Interrupted: the worker stopped before the job finished; started again."),
    GAVE_UP: _("The worker stopped before the job finished, several times; ask for it again."),
    SUPERSEDED: _("Interrupted: the worker stopped; a newer request covers it."),
    DEAD: _(
        "Interrupted: the worker stopped; the job is started again shortly, or ask for it again."
    ),
}


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


#: A job in one of these states is still to finish.
ACTIVE = (JobStatus.PENDING, JobStatus.RUNNING)


def lease_index(name: str) -> models.Index:
    """The sweeper's index: active jobs by lease (partial: empty when nothing is active)."""
    return models.Index(
        fields=["lease_expires_at"], condition=Q(status__in=["pending", "running"]), name=name
    )


def grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.JOB_GRACE_SECONDS)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def expired_q(now: dt.datetime) -> Q:
    return Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)


# --- the kinds of job ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    model: type[models.Model]
    task: str


_kinds: dict[str, JobKind] = {}


def job_kind_register(model: type[models.Model], *, task: str) -> None:
    """Called from the app's ``AppConfig.ready``: the sweeper looks after ``model``'s rows and
    sends ``task`` (a registered name) with the id of each it takes back."""
    _kinds[model._meta.label] = JobKind(model, task)


def job_kinds() -> list[JobKind]:
    return list(_kinds.values())


# --- dispatching ---------------------------------------------------------------------------------


def registered_task(name: str):
    """The Celery task registered under ``name``. Nothing may have imported the task modules
    yet (a web process): the first look-up runs Celery's autodiscovery, which does."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


_broker = {"down_until": 0.0}


def dispatch(task: str, *args) -> bool:
    """Send the task registered as ``task`` now; whether it was sent.

    Never raises for the broker: an error is logged (once per outage: for ``BROKER_RETRY_AFTER``
    seconds after it, nothing is tried, so a request sending several tasks waits at most one
    connection timeout) and the row it is about stays for the sweeper. With eager Celery the
    task runs here; its failure is logged too (the job row records it).
    """
    celery_task = registered_task(task)
    eager = current_app.conf.task_always_eager
    if not eager and time.monotonic() < _broker["down_until"]:
        logger.debug("%s%r not sent: the broker was unreachable moments ago", task, args)
        return False
    try:
        # Nobody waits for these results: not subscribing to them keeps Redis's result backend
        # out of the request (it used to retry 20 × 1 s when Redis was down).
        celery_task.apply_async(args, ignore_result=True)
    except Exception:
        if eager:
            logger.exception("%s%r failed", task, args)
        else:
            _broker["down_until"] = time.monotonic() + BROKER_RETRY_AFTER
            logger.exception("%s%r could not be sent; the sweeper sends it later", task, args)
        return False
    _broker["down_until"] = 0.0
    return True


def dispatch_on_commit(task: str, *args) -> None:
    """Send the task registered as ``task`` with ``args`` when the transaction commits (at once
    outside one). An unknown name raises here, at the call; a broker outage never does
    (``dispatch``)."""
    registered_task(task)
    transaction.on_commit(lambda: dispatch(task, *args))


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
    and is returned; it is dispatched again if its lease expired (a waiting job whose message was
    lost; a running one whose worker is gone is put back to waiting first, so a request never
    returns a stuck job), or with ``force``. At most one may wait: a partial unique constraint
    over ``waiting`` backs that (an insert racing another request returns the winner's job; a
    worker may have taken it since, and it then started after this request's change committed,
    so it covers it too), or, where a NULL in the key defeats the constraint, ``lock``: rows
    locked first, serialising requests. Without a ``key`` every request is a job of its own.
    ``on_create(job)`` runs in the same transaction for a new job only (its audit entry).
    """
    with transaction.atomic():
        if lock is not None:
            list(lock.select_for_update().order_by("pk").values_list("pk", flat=True))
        same = model.objects.filter(**key) if key is not None else None
        queued = same.filter(status__in=list(waiting)) if same is not None else None
        job, created = (queued.first() if queued is not None else None), False
        now = timezone.now()
        if job is None:
            try:
                with transaction.atomic():
                    job = model.objects.create(
                        **(key or {}), **values, lease_expires_at=now + grace()
                    )
                    created = True
            except IntegrityError:
                if same is None:
                    raise
                job = queued.first() or same.latest("pk")
        if created and on_create is not None:
            on_create(job)
        expired = job.status in ACTIVE and (
            job.lease_expires_at is None or job.lease_expires_at < now
        )
        if expired:
            # Waiting too long (message lost) or running without a worker: wait again, sent now.
            model.objects.filter(pk=job.pk, status__in=ACTIVE).filter(expired_q(now)).update(
                status=JobStatus.PENDING, lease_expires_at=now + grace()
            )
            job.refresh_from_db()
        if created or force or expired:
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


class _LostClaim(Exception):  # noqa: N818 - a signal between two lines of job_run
    """Another worker took the job over (this one's lease had expired): its result is dropped."""


class _LeaseKeeper(threading.Thread):
    """The worker's heartbeat for one job: renews the lease every third of its length while
    the work runs, on a connection of its own, as long as the claim is still this worker's."""

    def __init__(self, model: type[models.Model], pk: int, attempt: int) -> None:
        super().__init__(name=f"lease-{model._meta.label}-{pk}", daemon=True)
        self.model, self.pk, self.attempt = model, pk, attempt
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = max(settings.JOB_LEASE_SECONDS / 3, 0.1)
        try:
            while not self.stopped.wait(interval):
                try:
                    self.model.objects.filter(
                        pk=self.pk, status=JobStatus.RUNNING, attempts=self.attempt
                    ).update(lease_expires_at=timezone.now() + lease())
                except Exception:  # noqa: BLE001 - the database is down: the lease runs out
                    logger.warning("could not renew the lease of %s %s", self.model, self.pk)
        finally:
            connections.close_all()

    def __enter__(self) -> "_LeaseKeeper":
        # Inside an outer transaction (eager Celery in a test or a request) nobody else can see
        # the claim: there is nothing to renew, and the row is locked until that one commits.
        if not connection.in_atomic_block:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=5)


def _fail(model: type[models.Model], pk: int, attempt: int, message: str) -> None:
    """Record the failure of this worker's attempt. If the database is down, this raises and
    the job keeps saying "running" until its lease expires: the sweeper then takes it back."""
    model.objects.filter(pk=pk, attempts=attempt).update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        lease_expires_at=None,
        error=message[:ERROR_MAX],
    )


def job_run(jobs: models.QuerySet[J], pk: int, work: Callable[[J], JobOutput]) -> J:
    """Run job ``pk`` of ``jobs`` (a queryset, e.g. with the ``select_related`` the work needs).

    The row is locked while it is claimed: ``started_at``, ``attempts`` + 1 and a lease. A job
    already done, or running under another worker's lease (a second message for it), is returned
    as it is; one found running with an expired lease (its worker died, the message came back)
    is run again. ``work(job)`` runs outside any transaction while a heartbeat renews the lease;
    its file is stored (with its SHA-256 where the model has a ``sha256`` column) in the
    transaction that marks the job done, and deleted again if that fails. On an error the job is
    failed with it and the error raised again (``JobRefused``: failed and returned).
    """
    model = jobs.model
    with transaction.atomic():
        job = jobs.select_for_update(of=("self",)).get(pk=pk)
        now = timezone.now()
        if job.status == JobStatus.DONE:
            return job
        held = job.lease_expires_at is not None and job.lease_expires_at > now
        if job.status == JobStatus.RUNNING and held:
            logger.info("%s %s is running on another worker; left to it", model.__name__, pk)
            return job
        job.status, job.error, job.started_at = JobStatus.RUNNING, "", now
        job.attempts += 1
        job.lease_expires_at = now + lease()
        job.save(update_fields=["status", "error", "started_at", "attempts", "lease_expires_at"])
    attempt = job.attempts
    mine = model.objects.filter(pk=pk, attempts=attempt)
    try:
        with _LeaseKeeper(model, pk, attempt):
            output = work(job)
        done = {
            "status": JobStatus.DONE,
            "finished_at": timezone.now(),
            "lease_expires_at": None,
            "error": "",
            **output.fields,
        }
        if output.content is None:
            if not mine.update(**done):
                raise _LostClaim
        else:
            sha256 = hashlib.sha256(output.content).hexdigest()
            path = output.path(sha256) if callable(output.path) else output.path
            if _has(model, "sha256"):
                done["sha256"] = sha256
            with files_cleanup_on_error(), transaction.atomic():
                done["file"] = store_file(content=output.content, path=path)
                if not mine.update(**done):
                    raise _LostClaim
    except _LostClaim:
        logger.warning("%s %s was taken over by another worker; result dropped", model, pk)
    except JobRefused as refusal:
        _fail(model, pk, attempt, str(refusal))
    except Exception as exc:
        try:
            _fail(model, pk, attempt, repr(exc))
        except Exception:
            logger.exception("could not record the failure of %s %s", model.__name__, pk)
        raise
    job.refresh_from_db()
    return job


# --- sweeping ------------------------------------------------------------------------------------


def _sweep_kind(kind: JobKind, now: dt.datetime) -> dict[str, int]:
    """One indexed query for the kind's active jobs whose lease expired, then one conditional
    update per job (a worker renewing or finishing in between wins)."""
    model, counts = kind.model, {"redispatched": 0, "restarted": 0, "failed": 0}
    due = list(
        model.objects.filter(status__in=ACTIVE)
        .filter(expired_q(now))
        .order_by("lease_expires_at")
        .values_list("pk", "status", "attempts")[:SWEEP_BATCH]
    )
    for pk, status, attempts in due:
        row = model.objects.filter(pk=pk, status=status).filter(expired_q(now))
        if status == JobStatus.PENDING:
            if row.update(lease_expires_at=now + grace()):
                counts["redispatched"] += 1
                dispatch(kind.task, pk)
            continue
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            counts["failed"] += row.update(
                status=JobStatus.FAILED, finished_at=now, lease_expires_at=None, error=GAVE_UP
            )
            continue
        try:
            with transaction.atomic():
                restarted = row.update(
                    status=JobStatus.PENDING, lease_expires_at=now + grace(), error=INTERRUPTED
                )
        except IntegrityError:  # another request of the same key waits already: it covers this
            counts["failed"] += row.update(
                status=JobStatus.FAILED, finished_at=now, lease_expires_at=None, error=SUPERSEDED
            )
            continue
        if restarted:
            counts["restarted"] += 1
            dispatch(kind.task, pk)
    return counts


def jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Take back every registered kind's jobs whose lease expired (see the module's docstring);
    returns what it did per model. Cheap when idle: one query on an empty partial index per kind.
    Safe to run twice at once: every change is a conditional update of one row."""
    now = now or timezone.now()
    done = {}
    for kind in job_kinds():
        counts = _sweep_kind(kind, now)
        if any(counts.values()):
            logger.warning("swept %s: %s", kind.model._meta.label, counts)
        done[kind.model._meta.label] = counts
    return done


# --- reading -------------------------------------------------------------------------------------


def job_get_for(visible: models.QuerySet[J], *, pk: int) -> J:
    """Job ``pk`` among the user's ``visible`` jobs, or ``Http404`` (others' are not theirs to
    know of)."""
    job = visible.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def job_is_dead(job: models.Model, *, now: dt.datetime | None = None) -> bool:
    """A job still marked running whose worker stopped renewing its lease: it is not running,
    whatever its row says (the sweeper restarts or fails it within a period). Status pages show
    it as failed, with the way to ask again."""
    if job.status != JobStatus.RUNNING:
        return False
    expires = getattr(job, "lease_expires_at", None)
    return expires is None or expires < (now or timezone.now())


def job_display_status(job: models.Model) -> str:
    """The status to show: a dead job is "failed"."""
    return JobStatus.FAILED if job_is_dead(job) else job.status


class ShownStatus:
    """For job models: the status and error as pages and the API show them, where a job whose
    worker is gone (``job_is_dead``) reads "failed" although its row still says "running"."""

    @property
    def shown_status(self) -> str:
        return job_display_status(self)

    def get_shown_status_display(self) -> str:
        return str(JobStatus(self.shown_status).label)

    @property
    def shown_error(self) -> str:
        if job_is_dead(self):
            return str(SWEEPER_ERRORS[DEAD])
        if self.status != JobStatus.FAILED:
            return ""
        return str(SWEEPER_ERRORS.get(self.error, self.error))


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
