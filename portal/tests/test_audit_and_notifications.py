"""The audit log is insert-only; notifications are sent once; roles map to groups."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils.translation import get_language

from portal.models import AuditEntry, Notification, User
from portal.notifications import notification_queue, notifications_queue
from portal.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_entries_cannot_be_changed_or_deleted(ministry_admin):
    entry = audit_record(
        actor=ministry_admin, action="test.action", target=ministry_admin, comment="x"
    )
    entry.comment = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(comment="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).comment == "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_database_refuses_to_rewrite_audit_entries(ministry_admin):
    entry = audit_record(actor=ministry_admin, action="test.action", target=ministry_admin)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditentry SET comment = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditentry WHERE id = %s", [entry.pk])


def test_audit_log_is_read_only_in_the_admin(client, ministry_admin, audit_admin):
    # Reading it is the audit administrator's (三员分立, tests/test_security_admins.py).
    entry = audit_record(actor=ministry_admin, action="test.action", target=ministry_admin)
    # The system administrator does not read the audit log (三员分立): the audit administrator does.
    client.force_login(ministry_admin)
    assert client.get(f"/admin/portal/auditentry/{entry.pk}/change/").status_code == 403
    client.force_login(audit_admin)
    assert client.get(f"/admin/portal/auditentry/{entry.pk}/change/").status_code == 200
    response = client.post(f"/admin/portal/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_notification_is_delivered_once_and_listed_for_its_recipient(
    client, province_user, other_province_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_queue(
            recipient=province_user, kind="test", subject="计划已提交", body="正文", dedupe_key="k1"
        )
        again = notification_queue(
            recipient=province_user, kind="test", subject="计划已提交", body="正文", dedupe_key="k1"
        )
    assert first.pk == again.pk
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [province_user.email]
    first.refresh_from_db()
    assert first.status == Notification.Status.SENT
    assert first.sent_at

    client.force_login(province_user)
    assert "计划已提交" in client.get("/notifications/").content.decode()
    client.force_login(other_province_user)
    assert "计划已提交" not in client.get("/notifications/").content.decode()


def test_notifications_are_written_once_per_language_in_each_recipients_own(
    province_user, other_province_user, ministry_staff
):
    other_province_user.language = "en"
    other_province_user.save()
    composed = []

    def message():
        composed.append(get_language())
        return f"subject-{get_language()}", "body"

    notifications = notifications_queue(
        recipients=[province_user, other_province_user, ministry_staff],
        kind="test",
        message=message,
        dedupe_key=lambda user: f"test:{user.pk}",
    )
    assert sorted(composed) == ["en", "zh-hans"]  # once per language, not per recipient
    assert {n.recipient_id: n.subject for n in notifications} == {
        province_user.pk: "subject-zh-hans",
        other_province_user.pk: "subject-en",
        ministry_staff.pk: "subject-zh-hans",
    }
    assert {n.dedupe_key for n in notifications} == {
        f"test:{u.pk}" for u in (province_user, other_province_user, ministry_staff)
    }


def test_switching_the_language_remembers_it_for_the_users_e_mails(client, province_user):
    assert province_user.language == "zh-hans"  # the portal's language until they choose
    client.force_login(province_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/notifications/"})
    assert response.status_code == 302
    assert response.url == "/notifications/"
    assert response.cookies["django_language"].value == "en"
    assert User.objects.get(pk=province_user.pk).language == "en"
    entry = AuditEntry.objects.get(action="user.language", object_id=str(province_user.pk))
    assert entry.actor == province_user
    assert entry.data == {"from": "zh-hans", "to": "en"}
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert AuditEntry.objects.filter(action="user.language").count() == 1  # no change, no entry


def test_an_unknown_language_or_an_anonymous_switch_stores_nothing(client, province_user):
    client.force_login(province_user)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert User.objects.get(pk=province_user.pk).language == "zh-hans"
    client.logout()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"  # the page still switches
    assert User.objects.get(pk=province_user.pk).language == "zh-hans"
    assert not AuditEntry.objects.filter(action="user.language").exists()


def test_the_ministry_administrator_sets_a_users_language_in_the_admin(
    client, ministry_admin, province_user
):
    client.force_login(ministry_admin)
    url = reverse("admin:portal_user_change", args=[province_user.pk])
    assert 'name="language"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "username": province_user.username,
            "email": province_user.email,
            "first_name": province_user.first_name,
            "last_name": province_user.last_name,
            "role": province_user.role,
            "organisation": province_user.organisation_id,
            "language": "en",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=province_user.pk).language == "en"


def test_notification_api_shows_only_my_own(api_client, province_user, other_province_user):
    notification_queue(recipient=province_user, kind="test", subject="mine", body="b")
    api_client.force_authenticate(other_province_user)
    assert api_client.get("/api/v1/notifications/").json()["count"] == 0
    api_client.force_authenticate(province_user)
    assert [n["subject"] for n in api_client.get("/api/v1/notifications/").json()["results"]] == [
        "mine"
    ]


def test_roles_map_to_groups_and_admin_access(role_users):
    for role, user in role_users.items():
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff == (role == "ministry_admin")
    admin = role_users["ministry_admin"]
    assert admin.has_perm("tasks_catalog.change_referencetask")
    assert not role_users["ministry_staff"].has_perm("tasks_catalog.change_referencetask")


def test_role_must_match_the_organisation_kind(province_user):
    from django.core.exceptions import ValidationError

    from portal.models import Organisation

    province_user.role = "ministry_staff"
    with pytest.raises(ValidationError):
        province_user.full_clean()
    province_user.role = "consortium_lead"
    province_user.organisation = Organisation.objects.get(code="MIIT")
    with pytest.raises(ValidationError):
        province_user.full_clean()


def test_beat_schedule_is_in_the_database_and_editable_by_the_ministry_administrator(
    client, ministry_admin, ministry_staff
):
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.get(task="portal.tasks.notification_retry_failed_task")
    assert job.enabled
    assert job.crontab.hour == "2"
    url = f"/admin/django_celery_beat/periodictask/{job.pk}/change/"
    client.force_login(ministry_staff)
    assert client.get(url).status_code == 302  # to the admin login: not for staff
    client.force_login(ministry_admin)
    assert client.get(url).status_code == 200


def test_failed_notifications_are_retried(province_user, mailoutbox, settings):
    failed = Notification.objects.create(
        recipient=province_user, kind="test", subject="retry me", body="b", status="failed"
    )
    from portal.notifications import notification_retry_failed

    assert notification_retry_failed() == 1
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert [m.subject for m in mailoutbox] == ["retry me"]


def test_notifications_left_pending_by_a_dead_worker_are_sent_by_the_nightly_job(
    province_user, mailoutbox
):
    import datetime as dt

    from django.utils import timezone

    from portal.notifications import notification_retry_failed

    stuck = Notification.objects.create(
        recipient=province_user, kind="plan.return", subject="stuck", body="b"
    )
    fresh = Notification.objects.create(
        recipient=province_user, kind="plan.return", subject="fresh", body="b"
    )
    Notification.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert notification_retry_failed() == 1
    assert Notification.objects.get(pk=stuck.pk).status == Notification.Status.SENT
    assert (
        Notification.objects.get(pk=fresh.pk).status == Notification.Status.PENDING
    )  # may still be on its way
    assert [m.subject for m in mailoutbox] == ["stuck"]


def test_an_audit_entry_keeps_the_address_and_agent_of_the_request_behind_it(client, province_user):
    """MLPS 2.0 security audit: what a person did carries where they did it from."""
    client.force_login(province_user)
    client.post(
        reverse("set_language"),
        {"language": "en", "next": "/"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Probe/1.0 " + "x" * 400,
    )
    entry = AuditEntry.objects.get(action="user.language", actor=province_user)
    assert entry.ip_address == "203.0.113.9"
    assert entry.user_agent.startswith("Probe/1.0")
    assert len(entry.user_agent) == 300
    # Outside a request (a job, a command) there is neither.
    job_entry = audit_record(actor=None, action="job.test", target=province_user)
    assert job_entry.ip_address is None
    assert job_entry.user_agent == ""
