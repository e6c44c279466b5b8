"""Backup → restore into a fresh database and media folder gives the same dashboard figures and
the same files; a damaged or incomplete backup is refused before anything changes.

Transactional (``reference_data``): pg_dump reads from another connection, which sees only
committed rows. On PostgreSQL the fresh database is created on the server of the test database
under a unique name and dropped afterwards; on SQLite it is a new file.
"""

import datetime as dt
import hashlib
import io
import json
import shutil
import uuid
from contextlib import contextmanager
from unittest import mock
from urllib.parse import quote

import psycopg2
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from consortia.models import Plan, PlanVersion
from consortia.samples import blank_pdf
from portal.backup import storage_walk
from portal.models import User
from portal.uploads import store_file
from reporting.conftest import make_pilot
from reporting.insights.tests.test_dashboard_pages import Q2, compute, report_q2
from reporting.periods import services
from reporting.periods.models import Evidence

DASHBOARDS = ["overview/", "tasks/", "heatmap/", "reports/", "entries/"]


def on_date(iso: str):
    return mock.patch("django.utils.timezone.localdate", return_value=dt.date.fromisoformat(iso))


@pytest.fixture
def portal_data(reference_data, province_user, ministry_staff, settings, tmp_path):
    """An approved pilot (its plan with the stamped scan and the approved version's files) and
    a submitted Q2 report with an evidence file, rolled up into dashboard figures."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    pilot = make_pilot(province_user, ministry_staff)
    report = report_q2(pilot, on_date, submit=False)
    with on_date("2026-07-01"):
        upload = SimpleUploadedFile("检测报告.pdf", blank_pdf(2), content_type="application/pdf")
        services.report_add_evidence(actor=pilot.lead, report=report, task_number=4, upload=upload)
        report.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=report)
    compute()
    return pilot


def dashboard_figures(api_client, user) -> dict:
    api_client.force_authenticate(user)
    figures = {}
    for path in DASHBOARDS:
        response = api_client.get(f"/api/v1/dashboards/{path}", Q2, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, path
        figures[path] = response.json()
    return figures


def digests(storage) -> dict[str, str]:
    found = {}
    for name in storage_walk(storage):
        with storage.open(name, "rb") as fh:
            found[name] = hashlib.sha256(fh.read()).hexdigest()
    return found


def referenced_files() -> set[str]:
    """Every file name the database refers to (scans, generated forms, evidence)."""
    names = set(Plan.objects.exclude(scan="").values_list("scan", flat=True))
    for field in ("pdf", "scan"):
        names |= set(PlanVersion.objects.exclude(**{field: ""}).values_list(field, flat=True))
    return names | set(Evidence.objects.values_list("file", flat=True))


@contextmanager
def fresh_database(tmp_path):
    """A new, empty database beside the test database: its DATABASE_URL and settings."""
    current = connections["default"].settings_dict
    if current["ENGINE"].endswith("sqlite3"):
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", {**current, "NAME": str(path)}
        return
    name = f"portal_restore_{uuid.uuid4().hex[:12]}"
    server = psycopg2.connect(
        dbname=current["NAME"],
        user=current["USER"],
        password=current["PASSWORD"],
        host=current["HOST"],
        port=current["PORT"] or 5432,
    )
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        credentials = quote(current["USER"] or "") + (
            ":" + quote(current["PASSWORD"]) if current["PASSWORD"] else ""
        )
        url = f"postgres://{credentials}@{current['HOST']}:{current['PORT'] or 5432}/{name}"
        yield url, {**current, "NAME": name}
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


@contextmanager
def serving_from(settings_dict):
    """The portal's default database is ``settings_dict`` inside the block."""
    original = connections["default"]
    restored = original.__class__(settings_dict, alias="default")
    connections["default"] = restored
    try:
        yield
    finally:
        restored.close()
        connections["default"] = original


