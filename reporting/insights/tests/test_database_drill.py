"""Fault drill (issue 14): the database stops for 10 s while a job fails. The test owns that
database — a PostgreSQL cluster it creates (initdb) and stops and starts, a copy of the test
database — and a Redis and a worker (``drills.py``): never the machine's. The job must end done
or failed once the database is back, never "running" for good. CI runs it (REDIS_URL and a
PostgreSQL DATABASE_URL); the unit behind it runs everywhere (portal/tests/test_faults.py)."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from portal import jobs
from reporting.insights.tests import drills

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
PERIOD = 2.0
DOWN = 10.0

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs redis-server and a PostgreSQL test database (CI: REDIS_URL, DATABASE_URL)",
    ),
    pytest.mark.skipif(not BIN, reason="PostgreSQL's initdb is not installed"),
]


class OwnPostgres:
    """A throw-away cluster on a free port, run as the ``postgres`` user when we are root
    (initdb refuses root)."""

    def __init__(self, tmp: Path) -> None:
        self.bin = Path(BIN[-1]).parent
        # Not under pytest's tmp_path: its parents are private to root, the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="portal-drill-pg-"))
        self.dir = self.root / "pg"
        self.port = drills.free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/drill"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=60, cwd="/")

    def init(self) -> None:
        self.dir.mkdir()
        if self.as_user:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.root, "postgres")
        self.run(str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-o", options, "-w", "start",
                 "-l", str(self.dir / "log"))  # fmt: skip

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-m", "fast", "-w", "stop")

    def copy_of(self, source_url: str) -> None:
        """The test database's schema and rows, in a database ``drill`` of this cluster."""
        psql = [str(self.bin / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U"]
        subprocess.run([*psql, "postgres", "-c", "CREATE DATABASE drill"], check=True,
                       capture_output=True, timeout=30)  # fmt: skip
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--no-owner", "--no-privileges", source_url],
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run([*psql, "postgres", "-d", "drill", "-v", "ON_ERROR_STOP=1"],
                       input=dump.stdout, check=True, capture_output=True, timeout=60)  # fmt: skip

    def query(self, sql: str, *params):
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="drill")
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        finally:
            conn.close()


def test_the_database_stopped_while_a_job_fails_the_job_ends_done_or_failed(db, settings, tmp_path):
    from urllib.parse import urlsplit, urlunsplit

    settings.JOB_SWEEP_SECONDS = settings.JOB_GRACE_SECONDS = settings.JOB_LEASE_SECONDS = PERIOD
    settings.MEDIA_ROOT = str(tmp_path / "media")
    source = urlsplit(os.environ["DATABASE_URL"])
    source_url = urlunsplit(source._replace(path="/" + connection.settings_dict["NAME"]))
    postgres = OwnPostgres(tmp_path)
    try:
        postgres.init()
    except (subprocess.CalledProcessError, FileNotFoundError, LookupError) as exc:
        pytest.skip(f"cannot create a PostgreSQL cluster here: {exc}")
    redis = drills.OwnRedis()
    postgres.start()
    redis.start()
    worker = None
    beat = drills.Beat()
    try:
        postgres.copy_of(source_url)
        with drills.celery_pointed_at(redis.url, settings):
            worker = drills.DrillWorker(
                redis_url=redis.url, database_url=postgres.url, tmp=tmp_path
            )
            worker.wait_ready()
            (tmp_path / "slow").touch()  # the roll-up waits until the database is gone
            (run_id,) = postgres.query(
                "INSERT INTO reporting_rolluprun (program_id, status, reason, requested_at, "
                "attempts, \"rows\", error, lease_expires_at) VALUES (NULL, 'pending', 'drill', "
                "now(), 0, 0, '', now() + interval '1 minute') RETURNING id"
            )
            assert jobs.dispatch("reporting.tasks.rollup_run_task", run_id)
            status = lambda: postgres.query(  # noqa: E731
                "SELECT status, attempts, error FROM reporting_rolluprun WHERE id = %s", run_id
            )
            drills.wait_for(lambda: status()[0] == "running", timeout=20, what="the run starts")
            postgres.stop()
            (tmp_path / "slow").unlink()  # the run goes on, fails, cannot record it
            time.sleep(DOWN)
            postgres.start()
            back = time.monotonic()
            beat.start()
            drills.wait_for(
                lambda: status()[0] in ("done", "failed"),
                timeout=30,
                step=0.2,
                what="the run ends after the database is back",
            )
            recovery = time.monotonic() - back
            final = status()
            print(
                f"\ndatabase down {DOWN:.0f} s while the run failed: it ended {final[0]} "
                f"(attempt {final[1]}) {recovery:.1f} s after the database was back "
                f"(sweeper: {PERIOD} s, lease: {PERIOD} s)"
            )
            assert final[0] == "done"  # started again by the sweeper, and finished
            assert final[1] == 2
            assert recovery < PERIOD + 2 * PERIOD + 5
    finally:
        if beat.is_alive():
            beat.stop()
        if worker is not None:
            worker.stop()
        redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres.stop()
        shutil.rmtree(postgres.root, ignore_errors=True)
