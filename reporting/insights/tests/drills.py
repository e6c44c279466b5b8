"""The fault drills' own infrastructure: a Redis server, Celery workers and a beat of their own,
never the machine's shared Redis or PostgreSQL (which other tests and workers use).

- ``OwnRedis``: ``redis-server`` on a free port, no persistence, stopped and started at will;
- ``celery_pointed_at(url)``: this process's Celery app and cache use it (and back afterwards);
- ``DrillWorker``: ``drill_worker.py`` in a process of its own, on that Redis and the test
  database, killed with SIGKILL at will (``tmp/slow`` existing: its roll-ups and summaries wait);
- ``Beat``: a thread sending ``portal.tasks.jobs_sweep_task`` every ``JOB_SWEEP_SECONDS``, as
  Celery beat does (through the same ``portal.jobs.dispatch``).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from portal import jobs
from portal.celery import app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float, step: float = 0.1, what: str = "") -> float:
    """Poll ``condition()`` until true; returns the seconds it took (fails after ``timeout``)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(step)
    return time.monotonic() - started


class OwnRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=10, what="redis-server answers")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@contextlib.contextmanager
def celery_pointed_at(url: str, django_settings):
    """This process's Celery (broker, results) and cache on ``url``, tasks sent, not eager."""
    conf = app.conf
    saved = {k: conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None
        with contextlib.suppress(AttributeError):
            del app._local.backend
        jobs._broker["down_until"] = 0.0

    conf.broker_url, conf.result_backend, conf.task_always_eager = url, url, False
    reset()
    django_settings.REDIS_URL = url
    django_settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            app.pool.force_close_all()
        conf.update(saved)
        reset()
        caches["default"].close()


class DrillWorker:
    def __init__(self, *, redis_url: str, database_url: str, tmp: Path) -> None:
        self.name = f"drill-{os.getpid()}-{time.monotonic_ns()}@{socket.gethostname()}"
        self.mail_dir = tmp / "mail"
        self.mail_dir.mkdir(exist_ok=True)
        self.log_path = tmp / f"{self.name.split('@')[0]}.log"
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            DRILL_MAIL_DIR=str(self.mail_dir),
            DRILL_SLOW_FILE=str(tmp / "slow"),
            **{
                key: str(getattr(settings, key))
                for key in ("JOB_SWEEP_SECONDS", "JOB_GRACE_SECONDS", "JOB_LEASE_SECONDS")
            },
        )
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reporting.insights.tests.drill_worker",
                "-n",
                self.name,
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                # Threads: one process, jobs side by side; SIGKILL takes them all at once.
                "--pool",
                "threads",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        )

    def wait_ready(self, timeout: float = 60) -> float:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the drill worker exited: {self.log_path.read_text()}")
            return bool(app.control.ping(destination=[self.name], timeout=0.5))

        return wait_for(ready, timeout=timeout, step=0, what="the drill worker answers")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        # Its Redis is thrown away with it: nothing to finish or hand back, so no warm shutdown.
        if self.proc.poll() is None:
            self.kill()
        self.log.close()

    def mails(self) -> list[str]:
        return [p.read_text() for p in sorted(self.mail_dir.iterdir())]


class Beat(threading.Thread):
    """Sends the sweep every ``JOB_SWEEP_SECONDS``, as beat does; a failed send waits for the next."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopped = threading.Event()

    def run(self) -> None:
        period = settings.JOB_SWEEP_SECONDS
        while not self.stopped.wait(period):
            jobs._broker["down_until"] = 0.0  # beat is its own process: no shared breaker
            jobs.dispatch("portal.tasks.jobs_sweep_task")

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)
