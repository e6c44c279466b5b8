"""Fixtures shared by every app's tests: users for each role, clients, a real Celery worker, a browser."""

import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from portal.tests.factories import UserFactory, unit_factory  # noqa: E402

#: Tests that take tens of seconds apart from their markers (browser, bench, schema, worker).
SLOW_FILES = frozenset(
    {
        "tests/test_demo.py",
        "tests/test_backup_restore.py",
        "reporting/insights/tests/test_fault_drills.py",
        "reporting/insights/tests/test_database_drill.py",
    }
)
SLOW_MARKERS = ("browser", "bench", "schema", "worker")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The slow tests first, so that pytest-xdist's workers end together instead of one working
    through a minute-long test while the other waits. pytest-django has ordered the tests by how
    they use the database (plain, then transactional, whose flush empties it, then none), and
    that order is kept: the slow ones move to the front of their own group, and the slow ones
    that use no database (the benchmarks' smoke runs) to the very front."""

    from django.test import TestCase, TransactionTestCase

    def group(item) -> int:  # pytest-django's order: 0 plain, 1 transactional, 2 no database
        cls = getattr(item, "cls", None)
        if cls is not None and issubclass(cls, TransactionTestCase):
            return 0 if issubclass(cls, TestCase) else 1
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        if (
            marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
        ) or ("transactional_db" in fixtures or "live_server" in fixtures):
            return 1
        return 0 if marker or "db" in fixtures else 2

    def slow(item) -> bool:
        return item.nodeid.split("::")[0] in SLOW_FILES or any(
            item.get_closest_marker(name) for name in SLOW_MARKERS
        )

    def key(item) -> tuple[int, bool]:
        rank, is_slow = group(item), slow(item)
        return (-1 if rank == 2 and is_slow else rank, not is_slow)

    items.sort(key=key)


@pytest.fixture(autouse=True)
def _fresh_reference_lists():
    """Each test reads the reference lists afresh (a rolled-back test leaves no entries behind)."""
    from tasks_catalog import terms

    terms.forget()
    yield
    terms.forget()


@pytest.fixture(autouse=True)
def _second_factor_passed_at_login(request):
    """Two factors are enforced in tests as in production (``OTP_REQUIRED``); outside the tests
    marked ``otp``, a login of a role that needs them (``client.force_login``, ``client.login``,
    a browser's login form) counts as verified, through a code-less device made for the test."""
    if request.node.get_closest_marker("otp"):
        yield
        return
    from django.contrib.auth.signals import user_logged_in
    from django_otp import DEVICE_ID_SESSION_KEY

    def mark_verified(sender, request, user, **kwargs):
        from django_otp.plugins.otp_static.models import StaticDevice

        from portal.otp import otp_role

        if otp_role(user) and request is not None:
            device, _created = StaticDevice.objects.get_or_create(
                user=user, name="tests", defaults={"confirmed": True}
            )
            request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id

    user_logged_in.connect(mark_verified, weak=False, dispatch_uid="tests.otp_verified")
    yield
    user_logged_in.disconnect(dispatch_uid="tests.otp_verified")


@pytest.fixture
def ministry_admin(db):
    return UserFactory(role="ministry_admin", organisation_code="MIIT")


@pytest.fixture
def ministry_staff(db):
    return UserFactory(role="ministry_staff", organisation_code="MIIT")


@pytest.fixture
def province_user(db):
    return UserFactory(role="provincial_authority", organisation_code="110000")


@pytest.fixture
def other_province_user(db):
    return UserFactory(role="provincial_authority", organisation_code="440000")


@pytest.fixture
def consortium_lead(db):
    return UserFactory(role="consortium_lead", organisation=unit_factory())


@pytest.fixture
def consortium_member(db):
    return UserFactory(role="consortium_member", organisation=unit_factory())


@pytest.fixture
def security_admin(db):
    return UserFactory(role="security_admin", organisation_code="MIIT")


@pytest.fixture
def audit_admin(db):
    return UserFactory(role="audit_admin", organisation_code="MIIT")


@pytest.fixture
def role_users(ministry_admin, ministry_staff, province_user, consortium_lead, consortium_member):
    return {
        "ministry_admin": ministry_admin,
        "ministry_staff": ministry_staff,
        "provincial_authority": province_user,
        "consortium_lead": consortium_lead,
        "consortium_member": consortium_member,
    }


def _reseed_reference_data() -> None:
    """Run the reference-data migrations again (they are idempotent).

    A transactional test (live server, real worker) ends with a flush that empties every table,
    seeded reference data included; its successors call this instead of relying on
    serialized rollback, which does not survive Playwright's greenlets.
    """
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    # The flush emptied content types and permissions too: forget the cached ids, recreate them.
    ContentType.objects.clear_cache()
    from guardian.shortcuts import clear_ct_cache

    clear_ct_cache()  # guardian keeps its own lru_cache of permission content types
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)

    from portal.roles import sync_role_groups

    for module in (
        "portal.migrations.0002_reference_organisations",
        "tasks_catalog.migrations.0002_seed_programs",
        "tasks_catalog.migrations.0006_seed_plan_forms",
        "reporting.migrations.0002_periods_from_calendar",
        "reporting.migrations.0007_key_industry_models",
        "tasks_catalog.migrations.0010_seed_reference_lists",
        "reporting.migrations.0010_idfa_final_summary_period",
        "reporting.migrations.0011_evaluation",
    ):
        migration = importlib.import_module(module)
        # A seed written for a since-changed model offers ``reseed`` for today's models.
        getattr(migration, "reseed", migration.seed)(apps, None)
    sync_role_groups()


