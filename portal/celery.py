"""The Celery application. Settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _worker_heartbeat(sender=None, **kwargs) -> None:
    """The worker stamps its heartbeat from a thread of its own (``/readyz``, portal/health.py)."""
    from portal.health import worker_heartbeat_start

    worker_heartbeat_start(hostname=getattr(sender, "hostname", "") or "")
