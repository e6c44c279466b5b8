"""Report reminders: 14 and 3 days before the due date, on it and once overdue, to the lead and the
province; once per recipient × period × kind however often (or however concurrently) the job runs."""

import datetime as dt
import json
import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from consortia.pdf import plan_pdf_page_count
from consortia.samples import fill_plan, scan_upload
from consortia.services import plan_approve, plan_submit, plan_upload_scan
from consortia.tests.conftest import BEFORE_DEADLINE, make_consortium, make_ready_plan
from portal.models import Notification, User
from reporting.periods.models import ProgressReport, ReportingPeriod
from reporting.periods.reminders import reminders_due, reminders_send
from reporting.tasks import reminders_send_task
from tasks_catalog.models import Program

Q2_DUE = dt.date(2026, 7, 15)  # the 2026 Q2 report of idfa-2026; entry locks after 2026-07-30
OTHER_LEAD_EMAIL = "chenjing@unit.example.cn"


def _before_deadline():
    """Plans are submitted and approved before the program's plan deadline (2026-03-08)."""
    return mock.patch(
        "django.utils.timezone.localdate", return_value=dt.date.fromisoformat(BEFORE_DEADLINE)
    )


def _approve(plan, *, authority_user, ministry_user):
    plan_submit(actor=authority_user, plan=plan)
    plan_approve(actor=ministry_user, plan=plan)
    plan.consortium.refresh_from_db()
    return plan.consortium


def approved_pilot(authority_user, ministry_user):
    """An approved pilot consortium of Beijing, with its lead user (created on approval)."""
    program = Program.objects.get(code="idfa-2026")
    with _before_deadline():
        plan = make_ready_plan(authority_user, program)
        return _approve(plan, authority_user=authority_user, ministry_user=ministry_user)


def approved_other_pilot(authority_user, ministry_user, name="粤港澳电子信息数据联合体"):
    """A second pilot, with a lead contact (hence a lead user) of its own."""
    program = Program.objects.get(code="idfa-2026")
    with _before_deadline():
        consortium = make_consortium(
            authority_user, program, name=name, contact_email=OTHER_LEAD_EMAIL
        )
        plan = fill_plan(actor=authority_user, consortium=consortium)
        plan_upload_scan(
            actor=authority_user, plan=plan, upload=scan_upload(plan_pdf_page_count(plan))
        )
        plan.refresh_from_db()
        return _approve(plan, authority_user=authority_user, ministry_user=ministry_user)


def lead_of(consortium):
    return User.objects.get(email__iexact=consortium.contact_email, role="consortium_lead")


def q2(consortium):
    return ReportingPeriod.objects.get(program=consortium.program, code="2026-q2")


def reminders(**filters):
    return Notification.objects.filter(kind__startswith="reminder.", **filters)


