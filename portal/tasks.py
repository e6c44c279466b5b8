"""Celery tasks of the portal app: ids in, a service call, nothing else."""

from celery import shared_task

from .notifications import notification_deliver, notification_retry_failed


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
