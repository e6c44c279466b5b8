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