@pytest.fixture
def beijing_pilot(db, province_user, ministry_staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return approved_pilot(province_user, ministry_staff)


@pytest.fixture
def submitted_pilot(db, other_province_user, ministry_staff, settings, tmp_path):
    """Guangdong's pilot, whose Q2 report is already submitted."""
    settings.MEDIA_ROOT = str(tmp_path)
    consortium = approved_other_pilot(other_province_user, ministry_staff)
    ProgressReport.objects.create(consortium=consortium, period=q2(consortium), state="submitted")
    return consortium


def test_fourteen_days_before_the_due_date_the_lead_and_the_province_are_reminded_once(
    beijing_pilot,
    submitted_pilot,
    province_user,
    other_province_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    lead = lead_of(beijing_pilot)
    mailoutbox.clear()
    with (
        mock.patch("django.utils.timezone.localdate", return_value=Q2_DUE - dt.timedelta(14)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminders_send_task.delay().get() == 2
        assert reminders_send_task.delay().get() == 0  # the next run (or a retry) adds nothing

    sent = reminders()
    assert sorted(sent.values_list("recipient_id", "kind")) == sorted(
        [(lead.pk, "reminder.before_14"), (province_user.pk, "reminder.before_14")]
    )
    assert {n.dedupe_key for n in sent} == {
        f"reminder:before_14:{q2(beijing_pilot).pk}:{beijing_pilot.pk}:{user.pk}"
        for user in (lead, province_user)
    }
    assert all(n.status == "sent" for n in sent)
    assert {n.url for n in sent} == {"/reports/"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lead.email, province_user.email])
    # Chinese first: the period's Chinese name is in the subject.
    assert "2026年第二季度进展报告" in mailoutbox[0].subject
    assert beijing_pilot.name in mailoutbox[0].subject and "2026-07-15" in mailoutbox[0].body
    # The consortium whose report is submitted: nobody is reminded.
    submitted_lead = lead_of(submitted_pilot)
    assert not reminders(recipient__in=[submitted_lead, other_province_user]).exists()


def test_each_recipient_is_reminded_in_their_own_language(
    beijing_pilot, province_user, mailoutbox, django_capture_on_commit_callbacks
):
    lead = lead_of(beijing_pilot)
    lead.language = "en"
    lead.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=Q2_DUE - dt.timedelta(14)) == 2
    sent = {m.to[0]: m for m in mailoutbox}
    name = beijing_pilot.name
    assert sent[lead.email].subject == (
        f"Reminder: the “2026 Q2 progress report” of “{name}” is due in 14 days"
    )
    assert "has not been submitted yet" in sent[lead.email].body
    chinese = sent[province_user.email]
    assert "2026年第二季度进展报告" in chinese.subject and "Reminder" not in chinese.subject
    assert "submitted" not in chinese.body


def test_due_date_overdue_once_and_nothing_after_entry_locks(beijing_pilot, province_user):
    lead = lead_of(beijing_pilot)

    def run(day):
        return reminders_send(today=day)

    assert run(Q2_DUE - dt.timedelta(5)) == 0  # not one of the offsets
    assert run(Q2_DUE - dt.timedelta(3)) == 2
    assert run(Q2_DUE) == 2
    assert run(Q2_DUE + dt.timedelta(1)) == 2
    assert run(Q2_DUE + dt.timedelta(2)) == 0  # overdue is sent once, not daily
    assert run(dt.date(2026, 7, 30)) == 0
    assert run(dt.date(2026, 7, 31)) == 0  # entry locked
    for user in (lead, province_user):
        assert sorted(reminders(recipient=user).values_list("kind", flat=True)) == [
            "reminder.before_3",
            "reminder.due",
            "reminder.overdue",
        ]


@pytest.mark.parametrize(
    ("state", "reminded"),
    [
        (None, True),
        ("draft", True),
        ("returned", True),
        ("submitted", False),
        ("confirmed", False),
        ("accepted", False),
    ],
)
def test_only_reports_not_yet_submitted_are_reminded(beijing_pilot, state, reminded):
    if state:
        ProgressReport.objects.create(
            consortium=beijing_pilot, period=q2(beijing_pilot), state=state
        )
    due = reminders_due(today=Q2_DUE)
    assert bool([r for r in due if r.consortium == beijing_pilot]) is reminded


def test_consortia_not_approved_are_not_reminded(province_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    program = Program.objects.get(code="idfa-2026")
    with _before_deadline():
        plan_submit(actor=province_user, plan=make_ready_plan(province_user, program))
    assert reminders_due(today=Q2_DUE) == []


def test_offsets_come_from_the_periodic_task(beijing_pilot, province_user):
    assert reminders_send(today=Q2_DUE - dt.timedelta(7)) == 0
    assert reminders_send(today=Q2_DUE - dt.timedelta(7), offsets=[7, 1]) == 2
    assert set(reminders().values_list("kind", flat=True)) == {"reminder.before_7"}
    with pytest.raises(ValueError):
        reminders_send(today=Q2_DUE, offsets=["soon"])


def test_recipients_see_their_reminders_and_another_province_does_not(
    beijing_pilot, client, api_client, province_user, other_province_user
):
    reminders_send(today=Q2_DUE)
    subject = reminders(recipient=province_user).get().subject
    assert "2026年第二季度进展报告" in subject
    for user in (lead_of(beijing_pilot), province_user):
        client.force_login(user)
        assert subject in client.get("/notifications/").content.decode()
        api_client.force_authenticate(user)
        results = api_client.get("/api/v1/notifications/").json()["results"]
        assert subject in [n["subject"] for n in results]
        # The link opens the reports page, where the consortium's Q2 report is listed.
        page = client.get(reminders(recipient=user).get().url)
        assert page.status_code == 200 and beijing_pilot.name in page.content.decode()
    client.force_login(other_province_user)
    assert subject not in client.get("/notifications/").content.decode()
    api_client.force_authenticate(other_province_user)
    assert subject not in [
        n["subject"] for n in api_client.get("/api/v1/notifications/").json()["results"]
    ]


def test_reminders_left_pending_by_a_dead_worker_are_sent_by_the_next_run(
    beijing_pilot, province_user, django_capture_on_commit_callbacks, mailoutbox
):
    # The rows are committed but their delivery is never queued: the worker died in between.
    with django_capture_on_commit_callbacks(execute=False):
        assert reminders_send(today=Q2_DUE) == 2
    assert set(reminders().values_list("status", flat=True)) == {"pending"}
    mailoutbox.clear()

    # The next runs (on a day without new reminders) resend them once they are 10 minutes old.
    assert reminders_send_task.delay(today="2026-07-31").get() == 0
    assert set(reminders().values_list("status", flat=True)) == {"pending"}  # maybe in flight

    reminders().update(created_at=timezone.now() - dt.timedelta(minutes=11))
    assert reminders_send_task.delay(today="2026-07-31").get() == 0
    assert set(reminders().values_list("status", flat=True)) == {"sent"}
    assert len(mailoutbox) == 2


def test_the_schedule_is_in_the_database_and_the_ministry_administrator_edits_it(
    client, ministry_admin, ministry_staff, beijing_pilot
):
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.get(name="Report reminders (daily)")
    assert job.task == "reporting.tasks.reminders_send_task" and job.enabled
    assert (job.crontab.hour, job.crontab.minute, str(job.crontab.timezone)) == (
        "8",
        "30",
        "Asia/Shanghai",
    )
    assert json.loads(job.kwargs) == {"offsets": [14, 3]}
    url = f"/admin/django_celery_beat/periodictask/{job.pk}/change/"
    client.force_login(ministry_staff)
    assert client.get(url).status_code == 302
    client.force_login(ministry_admin)
    assert client.get(url).status_code == 200
    # Beat calls the task with the row's kwargs.
    kwargs = json.loads(job.kwargs)
    assert reminders_send_task.apply(kwargs={**kwargs, "today": "2026-07-12"}).get() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_record_each_reminder_once(
    reference_data, province_user, ministry_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    pilot = approved_pilot(province_user, ministry_staff)
    barrier = threading.Barrier(4)
    created = []

    def run():
        try:
            barrier.wait()
            created.append(reminders_send(today=Q2_DUE - dt.timedelta(14)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [0, 0, 0, 2]
    assert sorted(reminders().values_list("recipient_id", flat=True)) == sorted(
        [lead_of(pilot).pk, province_user.pk]
    )


@pytest.mark.worker
def test_reminders_are_sent_exactly_once_even_when_the_task_runs_twice_concurrently(
    real_worker, province_user, ministry_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    pilot = approved_pilot(province_user, ministry_staff)
    lead = lead_of(pilot)

    runs = [reminders_send_task.delay(today="2026-07-01") for _ in range(2)]
    assert sorted(r.get(timeout=60) for r in runs) == [0, 2]

    expected = {
        (user.pk, "reminder.before_14", f"reminder:before_14:{q2(pilot).pk}:{pilot.pk}:{user.pk}")
        for user in (lead, province_user)
    }
    rows = list(reminders().values_list("recipient_id", "kind", "dedupe_key"))
    assert len(rows) == 2 and set(rows) == expected
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if set(reminders().values_list("status", flat=True)) == {"sent"}:
            break
        time.sleep(0.5)
    assert set(reminders().values_list("status", flat=True)) == {"sent"}
