"""Celery tasks of the portal app: ids in, a service call, nothing else."""

from celery import shared_task

from .health import heartbeat_stamp
from .jobs import jobs_sweep
from .notifications import (
    notification_deliver,
    notification_redispatch_stale,
    notification_retry_failed,
)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def notification_deliver_task(self, notification_id: int) -> str:
    notification = notification_deliver(notification_id=notification_id)
    if notification.status == "failed" and not self.request.is_eager:
        raise self.retry()
    return notification.status


@shared_task(acks_late=True)
def notification_retry_failed_task() -> int:
    """Nightly (beat schedule in the database, editable in the admin): retry failed e-mails."""
    return notification_retry_failed()


@shared_task(ignore_result=True)
def jobs_sweep_task() -> dict:
    """Every ``JOB_SWEEP_SECONDS`` (beat; ``CELERY_BEAT_SCHEDULE``): take back the jobs whose
    lease expired and send again the e-mails left waiting (``portal.jobs.jobs_sweep``), then
    stamp the ``sweeper`` heartbeat: beat sent this and a worker ran it."""
    swept = jobs_sweep()
    swept["notifications"] = {"redispatched": notification_redispatch_stale()}
    heartbeat_stamp("sweeper")
    return swept
