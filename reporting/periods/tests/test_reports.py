"""Progress reports: periods and locks, pre-filling, concurrent edits, answers, review workflow, access."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from consortia.samples import CONSORTIUM, blank_pdf
from portal.models import AuditEntry
from reporting.conftest import make_pilot
from reporting.periods import services
from reporting.periods.models import ProgressReport
from reporting.periods.workflows import ReportState

pytestmark = pytest.mark.django_db


def answer_all(report, **values):
    return {
        e.task.number: {"status": "on_track", "percent": 40, "work_done": "按计划推进。", **values}
        for e in report.entries.select_related("task")
    }


def test_report_covers_every_selected_task_and_prefills_from_the_previous_period(pilot, on_date):
    with on_date("2026-04-10"):
        q1 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1)
        assert q1.entries.count() == pilot.consortium.plan.selections.count() == 23
        services.report_update(
            actor=pilot.lead,
            report=q1,
            revision=q1.revision,
            data={"summary": "一季度完成联合体组建。"},
            entries=answer_all(q1),
        )
    with on_date("2026-07-01"):
        q2 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2)
    assert q2.summary == "一季度完成联合体组建。"
    entry = q2.entries.get(task__number=4)
    assert (entry.status, entry.percent, entry.work_done) == ("on_track", 40, "按计划推进。")
    assert AuditEntry.objects.filter(action="report.create", object_id=str(q2.pk)).exists()


def test_locked_period_refuses_entry_until_reopened(pilot, on_date, ministry_admin, ministry_staff):
    with on_date("2026-11-22"), pytest.raises(ValidationError) as exc:  # Q1 locked after 2026-04-30
        services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1)
    assert exc.value.code == "locked"
    with on_date("2026-11-22"):
        with pytest.raises(PermissionDenied):
            services.period_reopen(
                actor=ministry_staff,
                consortium=pilot.consortium,
                period=pilot.q1,
                locks_on=__import__("datetime").date(2026, 12, 10),
                reason="补报",
            )
        services.period_reopen(
            actor=ministry_admin,
            consortium=pilot.consortium,
            period=pilot.q1,
            locks_on=__import__("datetime").date(2026, 12, 10),
            reason="补报一季度",
        )
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1
        )
    assert report.state == ReportState.DRAFT
    assert AuditEntry.objects.filter(action="period.reopen", comment="补报一季度").exists()


def test_concurrent_edits_do_not_overwrite_silently(pilot, on_date, client):
    with on_date("2026-07-01"):
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2
        )
        first = report.revision
        services.report_update(
            actor=pilot.lead, report=report, revision=first, data={"summary": "甲先保存"}
        )
        with pytest.raises(ValidationError) as exc:
            services.report_update(
                actor=pilot.lead, report=report, revision=first, data={"summary": "乙后保存"}
            )
        assert exc.value.code == "stale"
        assert ProgressReport.objects.get(pk=report.pk).summary == "甲先保存"
        # In the page, the second editor keeps what they typed and sees why it was not saved.
        client.force_login(pilot.lead)
        url = reverse("reporting:report-detail", args=[pilot.consortium.pk, "2026-q2"])
        response = client.post(
            url, {"revision": first, "summary": "乙后保存"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this report" in html and "乙后保存" in html
    assert ProgressReport.objects.get(pk=report.pk).summary == "甲先保存"


def test_report_cannot_be_submitted_with_a_task_unanswered(pilot, on_date):
    with on_date("2026-07-01"):
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2
        )
        entries = answer_all(report)
        entries[12] = {"status": ""}
        services.report_update(
            actor=pilot.lead, report=report, revision=report.revision, entries=entries
        )
        report.refresh_from_db()
        with pytest.raises(ValidationError) as exc:
            services.report_submit(actor=pilot.lead, report=report)
        assert exc.value.code == "unanswered" and "12" in exc.value.messages[0]
        # "Nothing to report this period" is an answer; an empty status is not.
        services.report_update(
            actor=pilot.lead,
            report=report,
            revision=report.revision,
            entries={12: {"nothing_to_report": True}},
        )
        report.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=report)
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_review_workflow_is_audited_and_refuses_the_wrong_people(
    pilot, on_date, ministry_staff, other_province_user
):
    with on_date("2026-07-01"):
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2
        )
        services.report_update(
            actor=pilot.lead, report=report, revision=report.revision, entries=answer_all(report)
        )
        report.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.report_submit(actor=pilot.authority, report=report)
        services.report_submit(actor=pilot.lead, report=report)
        with pytest.raises(PermissionDenied):
            services.report_accept(
                actor=ministry_staff, report=report
            )  # the province confirms first
        with pytest.raises(PermissionDenied):
            services.report_confirm(actor=other_province_user, report=report)
        services.report_confirm(actor=pilot.authority, report=report, comment="情况属实")
        services.report_return(actor=ministry_staff, report=report, comment="请补充数据集规模")
        report.refresh_from_db()
        assert report.state == ReportState.RETURNED
        services.report_update(
            actor=pilot.lead,
            report=report,
            revision=report.revision,
            data={"key_figures": "数据集 3 个，共 120 万条"},
        )
        report.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=report)
        services.report_confirm(actor=pilot.authority, report=report)
        services.report_accept(actor=ministry_staff, report=report)
    from portal.selectors import audit_list_for_object

    steps = list(
        audit_list_for_object(obj=report)
        .filter(to_state__gt="")
        .order_by("id")
        .values_list("action", "to_state")
    )
    assert steps == [
        ("report.create", "draft"),
        ("report.submit", "submitted"),
        ("report.confirm", "confirmed"),
        ("report.return", "returned"),
        ("report.submit", "submitted"),
        ("report.confirm", "confirmed"),
        ("report.accept", "accepted"),
    ]
    with pytest.raises(PermissionDenied), on_date("2026-07-01"):
        services.report_update(
            actor=pilot.lead, report=report, revision=report.revision, data={"summary": "改"}
        )


def mail_to(mailoutbox, user):
    """The one e-mail sent to ``user``, and its text before the portal link."""
    [message] = [m for m in mailoutbox if m.to == [user.email]]
    return message, message.subject + "\n" + message.body.split("http")[0]


def test_report_reviews_are_mailed_in_each_recipients_language_not_the_reviewers(
    pilot, on_date, ministry_staff, mailoutbox, django_capture_on_commit_callbacks
):
    latin_word = re.compile(r"[A-Za-z]{2,}")
    name = CONSORTIUM["name"]
    province = pilot.authority
    province.language = "en"  # the province reads English; the lead, the portal's Chinese
    province.save()
    with on_date("2026-07-01"):
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2
        )
        services.report_update(
            actor=pilot.lead, report=report, revision=report.revision, entries=answer_all(report)
        )
        report.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.report_submit(actor=pilot.lead, report=report)  # the lead works in Chinese
        message, _text = mail_to(mailoutbox, province)
        assert message.subject == f"Progress report submitted: “{name}”, 2026 Q2 progress report"
        mailoutbox.clear()
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            services.report_confirm(actor=province, report=report)
        message, text = mail_to(mailoutbox, pilot.lead)
        assert message.subject == f"地方主管部门已确认“{name}”的2026年第二季度进展报告"
        assert not latin_word.search(text), text
        mailoutbox.clear()
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            services.report_return(actor=ministry_staff, report=report, comment="请补充数据集规模")
        message, text = mail_to(mailoutbox, pilot.lead)
        assert message.subject == f"“{name}”的2026年第二季度进展报告已被退回修改"
        assert "请补充数据集规模" in text and not latin_word.search(text), text
        message, _text = mail_to(mailoutbox, province)
        assert message.subject == (
            f"The report of “{name}”, 2026 Q2 progress report, was returned for revision"
        )
        report.refresh_from_db()
        services.report_submit(actor=pilot.lead, report=report)
        services.report_confirm(actor=province, report=report)
        mailoutbox.clear()
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            services.report_accept(actor=ministry_staff, report=report)
        message, text = mail_to(mailoutbox, pilot.lead)
        assert message.subject == f"工业和信息化部已采纳“{name}”的2026年第二季度进展报告"
        assert not latin_word.search(text), text
        message, _text = mail_to(mailoutbox, province)
        assert message.subject == (
            f"The Ministry accepted the report of “{name}”, 2026 Q2 progress report"
        )


def test_a_lead_cannot_read_or_edit_another_consortiums_report(
    pilot, on_date, province_user, ministry_staff, client, api_client
):
    other = make_pilot(province_user, ministry_staff, name="另一个联合体")
    # Both leads have the same contact e-mail in the samples: the second approval reused the account.
    # Make a separate lead for the other consortium to test isolation between leads.
    from guardian.shortcuts import remove_perm

    from portal.tests.factories import UserFactory

    other_lead = UserFactory(
        role="consortium_lead", organisation=other.consortium.lead_organisation
    )
    from guardian.shortcuts import assign_perm

    assign_perm("consortia.view_consortium", other_lead, other.consortium)
    remove_perm("consortia.view_consortium", pilot.lead, other.consortium)
    with on_date("2026-07-01"):
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2
        )
        with pytest.raises(PermissionDenied):
            services.report_update(
                actor=other_lead, report=report, revision=report.revision, data={"summary": "x"}
            )
        client.force_login(other_lead)
        url = reverse("reporting:report-detail", args=[pilot.consortium.pk, "2026-q2"])
        assert client.get(url).status_code == 404
        assert client.post(url, {"revision": report.revision, "summary": "x"}).status_code == 404
        api_client.force_authenticate(other_lead)
        api = f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/"
        assert api_client.get(api).status_code == 404
        assert (
            api_client.patch(
                api, {"revision": report.revision, "summary": "x"}, format="json"
            ).status_code
            == 404
        )
        assert api_client.get("/api/v1/reports/").json()["count"] == 0
        # The lead of the report reads it, through the page and the API.
        client.force_login(pilot.lead)
        assert client.get(url).status_code == 200
        api_client.force_authenticate(pilot.lead)
        assert api_client.get(api).json()["state"] == "draft"
    assert ProgressReport.objects.get(pk=report.pk).summary == ""


def test_report_api_path(pilot, on_date, ministry_staff, api_client):
    base = f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/"
    with on_date("2026-07-01"):
        api_client.force_authenticate(pilot.lead)
        for suffix in ("", "preview/", "compare/"):  # before the report is started
            missing = api_client.get(base + suffix, HTTP_ACCEPT_LANGUAGE="en")
            assert missing.status_code == 404
            assert missing.json() == {
                "detail": "This report has not been started.",
                "code": "not_found",
            }
        body = api_client.post(base + "start/").json()
        entries = {str(e["task"]): {"status": "at_risk", "percent": 20} for e in body["entries"]}
        stale = api_client.patch(
            base, {"revision": body["revision"] - 1, "summary": "x"}, format="json"
        )
        assert stale.status_code == 400 and stale.json()["code"] == "stale"
        body = api_client.patch(
            base,
            {"revision": body["revision"], "entries": entries, "summary": "二季度"},
            format="json",
        ).json()
        assert all(e["answered"] for e in body["entries"])
        upload = SimpleUploadedFile("证明.pdf", blank_pdf(1), content_type="application/pdf")
        evidence = api_client.post(base + "evidence/4/", {"file": upload}, format="multipart")
        assert evidence.status_code == 201 and evidence.json()["size"] > 0
        bad = api_client.post(
            base + "evidence/4/",
            {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10)},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert bad.status_code == 400 and bad.json()["code"] == "file_type"
        assert api_client.post(base + "confirm/").status_code == 403  # not the lead's step
        revision = api_client.get(base).json()["revision"]
        submitted = api_client.post(base + "submit/", {"revision": revision}, format="json")
        assert submitted.json()["state"] == "submitted"
        api_client.force_authenticate(pilot.authority)
        assert (
            api_client.post(base + "confirm/", {"comment": "属实"}).json()["state"] == "confirmed"
        )
        api_client.force_authenticate(ministry_staff)
        assert api_client.post(base + "accept/").json()["state"] == "accepted"
        listing = api_client.get("/api/v1/reports/", {"period__code": "2026-q2"}).json()
        assert listing["count"] == 1
    assert ProgressReport.objects.get().entries.get(task__number=4).evidence.count() == 1


def test_reopen_through_the_page_and_the_api(
    pilot, on_date, ministry_admin, ministry_staff, client, api_client
):
    url = reverse("reporting:period-reopen", args=[pilot.consortium.pk, "2026-q1"])
    data = {
        "consortium": pilot.consortium.pk,
        "period": pilot.q1.pk,
        "locks_on": "2026-12-20",
        "reason": "补报",
    }
    with on_date("2026-11-22"):
        client.force_login(ministry_staff)
        assert client.post(url, data).status_code == 403
        api_client.force_authenticate(ministry_staff)
        api = {
            "consortium": pilot.consortium.pk,
            "period": "2026-q1",
            "locks_on": "2026-12-20",
            "reason": "补报",
        }
        assert api_client.post("/api/v1/period-reopenings/", api, format="json").status_code == 403
        client.force_login(ministry_admin)
        assert client.post(url, data).status_code == 302
        api_client.force_authenticate(ministry_admin)
        api["locks_on"] = "2026-12-25"
        body = api_client.post("/api/v1/period-reopenings/", api, format="json").json()
        assert body["open"] is True
        api_client.force_authenticate(pilot.lead)
        started = api_client.post(f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q1/start/")
        assert started.status_code == 201
    assert AuditEntry.objects.filter(action="period.reopen").count() == 2


def test_members_read_their_consortiums_reports_but_do_not_edit(pilot, on_date, client, api_client):
    from guardian.shortcuts import assign_perm

    from portal.tests.factories import UserFactory

    member = UserFactory(role="consortium_member", organisation=pilot.consortium.lead_organisation)
    assign_perm("consortia.view_consortium", member, pilot.consortium)
    with on_date("2026-07-01"):
        report = services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=pilot.q2
        )
        url = reverse("reporting:report-detail", args=[pilot.consortium.pk, "2026-q2"])
        client.force_login(member)
        page = client.get(url)
        assert page.status_code == 200 and 'data-testid="report-form"' not in page.content.decode()
        assert (
            client.post(url, {"revision": report.revision, "summary": "成员修改"}).status_code
            == 403
        )
        api_client.force_authenticate(member)
        api = f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/"
        assert api_client.get(api).status_code == 200
        assert (
            api_client.patch(
                api, {"revision": report.revision, "summary": "x"}, format="json"
            ).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            services.report_submit(actor=member, report=report)
    assert ProgressReport.objects.get(pk=report.pk).summary == ""
