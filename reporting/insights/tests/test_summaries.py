"""Summary PDFs: requesting (coalesced, permission-checked), rendering, pages and API."""

import datetime as dt
import hashlib
import time
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.pdf import pdf_text
from reporting.conftest import make_pilot
from reporting.insights import dashboards as d
from reporting.insights.models import JobStatus, SummaryDocument
from reporting.insights.rollups import rollup_compute
from reporting.insights.summaries import (
    fmt_rate,
    summary_list_for,
    summary_render,
    summary_request,
)
from reporting.periods import services

pytestmark = pytest.mark.django_db

GUANGDONG_NAME = "粤港澳工业数据合作联合体（测试）"


def _answers(report):
    statuses = ["on_track", "at_risk", "delayed", "completed"]
    return {
        e.task.number: {
            "status": statuses[i % 4],
            "percent": 50 + i,
            "work_done": "按计划推进。",
            "problems": "=数据权属待明确" if i == 1 else "",
        }
        for i, e in enumerate(report.entries.select_related("task").order_by("task__number"))
    }


def write_q2_report(pilot, summary: str):
    """The pilot's Q2 report, every task answered (``_answers``), not handed in."""
    report = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2)
    services.report_update(
        actor=pilot.lead,
        report=report,
        revision=report.revision,
        data={"summary": summary},
        entries=_answers(report),
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def world(pilot, other_province_user, ministry_staff, on_date):
    """Beijing's pilot hands in its Q2 report; Guangdong's does not (overdue). Roll-ups computed."""
    guangdong = make_pilot(other_province_user, ministry_staff, name=GUANGDONG_NAME)
    with on_date("2026-07-05"):
        report = write_q2_report(pilot, "二季度完成数据集建设方案评审，" + "进展顺利。" * 40)
        services.report_submit(actor=pilot.lead, report=report)
    rollup_compute(program=pilot.consortium.program, today=dt.date(2026, 8, 1))
    pilot.guangdong = guangdong
    return pilot


def scope_of(user, **params):
    return d.scope_for(user=user, params={"period": "2026-q2", **params})


def render_now(actor, scope, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = summary_request(actor=actor, scope=scope)
    document.refresh_from_db()
    return document


# --- services --------------------------------------------------------------------------------


def test_requests_are_coalesced_while_one_waits(
    world, ministry_staff, django_capture_on_commit_callbacks
):
    scope = scope_of(ministry_staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = summary_request(actor=ministry_staff, scope=scope)
        second = summary_request(actor=ministry_staff, scope=scope)
    assert first.pk == second.pk
    assert len(callbacks) == 1  # one render dispatched
    assert SummaryDocument.objects.count() == 1
    # Another province's version is a document of its own.
    beijing = summary_request(
        actor=ministry_staff, scope=scope_of(ministry_staff, province="110000")
    )
    assert beijing.pk != first.pk


def test_national_summary_shows_the_dashboard_figures(
    world, ministry_staff, settings, django_capture_on_commit_callbacks
):
    scope = scope_of(ministry_staff)
    document = render_now(ministry_staff, scope, django_capture_on_commit_callbacks)

    assert document.status == JobStatus.DONE
    assert document.finished_at
    assert document.file.name.startswith("reporting/summaries/")
    content = document.file.open("rb").read()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.pages >= 3

    text = pdf_text(content).replace("\n", " ")
    figures = d.overview(scope)
    reports = figures["reports"]
    assert reports["overdue"] == 1
    assert reports["handed_in"] == 1
    assert fmt_rate(reports["handed_in_rate"]) == "50.0%"
    assert "50.0%" in text
    assert fmt_rate(reports["on_time_rate"]) in text
    datasets = figures["deliverables"]["dataset"]["count"]
    assert f"{d.overview(scope)['tasks']['selected']}" in text
    assert str(datasets) in text
    assert fmt_rate(figures["tasks"]["mean_percent"]) in text
    assert world.consortium.name in text
    assert GUANGDONG_NAME in text
    assert "北京市" in text
    assert "广东省" in text
    # The overdue list names Guangdong's consortium; the at-risk list Beijing's tasks.
    assert d.overdue_reports(scope).get().consortium.name == GUANGDONG_NAME
    assert "数据权属待明确" in text  # the problem text, not run as a formula
    assert "二季度完成数据集建设方案评审" in text  # the report summary's excerpt


def test_province_version_shows_only_its_consortia(
    world, province_user, django_capture_on_commit_callbacks
):
    scope = scope_of(province_user)
    assert scope.authority.code == "110000"
    document = render_now(province_user, scope, django_capture_on_commit_callbacks)
    text = pdf_text(document.file.open("rb").read())
    assert world.consortium.name in text
    assert GUANGDONG_NAME not in text
    assert "广东省" not in text
    assert list(summary_list_for(user=province_user)) == [document]


def test_who_may_request_which_summary(
    world, province_user, other_province_user, ministry_staff, consortium_lead
):
    national = d.scope_for(user=ministry_staff, params={"period": "2026-q2"})
    beijing = scope_of(ministry_staff, province="110000")
    with pytest.raises(PermissionDenied):
        summary_request(actor=province_user, scope=national)
    with pytest.raises(PermissionDenied):
        summary_request(actor=other_province_user, scope=beijing)
    with pytest.raises(PermissionDenied):
        summary_request(actor=consortium_lead, scope=beijing)
    assert summary_request(actor=province_user, scope=beijing).authority.code == "110000"
    assert summary_request(actor=ministry_staff, scope=national).authority is None
    assert summary_list_for(user=other_province_user).count() == 0
    assert summary_list_for(user=consortium_lead).count() == 0
    assert summary_list_for(user=ministry_staff).count() == 2


def test_a_failed_render_records_the_error_and_a_done_one_is_left_alone(
    world, ministry_staff, django_capture_on_commit_callbacks
):
    scope = scope_of(ministry_staff)
    with django_capture_on_commit_callbacks(execute=False):
        document = summary_request(actor=ministry_staff, scope=scope)
    with (
        mock.patch(
            "reporting.insights.summaries.render_pdf", side_effect=RuntimeError("font missing")
        ),
        pytest.raises(RuntimeError),
    ):
        summary_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == JobStatus.FAILED
    assert "font missing" in document.error
    assert not document.file

    # A new request after a failure renders again; rendering a done document does nothing.
    again = render_now(ministry_staff, scope, django_capture_on_commit_callbacks)
    assert again.pk != document.pk
    assert again.status == JobStatus.DONE
    with mock.patch("reporting.insights.summaries.render_pdf") as render:
        assert summary_render(document_id=again.pk).sha256 == again.sha256
    render.assert_not_called()


def test_a_redelivered_render_renders_again(
    world, ministry_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document = summary_request(actor=ministry_staff, scope=scope_of(ministry_staff))
    # Its worker died: the lease it held ran out, then the message came back.
    SummaryDocument.objects.filter(pk=document.pk).update(
        status=JobStatus.RUNNING, lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert summary_render(document_id=document.pk).status == JobStatus.DONE


# --- pages -----------------------------------------------------------------------------------


def test_summary_page_request_and_download(
    world, client, ministry_staff, django_capture_on_commit_callbacks
):
    client.force_login(ministry_staff)
    url = reverse("dashboards:summary-list")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"program": "idfa-2026", "period": "2026-q2", "province": ""})
    assert response.status_code == 302
    document = SummaryDocument.objects.get()
    assert document.status == JobStatus.DONE
    assert document.authority is None
    page = client.get(url)
    assert reverse("dashboards:summary-download", args=[document.pk]) in page.content.decode()
    assert b'http-equiv="refresh"' not in page.content

    download = client.get(reverse("dashboards:summary-download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_summary_page_refreshes_while_one_is_pending(world, client, ministry_staff):
    SummaryDocument.objects.create(
        program=world.consortium.program, period=world.q2, requested_by=ministry_staff
    )
    client.force_login(ministry_staff)
    assert b'http-equiv="refresh"' in client.get(reverse("dashboards:summary-list")).content


def test_summary_pages_refuse_the_wrong_users(
    world,
    client,
    ministry_staff,
    province_user,
    other_province_user,
    consortium_lead,
    django_capture_on_commit_callbacks,
):
    national = render_now(
        ministry_staff, scope_of(ministry_staff), django_capture_on_commit_callbacks
    )
    beijing = render_now(
        ministry_staff,
        scope_of(ministry_staff, province="110000"),
        django_capture_on_commit_callbacks,
    )
    url = reverse("dashboards:summary-list")

    client.force_login(consortium_lead)
    assert client.get(url).status_code == 403
    assert client.get(reverse("dashboards:summary-download", args=[beijing.pk])).status_code == 403

    client.force_login(province_user)
    listing = client.get(url).content.decode()
    assert f'data-id="{beijing.pk}"' in listing
    assert f'data-id="{national.pk}"' not in listing
    assert client.get(reverse("dashboards:summary-download", args=[beijing.pk])).status_code == 200
    assert client.get(reverse("dashboards:summary-download", args=[national.pk])).status_code == 404
    # A province's request is always its own province, whatever the form says.
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url, {"program": "idfa-2026", "period": "2026-q3", "province": "440000"}
        )
    assert response.status_code == 302
    assert SummaryDocument.objects.filter(period__code="2026-q3").get().authority.code == "110000"

    client.force_login(other_province_user)
    assert client.get(reverse("dashboards:summary-download", args=[beijing.pk])).status_code == 404
    assert client.post(url, {"program": "nope", "period": "2026-q2"}).status_code == 400


# --- API -------------------------------------------------------------------------------------


def test_summary_api(
    world,
    api_client,
    ministry_staff,
    province_user,
    other_province_user,
    django_capture_on_commit_callbacks,
):
    url = reverse("api-summaries")
    api_client.force_authenticate(province_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url, {"period": "2026-q2"}, format="json")
    assert response.status_code in (200, 202), response.content
    pk = response.json()["id"]
    detail = api_client.get(reverse("api-summary", args=[pk])).json()
    assert detail["status"] == "done"
    assert detail["province"] == "110000"
    assert detail["download_url"] == reverse("api-summary-download", args=[pk])
    download = api_client.get(detail["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")

    denied = api_client.post(url, {"period": "2026-q2", "province": "440000"}, format="json")
    assert denied.status_code == 403
    assert denied.json()["code"] == "permission_denied"
    bad = api_client.post(url, {"period": "2099-q9"}, format="json")
    assert bad.status_code == 400
    assert "period" in bad.json()["errors"]

    api_client.force_authenticate(other_province_user)
    assert api_client.get(reverse("api-summary", args=[pk])).status_code == 404
    assert api_client.get(reverse("api-summary-download", args=[pk])).status_code == 404
    assert api_client.get(url).json()["count"] == 0

    api_client.force_authenticate(ministry_staff)
    assert api_client.get(url).json()["count"] == 1
    assert api_client.get(reverse("api-summary", args=[pk])).status_code == 200


# --- a real worker (CI: Redis + PostgreSQL) --------------------------------------------------


def test_summary_rendered_by_a_real_worker(
    real_worker, province_user, ministry_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    make_pilot(province_user, ministry_staff)
    scope = d.scope_for(user=ministry_staff, params={"period": "2026-q2"})
    document = summary_request(actor=ministry_staff, scope=scope)  # committed: dispatched
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        time.sleep(0.5)
    assert document.status == JobStatus.DONE, document.error
    assert document.sha256
    assert document.pages
