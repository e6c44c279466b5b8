"""Media files go through Django's storage API only, so that web nodes can share an object store:
with a storage that has no local paths, an upload, its download and a job's file all work and
nothing is written under MEDIA_ROOT. STORAGE_BACKEND picks local disk or an S3-compatible store."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import InMemoryStorage, default_storage
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from consortia.pdf import plan_pdf_page_count
from consortia.samples import fill_plan, scan_upload
from consortia.tests.conftest import make_consortium
from portal.backup import storage_walk
from reporting.insights.models import ExportJob
from reporting.models import JobStatus
from tasks_catalog.models import Program


@pytest.fixture
def object_store(settings, tmp_path, monkeypatch):
    """Media in Django's in-memory storage; MEDIA_ROOT points at a folder that must never come to
    exist, and a file field's local ``.path`` (which an object store lacks) fails the test."""
    media_root = tmp_path / "media-never-written"
    settings.MEDIA_ROOT = str(media_root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    def no_path(field_file):
        pytest.fail(f"{field_file.name} was read by its local path")

    monkeypatch.setattr(FieldFile, "path", property(no_path))
    yield default_storage
    assert not media_root.exists()


@pytest.mark.django_db
def test_upload_download_and_job_files_never_touch_a_local_path(
    object_store,
    api_client,
    client,
    province_user,
    ministry_staff,
    django_capture_on_commit_callbacks,
):
    program = Program.objects.get(code="idfa-2026")
    consortium = make_consortium(province_user, program)
    plan = fill_plan(actor=province_user, consortium=consortium)
    upload = scan_upload(plan_pdf_page_count(plan))  # the generated form, cached in the storage
    content = upload.read()
    upload.seek(0)

    api_client.force_authenticate(province_user)
    url = f"/api/v1/consortia/{consortium.pk}/plan/scan/"
    response = api_client.post(url, {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    plan.refresh_from_db()
    assert isinstance(default_storage._wrapped, InMemoryStorage)
    assert default_storage.exists(plan.scan.name)

    download = api_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Length"] == str(len(content))

    # A job's file (an export of the dashboard's entries) is stored and sent the same way.
    client.force_login(ministry_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("dashboards:export", args=["entries"]),
            {"period": "2026-q2", "format": "csv"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        stored = fh.read()
    assert stored.startswith("\ufeff".encode())  # the CSV export's byte order mark
    download = client.get(reverse("dashboards:export-download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == stored

    names = set(storage_walk(default_storage))
    assert {plan.scan.name, job.file.name} <= names


def _settings_with(monkeypatch, **environment) -> dict:
    for name in ("STORAGE_BACKEND", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "portal" / "settings" / "base.py"))


def test_local_disk_by_default_and_an_s3_compatible_store_by_setting(monkeypatch):
    assert _settings_with(monkeypatch)["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    s3 = _settings_with(
        monkeypatch,
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="portal-media",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
    )["STORAGES"]["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == (
        "portal-media",
        "http://minio:9000",
    )
    assert options["file_overwrite"] is False  # a taken name gets a new one, as on disk
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        _settings_with(monkeypatch, STORAGE_BACKEND="s3")
    with pytest.raises(ImproperlyConfigured, match="STORAGE_BACKEND"):
        _settings_with(monkeypatch, STORAGE_BACKEND="ftp")