@pytest.fixture
def reference_data(transactional_db):
    _reseed_reference_data()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def _worker_database_url(settings_dict) -> str:
    """The DATABASE_URL of the test database, for a worker in another process."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + settings_dict["NAME"]))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real ``celery worker`` process on Redis, working on the test database.

    Only with REDIS_URL and a server database (CI). The worker takes only the queue of the test
    settings, one per pytest-xdist worker (``portal.settings.test``), and answers to a name of
    its own: parallel test workers each have their own Celery worker on their own database.
    """
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        pytest.skip("needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)")
    from django.conf import settings
    from django.db import connection

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    suffix = f"-{settings.XDIST_WORKER}" if settings.XDIST_WORKER else ""
    name = f"portal-test{suffix}@{socket.gethostname()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": _worker_database_url(connection.settings_dict),
        "CELERY_QUEUE": queue,
    }
    log_path = os.path.join(settings.BASE_DIR, "var", f"test-worker{suffix}.log")
    log = open(log_path, "wb")  # noqa: SIM115 - closed when the session ends
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-n",
            name,
            "-Q",
            queue,
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    from portal.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited; see {log_path}")
        if app.control.ping(destination=[name], timeout=1.0):
            break
    else:
        proc.terminate()
        raise RuntimeError("the Celery worker did not answer within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def real_worker(celery_worker_process, reference_data):
    """Run tasks on the worker process instead of eagerly, for one test."""
    from celery.result import allow_join_result

    from portal.celery import app

    app.conf.task_always_eager = False
    # Eager tasks run by several threads at once (the concurrency tests) can leave Celery's
    # process-wide "inside a task" flag set, which then refuses ``result.get()``: clear it here.
    with allow_join_result():
        yield celery_worker_process
    app.conf.task_always_eager = True


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright (its own browser download does not work here)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.fail(f"{executable} is missing: `./dev test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(scope="session", autouse=True)
def _pdf_memo():
    """WeasyPrint, remembered per HTML: a test that renders the very HTML an earlier test in the
    same process rendered (the same sample plan of the ``pilot`` fixture, typically) gets the
    bytes of that real render. Rendering is a pure function of the HTML, and a plan's form took
    about a second a pilot: some 300 renders of the suite's worker time, kept for the first of
    each. A test that patches ``portal.pdf.html_to_pdf`` itself patches over this."""
    import hashlib
    from unittest import mock

    from portal import pdf

    real, rendered = pdf.html_to_pdf, {}

    def remembered(html: str) -> bytes:
        key = hashlib.sha256(html.encode()).digest()
        if key not in rendered:
            rendered[key] = real(html)
        return rendered[key]

    with mock.patch.object(pdf, "html_to_pdf", remembered):
        yield
