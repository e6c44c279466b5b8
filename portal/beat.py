"""Celery beat's scheduler: django-celery-beat's (the schedule in the database, editable in the
admin) that also stamps beat's heartbeat for ``/readyz`` (``portal.health``)."""

import logging
import time

from django.db import close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

#: Stamp at most this often (the loop turns every few seconds).
STAMP_EVERY = 10.0


class PortalScheduler(DatabaseScheduler):
    _stamped = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._stamped >= STAMP_EVERY:
            from portal.health import heartbeat_stamp

            try:
                heartbeat_stamp("beat")
                self._stamped = now
            except Exception:  # noqa: BLE001 - the database is down: the heartbeat ages
                logger.warning("could not stamp beat's heartbeat")
                close_old_connections()
        return super().tick(*args, **kwargs)
