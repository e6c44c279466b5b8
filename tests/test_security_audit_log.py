"""Security suite, security audit (issue 13, MLPS 2.0 level 3, GB/T 22239-2019 8.1.4.3): logins,
failed logins, logouts, refusals, downloads and admin changes are in the insert-only audit log
with address and user agent; the audit administrator alone searches and exports it, and those
reads are audited too; entries leave the database only into a verified archive."""

import datetime as dt
import gzip
import hashlib
import io
import json
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from consortia.models import Plan
from consortia.tests.conftest import make_consortium
from portal.audit_archive import check_audit_retention
from portal.models import AuditEntry, Organisation
from portal.services import audit_record
from portal.tests.factories import UserFactory
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
AGENT = "Mozilla/5.0 (audit-test)"
WHERE = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT}
PASSWORD = "pass-for-tests-1"


@pytest.fixture
def audit_admin(db):
    return UserFactory(role="audit_admin", organisation_code="MIIT")


def last(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None, f"no {action} entry"
    return entry


def from_request(entry: AuditEntry) -> None:
    assert entry.ip_address == ADDRESS
    assert entry.user_agent == AGENT


def api(user) -> APIClient:
    client = APIClient(**WHERE)
    client.force_login(user)
    return client


# --- the events ----------------------------------------------------------------------------


def test_login_and_logout_are_recorded_with_address_and_agent(client, province_user):
    response = client.post(
        reverse("login"), {"username": province_user.username, "password": PASSWORD}, **WHERE
    )
    assert response.status_code == 302
    login = last("auth.login")
    assert login.actor == province_user
    assert login.object_id == str(province_user.pk)
    from_request(login)

    assert client.post(reverse("logout"), **WHERE).status_code == 302
    logout = last("auth.logout")
    assert logout.actor == province_user
    from_request(logout)


def test_failed_login_of_an_unknown_user_is_recorded_without_the_password(client, province_user):
    response = client.post(
        reverse("login"), {"username": "nobody-" + "x" * 300, "password": "guess-1"}, **WHERE
    )
    assert response.status_code == 200  # the form again, with its error
    failed = last("auth.login_failed")
    assert failed.actor is None
    assert failed.content_type == ContentType.objects.get_for_model(province_user)
    assert failed.object_id == ""
    assert failed.data["username"] == ("nobody-" + "x" * 300)[:150]
    assert failed.data["known"] is False
    assert "guess-1" not in json.dumps(failed.data)
    from_request(failed)

    # A wrong password for a real account points at that account.
    client.post(reverse("login"), {"username": province_user.username, "password": "no"}, **WHERE)
    assert last("auth.login_failed").object_id == str(province_user.pk)


def test_failed_admin_login_is_recorded(client, ministry_admin):
    client.post(
        "/admin/login/", {"username": ministry_admin.username, "password": "wrong"}, **WHERE
    )
    failed = last("auth.login_failed")
    assert failed.data["path"] == "/admin/login/"
    from_request(failed)


def test_refused_page_is_recorded_with_path_method_and_reason(client, province_user):
    client.force_login(province_user)
    assert client.get("/audit/?action=auth.*", **WHERE).status_code == 403
    denied = last("access.denied")
    assert denied.actor == province_user
    assert denied.data["path"] == "/audit/?action=auth.*"
    assert denied.data["method"] == "GET"
    assert denied.data["reason"]  # the translated reason the user was shown
    from_request(denied)


def test_refused_api_request_is_recorded(ministry_staff):
    assert api(ministry_staff).get("/api/v1/audit-entries/").status_code == 403
    denied = last("access.denied")
    assert denied.actor == ministry_staff
    assert denied.data["path"] == "/api/v1/audit-entries/"
    assert denied.data["view"] == "audit-entry-list"
    assert denied.data["reason"]
    from_request(denied)


def test_scan_download_is_recorded_once_with_the_plan(client, province_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    consortium = make_consortium(province_user, Program.objects.get(code="idfa-2026"))
    name = default_storage.save("plans/scans/scan.pdf", ContentFile(b"%PDF-1.4 scan"))
    Plan.objects.filter(pk=consortium.plan.pk).update(scan=name)
    client.force_login(province_user)
    before = AuditEntry.objects.filter(action="file.download").count()

    response = client.get(reverse("consortia:scan", args=[consortium.pk]), **WHERE)
    assert response.status_code == 200
    b"".join(response.streaming_content)

    assert AuditEntry.objects.filter(action="file.download").count() == before + 1
    download = last("file.download")
    assert download.actor == province_user
    assert download.target == consortium.plan
    assert download.data["filename"].startswith("盖章扫描件-")
    assert download.data["content_type"] == "application/pdf"
    from_request(download)


def test_export_download_is_recorded(client, ministry_staff):
    client.force_login(ministry_staff)
    url = reverse("reporting:deliverable-catalogue", args=["dataset"]) + "?format=csv"
    response = client.get(url, **WHERE)
    assert response.status_code == 200
    download = last("file.download")
    assert download.actor == ministry_staff
    assert download.data["filename"].endswith(".csv")
    assert download.data["view"] == "reporting:deliverable-catalogue"
    from_request(download)


def test_admin_changes_are_recorded_one_by_one_and_in_bulk(client, ministry_admin):
    client.force_login(ministry_admin)
    response = client.post(
        "/admin/portal/organisation/add/",
        {"code": "AUD-1", "kind": "ministry", "name_zh": "审计测试单位", "sort_order": 0},
        **WHERE,
    )
    assert response.status_code == 302, response.content[:2000]
    added = Organisation.objects.get(code="AUD-1")
    entry = last("admin.add")
    assert entry.actor == ministry_admin
    assert entry.target == added
    from_request(entry)

    other = Organisation.objects.create(code="AUD-2", kind="ministry", name_zh="审计测试单位二")
    response = client.post(
        "/admin/portal/organisation/",
        {"action": "delete_selected", "_selected_action": [added.pk, other.pk], "post": "yes"},
        **WHERE,
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(code__startswith="AUD-").exists()
    deleted = AuditEntry.objects.filter(action="admin.delete")
    assert sorted(e.object_id for e in deleted) == sorted([str(added.pk), str(other.pk)])
    assert all(e.ip_address == ADDRESS for e in deleted)


def test_audit_failure_does_not_change_the_answer(client, province_user):
    client.force_login(province_user)
    with mock.patch.object(AuditEntry.objects, "create", side_effect=RuntimeError("db down")):
        assert client.get("/audit/", **WHERE).status_code == 403


def test_static_files_and_health_check_are_not_recorded(client):
    before = AuditEntry.objects.count()
    client.get("/static/css/portal.css")
    client.get("/healthz")
    assert AuditEntry.objects.count() == before


# --- the audit administrator's page, API and export ----------------------------------------


@pytest.fixture
def some_entries(province_user, ministry_staff):
    audit_record(actor=province_user, action="plan.submit", target=province_user)
    AuditEntry.objects.create(
        actor=ministry_staff,
        action="file.download",
        content_type=ContentType.objects.get_for_model(ministry_staff),
        object_id=str(ministry_staff.pk),
        comment='=HYPERLINK("http://evil")',
        ip_address="10.9.8.7",
        user_agent="curl/8",
    )


def test_audit_admin_searches_the_log_in_both_languages(client, audit_admin, some_entries):
    client.force_login(audit_admin)
    response = client.get("/audit/?address=10.9.&action=file.*", **WHERE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "审计日志" in page
    assert "curl/8" in page
    assert "plan.submit" not in page
    search = last("audit.search")
    assert search.actor == audit_admin
    assert search.data["filters"] == {"address": "10.9.", "action": "file.*"}
    assert search.data["results"] == 1
    from_request(search)

    response = client.get("/audit/?actor=" + audit_admin.username, HTTP_ACCEPT_LANGUAGE="en")
    assert "Audit log" in response.content.decode()
    # The earlier search is there: the audit administrator's own reads are in the log.
    assert "audit.search" in response.content.decode()


def test_audit_page_is_paginated_and_refuses_bad_filters(client, audit_admin, province_user):
    ct = ContentType.objects.get_for_model(province_user)
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=province_user, action="bulk.test", content_type=ct, object_id="1")
        for _ in range(60)
    )
    client.force_login(audit_admin)
    first = client.get("/audit/?action=bulk.test")
    assert first.context["page_obj"].paginator.num_pages == 2
    second = client.get("/audit/?action=bulk.test&page=2")
    assert len(second.context["entries"]) == 10
    bad = client.get("/audit/?since=not-a-date&address=<script>")
    assert bad.status_code == 200
    assert bad.context["filterset"].errors
    assert bad.context["entries"] == []


def test_audit_export_is_formula_safe_and_audited(client, audit_admin, some_entries):
    client.force_login(audit_admin)
    expected = AuditEntry.objects.filter(content_type__model="user").count()
    response = client.get("/audit/export/?format=csv&object_type=portal.user", **WHERE)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "plan.submit" in text
    export = last("audit.export")
    assert export.data["rows"] == expected >= 2
    assert export.data["format"] == "csv"
    from_request(export)
    # recorded once: as audit.export, not again as a download
    assert not AuditEntry.objects.filter(action="file.download", actor=audit_admin).exists()

    from openpyxl import load_workbook

    response = client.get("/audit/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    comments = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://evil")' in comments  # kept as text, not a formula
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

    bad = client.get("/audit/export/?format=exe")
    assert bad.status_code == 302


def test_audit_api_lists_filters_and_exports_for_the_audit_admin(audit_admin, some_entries):
    client = api(audit_admin)
    response = client.get("/api/v1/audit-entries/?address=10.9.8.7")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["action"] == "file.download"
    assert row["user_agent"] == "curl/8"
    assert row["object_type"] == "portal.user"
    assert last("audit.search").data["via"] == "api"
    from_request(last("audit.search"))

    assert client.get("/api/v1/audit-entries/?since=2026-13-45").status_code == 400

    response = client.get("/api/v1/audit-entries/export/?format=csv&action=plan.submit")
    assert response.status_code == 200
    assert "plan.submit" in response.content.decode("utf-8-sig")
    assert last("audit.export").data["rows"] == 1
    assert client.get("/api/v1/audit-entries/export/?format=pdf").status_code == 400


@pytest.mark.parametrize("role", ["ministry_admin", "ministry_staff", "provincial_authority"])
def test_only_the_audit_admin_reads_the_log(client, role):
    user = UserFactory(role=role, organisation_code="110000" if role.startswith("prov") else "MIIT")
    client.force_login(user)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/?format=csv").status_code == 403
    assert api(user).get("/api/v1/audit-entries/").status_code == 403
    assert api(user).get("/api/v1/audit-entries/export/").status_code == 403
    assert not user.has_perm("portal.view_auditentry")
    assert not AuditEntry.objects.filter(action__startswith="audit.").exists()


def test_audit_admin_has_the_view_permission(audit_admin):
    assert audit_admin.has_perm("portal.view_auditentry")


# --- retention and archive -------------------------------------------------------------------


def test_retention_below_six_months_is_refused_at_startup(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    [error] = check_audit_retention()
    assert error.id == "portal.E013"
    with pytest.raises(SystemCheckError):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
    settings.AUDIT_RETENTION_DAYS = 180
    assert check_audit_retention() == []


def test_archive_moves_only_old_entries_into_a_verified_archive(province_user, settings, tmp_path):
    settings.AUDIT_RETENTION_DAYS = 180
    old = [
        audit_record(actor=province_user, action="plan.submit", target=province_user, comment=c)
        for c in ("一", "二", "=三")
    ]
    later = timezone.now() + dt.timedelta(days=190)
    with mock.patch("django.utils.timezone.now", return_value=later):
        young = audit_record(actor=province_user, action="plan.accept", target=province_user)
    folder = tmp_path / "archive"
    at = timezone.now() + dt.timedelta(days=200)  # cutoff: 20 days from now

    with mock.patch("django.utils.timezone.now", return_value=at):
        out = io.StringIO()
        call_command("audit_archive", archive_dir=str(folder), stdout=out)
        assert "Would archive" in out.getvalue()
        assert not folder.exists()  # a dry run writes and deletes nothing
        assert AuditEntry.objects.filter(pk__in=[e.pk for e in old]).count() == 3

        out = io.StringIO()
        call_command("audit_archive", "--commit", "--json", archive_dir=str(folder), stdout=out)
    result = json.loads(out.getvalue())
    assert result["committed"] is True
    assert result["deleted"] >= 3

    [archive] = folder.glob("*.jsonl.gz")
    manifest = json.loads(next(folder.glob("*.manifest.json")).read_text())
    assert manifest["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    with gzip.open(archive, "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    assert len(lines) == manifest["entries"] == result["deleted"]
    archived = {line["id"]: line for line in lines}
    assert {e.pk for e in old} <= set(archived)
    assert archived[old[2].pk]["comment"] == "=三"
    assert archived[old[0].pk]["actor"] == province_user.username

    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    kept = AuditEntry.objects.get(pk=young.pk)  # younger than the retention: untouched
    assert kept.action == "plan.accept"
    assert young.pk not in archived
    record = last("audit.archive")
    assert record.data["sha256"] == manifest["sha256"]

    # Deleting any other way is still refused.
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=young.pk).delete()
    with pytest.raises(PermissionError):
        kept.delete()
    assert AuditEntry.objects.filter(pk=young.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_database_lets_only_the_archive_delete(province_user):
    entry = audit_record(actor=province_user, action="test.action", target=province_user)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditentry WHERE id = %s", [entry.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL portal.audit_archiving = 'on'")
        with pytest.raises(DatabaseError), transaction.atomic():  # UPDATE: never
            cursor.execute("UPDATE portal_auditentry SET comment = 'x' WHERE id = %s", [entry.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL portal.audit_archiving = 'on'")
        cursor.execute("DELETE FROM portal_auditentry WHERE id = %s", [entry.pk])
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
