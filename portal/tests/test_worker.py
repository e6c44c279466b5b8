"""A Celery task on a real worker process against Redis (CI sets REDIS_URL and DATABASE_URL)."""

import pytest

from portal.models import Notification
from portal.tasks import notification_deliver_task

pytestmark = pytest.mark.worker


def test_real_worker_delivers_a_notification(real_worker, province_user):
    notification = Notification.objects.create(
        recipient=province_user, kind="test", subject="worker test", body="sent by the worker"
    )
    result = notification_deliver_task.delay(notification.pk)
    assert result.get(timeout=60) == "sent"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    # A second run of the same task does not send it again.
    assert notification_deliver_task.delay(notification.pk).get(timeout=60) == "sent"
    assert Notification.objects.get(pk=notification.pk).sent_at == notification.sent_at
