"""Benchmarks cannot rot: every ``bench/*.py`` runs here in its smoke mode (tiny size, one
repetition, no goals judged), so one that breaks fails the build (issue 15).

Each runs in its own process on its own SQLite file (copied from one migrated template), with
Celery eager and no Redis: the figures mean nothing, the run proves the code still works.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# Each benchmark and a line its output must carry (the figures it exists to print).
BENCHMARKS = {
    "foundation.py": "Foundation pages",
    "plan_pdf.py": "portal / floor on p50",
    "dashboards.py": "roll-ups / floor",
    "load.py": "Goal: ≥ 100 req/s",
}

pytestmark = pytest.mark.bench


def _env(tmp: Path, database: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_ROOT=str(tmp / "media"),
        DJANGO_SETTINGS_MODULE="portal.settings.test",
    )
    return env


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("bench-template")
    database = tmp / "template.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--no-input"],
        cwd=ROOT,
        env=_env(tmp, database),
        check=True,
        timeout=300,
    )
    return database


def test_every_benchmark_is_listed_here():
    scripts = {p.name for p in BENCH.glob("*.py")} - {"__init__.py", "common.py"}
    # dashboard_data.py is the data generator of dashboards.py (and load.py), which run it;
    # locustfile.py is the scenario load.py gives locust.
    helpers = {"dashboard_data.py", "locustfile.py", "rollup_increments.py"}  # run by others
    assert scripts - helpers == set(BENCHMARKS)


@pytest.mark.parametrize("script", sorted(BENCHMARKS))
def test_benchmark_runs_in_smoke_mode(script, migrated_template, tmp_path):
    database = tmp_path / "bench.sqlite3"
    shutil.copyfile(migrated_template, database)
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke"],
        cwd=ROOT,
        env=_env(tmp_path, database),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert BENCHMARKS[script] in output, output[-4000:]