def test_a_restored_backup_serves_the_same_figures_and_files(
    portal_data, ministry_staff, api_client, tmp_path
):
    before = dashboard_figures(api_client, ministry_staff)
    assert before["overview/"]["figures"]["reports"]["handed_in"] == 1
    files_before = digests(default_storage)
    assert referenced_files() <= set(files_before)
    assert any(name.startswith("reports/evidence/") for name in files_before)

    backup = tmp_path / "backup"
    call_command("portal_backup", str(backup), stdout=io.StringIO())
    manifest = json.loads((backup / "manifest.json").read_text())
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == files_before
    assert manifest["migrations"]["portal"][0] == "0001_initial"
    assert manifest["portal"]["version"]
    assert (backup / manifest["database"]["file"]).stat().st_mode & 0o077 == 0

    restored_media = tmp_path / "restored-media"
    with fresh_database(tmp_path) as (url, settings_dict):
        call_command(
            "portal_restore",
            str(backup),
            database_url=url,
            media_root=str(restored_media),
            interactive=False,
            stdout=io.StringIO(),
        )
        with serving_from(settings_dict):
            after = dashboard_figures(api_client, ministry_staff)
            names = referenced_files()
    assert after == before
    assert digests(FileSystemStorage(location=restored_media)) == files_before
    assert names <= set(files_before)


@pytest.fixture
def small_backup(db, settings, tmp_path):
    """A backup of the test database (committed rows only) and two stored scans."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for n in (1, 2):
        store_file(content=blank_pdf(n), path=f"plans/scans/scan-{n}.pdf")
    backup = tmp_path / "backup"
    call_command("portal_backup", str(backup), stdout=io.StringIO())
    return backup


def test_a_damaged_or_incomplete_backup_is_refused_and_nothing_changes(
    small_backup, ministry_staff, tmp_path
):
    backup = small_backup
    target = FileSystemStorage(location=tmp_path / "untouched")

    def refused(folder, message):
        with pytest.raises(CommandError, match=message):
            call_command(
                "portal_restore",
                str(folder),
                media_root=str(target.location),
                interactive=False,
                stdout=io.StringIO(),
            )

    # One byte of the dump changed.
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    dump = damaged / json.loads((damaged / "manifest.json").read_text())["database"]["file"]
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    refused(damaged, "does not match the digest in the manifest")

    # A media file changed inside the archive, the archive's own digest made to match.
    forged = tmp_path / "forged"
    shutil.copytree(backup, forged)
    manifest = json.loads((forged / "manifest.json").read_text())
    archive = forged / "media.tar"
    content = archive.read_bytes()
    start = content.index(b"%PDF-")
    archive.write_bytes(content[:start] + b"%PDF-9" + content[start + 6 :])
    manifest["media"]["sha256"] = hashlib.sha256(archive.read_bytes()).hexdigest()
    (forged / "manifest.json").write_text(json.dumps(manifest))
    refused(forged, "scan-1.pdf in the media archive does not match its digest")

    # A file missing from the archive, and a backup that never finished.
    incomplete = tmp_path / "incomplete"
    shutil.copytree(backup, incomplete)
    manifest = json.loads((incomplete / "manifest.json").read_text())
    manifest["files"].append({"name": "plans/scans/lost.pdf", "sha256": "0" * 64, "size": 1})
    (incomplete / "manifest.json").write_text(json.dumps(manifest))
    refused(incomplete, "incomplete: 1 media file")
    (incomplete / "manifest.json").unlink()
    refused(incomplete, "no manifest.json")

    # Nothing was touched: the database still has its rows, the media target stays empty.
    assert User.objects.filter(pk=ministry_staff.pk).exists()
    assert list(storage_walk(target)) == []
    # A backup never writes over another one.
    with pytest.raises(CommandError, match="is not empty"):
        call_command("portal_backup", str(backup), stdout=io.StringIO())
    # The intact backup verifies.
    out = io.StringIO()
    call_command("portal_restore", str(backup), verify_only=True, stdout=out)
    assert "complete and intact" in out.getvalue()
