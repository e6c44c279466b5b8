"""Liveness and readiness, and the heartbeats of the background processes.

``/healthz`` is liveness: the process answers, nothing else is asked (a load balancer or Docker
restarts what fails it, and restarting the web does not fix a database). ``/readyz`` is
readiness, for operators and monitors, with JSON detail: the database, Redis, the worker's and
beat's heartbeats, the last sweep, and the free space of MEDIA_ROOT's disk; 503 when any check
asked for fails. ``manage.py readiness --only worker`` runs the same checks for a container's
health check.

Heartbeats are rows of ``portal.Heartbeat``: the worker stamps ``worker`` from a thread of its
own (``worker_heartbeat_start``, on Celery's ``worker_ready``), beat stamps ``beat`` from its
scheduler loop (``portal.beat.PortalScheduler``), and every sweep stamps ``sweeper`` (beat sent
it, a worker ran it: the whole chain works).
"""

import logging
import shutil
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from .models import Heartbeat

logger = logging.getLogger(__name__)

CHECKS = ("database", "redis", "worker", "beat", "sweeper", "disk")
#: How often the worker's thread stamps its heartbeat.
WORKER_HEARTBEAT_SECONDS = 15.0


def heartbeat_stamp(name: str, *, detail: str = "") -> None:
    """Record that ``name`` is alive now (one upsert)."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now(), "detail": detail[:200]}
    )


def worker_heartbeat_start(*, hostname: str = "") -> threading.Thread:
    """Stamp the ``worker`` heartbeat now and every ``WORKER_HEARTBEAT_SECONDS`` from a daemon
    thread of the worker's main process (a long job does not stop it; a dead process does)."""
    interval = min(WORKER_HEARTBEAT_SECONDS, max(settings.JOB_SWEEP_SECONDS / 2, 0.5))

    def beat() -> None:
        while True:
            try:
                heartbeat_stamp("worker", detail=hostname)
            except Exception:  # noqa: BLE001 - the database is down: the heartbeat ages
                logger.warning("could not stamp the worker's heartbeat")
                connections.close_all()
            time.sleep(interval)

    thread = threading.Thread(target=beat, name="portal-worker-heartbeat", daemon=True)
    thread.start()
    return thread


def _error(exc: Exception) -> str:
    # The class only: the message may name hosts and ports, which this public page keeps back.
    return type(exc).__name__


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        logger.warning("readiness: database: %r", exc)
        return {"ok": False, "error": _error(exc)}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "detail": "not used: tasks run in the web process"}
    import redis

    started = time.monotonic()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            socket_timeout=settings.REDIS_CONNECT_TIMEOUT,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        logger.warning("readiness: redis: %r", exc)
        return {"ok": False, "error": _error(exc)}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_heartbeat(name: str) -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "detail": "not used: tasks run in the web process"}
    try:
        row = Heartbeat.objects.filter(name=name).first()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": _error(exc)}
    limit = settings.HEARTBEAT_MAX_AGE_SECONDS
    if row is None:
        return {"ok": False, "last_seen": None, "max_age_seconds": limit}
    age = (timezone.now() - row.seen_at).total_seconds()
    return {
        "ok": age <= limit,
        "last_seen": row.seen_at.isoformat(),
        "age_seconds": round(age, 1),
        "max_age_seconds": limit,
    }


def _check_disk() -> dict:
    path = Path(settings.MEDIA_ROOT)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return {"ok": False, "error": _error(exc)}
    minimum = settings.READYZ_MIN_FREE_BYTES
    return {"ok": usage.free >= minimum, "free_bytes": usage.free, "min_free_bytes": minimum}


def readiness(*, only: list[str] | None = None) -> tuple[bool, dict]:
    """Run the checks (``only``: a subset of ``CHECKS``); whether all passed, and the detail."""
    runners = {
        "database": _check_database,
        "redis": _check_redis,
        "worker": lambda: _check_heartbeat("worker"),
        "beat": lambda: _check_heartbeat("beat"),
        "sweeper": lambda: _check_heartbeat("sweeper"),
        "disk": _check_disk,
    }
    names = [name for name in CHECKS if not only or name in only]
    checks = {name: runners[name]() for name in names}
    ready = all(check["ok"] for check in checks.values())
    return ready, {"status": "ready" if ready else "not_ready", "checks": checks}
