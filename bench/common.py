"""Helpers for the benchmarks: a throw-away database, timing with percentiles, query counts."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, fresh_sqlite: bool = True) -> None:
    """Configure Django on its own database (a temporary SQLite file unless DATABASE_URL is set)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    if fresh_sqlite and not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = (
            f"sqlite:///{tempfile.mkdtemp(prefix='portal-bench-')}/bench.sqlite3"
        )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def force_login(client, user) -> None:
    """``client.force_login``, with the second factor passed for the roles that need one (a
    code-less device made for the benchmark): pages are measured as a verified session sees them,
    the two-factor middleware's work included."""
    client.force_login(user)
    from portal.otp import otp_role

    if otp_role(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def add_smoke_argument(parser) -> None:
    """``--smoke``: the smallest size and one repetition, no goals judged. ``./dev test`` runs
    every benchmark so (tests/test_benchmarks.py): a benchmark that breaks fails the build."""
    parser.add_argument(
        "--smoke", action="store_true", help="tiny size, one repetition (a build check)"
    )


def timed(fn, *, repeat: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "n": repeat,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "max_ms": round(samples[-1], 2),
    }


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def report(title: str, rows: list[tuple[str, dict]]) -> None:
    print(f"\n{title}")
    print(f"{'case':<44} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'queries':>8}")
    for name, r in rows:
        print(
            f"{name:<44} {r['n']:>5} {r['p50_ms']:>9} {r['p95_ms']:>9} {r['max_ms']:>9} {r.get('queries', ''):>8}"
        )


# --- a scratch PostgreSQL database ----------------------------------------------------------------

PG_SERVER = "postgres://postgres@127.0.0.1:5432/"


def scratch_database(name: str) -> str:
    """Point DATABASE_URL at a fresh scratch database ``name`` (dropped and created) on
    PG_SERVER; DATABASE_URL from the environment is kept as is. If PostgreSQL cannot be reached,
    a temporary SQLite file (setup_django's default), with a warning: the figures then say
    little. Returns a description of the database."""
    if os.environ.get("DATABASE_URL"):
        return "DATABASE_URL from the environment"
    try:
        import psycopg2

        conn = psycopg2.connect(PG_SERVER + "postgres", connect_timeout=3)
    except Exception as exc:  # no driver, no server, no access: SQLite, loudly
        print(
            f"WARNING: PostgreSQL is not reachable at {PG_SERVER} ({str(exc).strip()}); "
            "falling back to a temporary SQLite file: the figures are NOT representative.",
            file=sys.stderr,
        )
        return "SQLite (fallback)"
    conn.autocommit = True
    with conn.cursor() as cursor:
        drop_database(cursor, name)
        cursor.execute(f"CREATE DATABASE {name}")
    conn.close()
    os.environ["DATABASE_URL"] = PG_SERVER + name
    return f"PostgreSQL {PG_SERVER}{name} (dropped and created)"


def drop_database(cursor, name: str) -> None:
    import psycopg2

    try:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except psycopg2.errors.SyntaxError:  # PostgreSQL < 13
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")


def scratch_database_drop(name: str) -> None:
    """Drop the scratch database ``name`` once done (Django's connections closed first)."""
    if os.environ.get("DATABASE_URL") != PG_SERVER + name:
        return
    from django.db import connections

    connections.close_all()
    import psycopg2

    conn = psycopg2.connect(PG_SERVER + "postgres", connect_timeout=3)
    conn.autocommit = True
    with conn.cursor() as cursor:
        drop_database(cursor, name)
    conn.close()


# --- gunicorn and plain HTTP ----------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _opener():
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        """A redirect (e.g. to the login page) is a failure here, not something to follow."""

        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)


def http_get(url: str, headers: dict | None = None) -> bytes:
    """GET ``url``; anything but a 200 (a redirect included) raises."""
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    with _opener().open(request, timeout=60) as response:
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
        return response.read()


def gunicorn_command(
    port: int, *, workers: int, worker_class: str = "sync", threads: int = 1
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    return command


class gunicorn:  # noqa: N801 (used as a context manager, like open())
    """``with gunicorn(workers=2) as base:`` gunicorn on a free local port, this process's
    environment (DATABASE_URL, DJANGO_SETTINGS_MODULE …), healthy (/healthz answers) on entry,
    stopped on the way out. ``base`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, *, workers: int = 2, worker_class: str = "sync", threads: int = 1):
        self.options = {"workers": workers, "worker_class": worker_class, "threads": threads}

    def __enter__(self) -> str:
        import subprocess

        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = Path(tempfile.mkdtemp(prefix="bench-gunicorn-")) / "gunicorn.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            gunicorn_command(port, **self.options),
            cwd=ROOT,
            env=dict(os.environ),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(self.base, self.process, self.log_path)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.base

    def __exit__(self, *exc) -> None:
        import shutil
        import subprocess

        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.process.returncode in (0, -15):
            shutil.rmtree(self.log_path.parent, ignore_errors=True)  # kept if gunicorn failed

    def pids(self) -> list[int]:
        """The master and its workers (for CPU accounting)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [self.process.pid, *map(int, children.read_text().split())]
        except OSError:
            return [self.process.pid]


def wait_healthy(base: str, process, log_path: Path) -> None:
    import urllib.error

    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail}")
        try:
            http_get(f"{base}/healthz")
            return
        except (urllib.error.URLError, ConnectionError, RuntimeError) as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /healthz within 60 s: {exc}") from exc
            time.sleep(0.2)


def session_cookie(user) -> str:
    """``name=value`` of a logged-in (and, for the roles that need it, verified) session."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    force_login(client, user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
