"""Celery tasks of the portal app: ids in, a service call, nothing else."""

from celery import shared_task

from .notifications import notification_deliver


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def notification_deliver_task(self, notification_id: int) -> str:
    notification = notification_deliver(notification_id=notification_id)
    if notification.status == "failed" and not self.request.is_eager:
        raise self.retry()
    return notification.status
