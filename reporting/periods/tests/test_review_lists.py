"""The reports list for reviewers: filters, search, sort, counts, pages; bulk confirm / accept
with a result per report; "remind now" for overdue ones; page and API, Chinese and English."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import AuditEntry, Notification
from reporting.conftest import make_pilot
from reporting.periods import services
from reporting.periods.models import ProgressReport
from reporting.periods.review_permissions import can_bulk_review
from reporting.periods.workflows import ReportState

pytestmark = pytest.mark.django_db

TODAY = "2026-07-20"  # Q1 (due 04-15) and Q2 (due 07-15) past due, Q3 opened, not due


def answer_all(report):
    return {
        e.task.number: {"status": "on_track", "percent": 40, "work_done": "按计划推进。"}
        for e in report.entries.select_related("task")
    }


def hand_in(pilot, period):
    report = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=period)
    services.report_update(
        actor=pilot.lead,
        report=report,
        revision=report.revision,
        data={},
        entries=answer_all(report),
    )
    report.refresh_from_db()
    services.report_submit(actor=pilot.lead, report=report)
    return report


@pytest.fixture
def two_pilots(pilot, other_province_user, ministry_staff, on_date):
    """Beijing's pilot handed in Q2 (submitted); Guangdong's handed in nothing (overdue)."""
    other = make_pilot(other_province_user, ministry_staff, name="粤港数据合作联合体（示例）")
    for p in (pilot, other):
        p.consortium.pilot_since = dt.date(2026, 3, 20)
        p.consortium.save(update_fields=["pilot_since"])
    with on_date("2026-07-10"):
        q2 = hand_in(pilot, pilot.q2)
    return pilot, other, q2


def rows(response):
    return {(r["consortium"], r["period"]): r for r in response.json()["results"]}


def login(client, user, language="zh-hans"):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def page_rows(html: str) -> list[str]:
    import re

    return re.findall(r'data-testid="row-(\d+-[\w-]+)"', html)


# --- the list: filters, search, sort, counts --------------------------------------------------


def test_ministry_filters_searches_sorts_and_counts_the_reports_on_the_page_and_in_the_api(
    two_pilots, client, ministry_staff, on_date
):
    pilot, other, q2 = two_pilots
    login(client, ministry_staff)
    b, g = pilot.consortium.pk, other.consortium.pk
    with on_date(TODAY):
        html = client.get("/reports/").content.decode()
        assert sorted(page_rows(html)) == sorted(
            f"{pk}-2026-q{n}" for pk in (b, g) for n in (1, 2, 3)
        )
        assert "共6份报告" in html and "逾期未报3份" in html  # counts
        overdue = client.get("/reports/", {"overdue": "true"}).content.decode()
        assert sorted(page_rows(overdue)) == sorted(
            [f"{b}-2026-q1", f"{g}-2026-q1", f"{g}-2026-q2"]
        )
        only_gd = client.get("/reports/", {"authority": "440000", "period": "2026-q2"})
        assert page_rows(only_gd.content.decode()) == [f"{g}-2026-q2"]
        submitted = client.get("/reports/", {"state": "submitted"}).content.decode()
        assert page_rows(submitted) == [f"{b}-2026-q2"]
        found = client.get("/reports/", {"search": "粤港"}).content.decode()
        assert {r.split("-")[0] for r in page_rows(found)} == {str(g)}
        newest_first = page_rows(
            client.get("/reports/", {"ordering": "-due_date"}).content.decode()
        )
        assert newest_first[0].endswith("2026-q3") and newest_first[-1].endswith("2026-q1")
        assert (
            'aria-sort="descending"' in client.get("/reports/?ordering=-due_date").content.decode()
        )

        api = client.get("/api/v1/reporting-status/", {"overdue": "true", "ordering": "due_date"})
        assert api.status_code == 200
        assert [(r["consortium"], r["period"]) for r in api.json()["results"]][0][1] == "2026-q1"
        assert set(rows(api)) == {(b, "2026-q1"), (g, "2026-q1"), (g, "2026-q2")}
        state = rows(client.get("/api/v1/reporting-status/", {"state": "submitted"}))
        assert list(state) == [(b, "2026-q2")] and state[(b, "2026-q2")]["report"] == q2.pk
        bad = client.get("/api/v1/reporting-status/", {"authority": "999999"})
        assert bad.status_code == 400 and bad.json()["errors"]["authority"]


def test_a_pilot_approved_after_a_due_date_is_not_listed_nor_overdue_for_that_period(
    two_pilots, client, ministry_staff, on_date
):
    pilot, other, _q2 = two_pilots
    other.consortium.pilot_since = dt.date(2026, 7, 16)  # after Q2's due date (07-15)
    other.consortium.save(update_fields=["pilot_since"])
    login(client, ministry_staff)
    with on_date(TODAY):
        listed = rows(client.get("/api/v1/reporting-status/", {"authority": "440000"}))
    assert list(listed) == [(other.consortium.pk, "2026-q3")]
    assert not listed[(other.consortium.pk, "2026-q3")]["overdue"]


def test_a_province_sees_only_its_own_reports_and_a_lead_keeps_its_own_periods_page(
    two_pilots, client, province_user, on_date
):
    pilot, other, _q2 = two_pilots
    with on_date(TODAY):
        login(client, province_user)
        html = client.get("/reports/").content.decode()
        assert {r.split("-")[0] for r in page_rows(html)} == {str(pilot.consortium.pk)}
        assert 'name="authority"' not in html  # no province filter: it sees only its own
        api = client.get("/api/v1/reporting-status/")
        assert {r["consortium"] for r in api.json()["results"]} == {pilot.consortium.pk}
        # Denial twin: a consortium lead gets its periods, not the reviewers' list or API.
        login(client, pilot.lead)
        html = client.get("/reports/").content.decode()
        assert f'data-testid="periods-{pilot.consortium.pk}"' in html and "bulk-form" not in html
        assert client.get("/api/v1/reporting-status/").status_code == 403
        assert client.post("/reports/bulk/", {"action": "remind"}).status_code == 403


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["仅显示逾期未报", "全部报告期", "立即提醒"]),
        ("en", ["Overdue only", "All periods", "Remind"]),
    ],
)
def test_the_list_speaks_the_users_language(
    two_pilots, client, ministry_staff, on_date, language, words
):
    login(client, ministry_staff, language)
    with on_date(TODAY):
        html = client.get("/reports/").content.decode()
    for word in words:
        assert word in html


# --- bulk confirm and accept --------------------------------------------------------------------


def test_province_confirms_several_reports_and_sees_which_were_refused_and_why(
    two_pilots, client, province_user, on_date
):
    pilot, other, q2 = two_pilots
    b, g = pilot.consortium.pk, other.consortium.pk
    login(client, province_user)
    with on_date(TODAY):
        response = client.post(
            "/reports/bulk/",
            {
                "action": "confirm",
                "items": [f"{b}:2026-q2", f"{b}:2026-q1", f"{g}:2026-q2"],
                "comment": "材料齐全。",
                "back": "overdue=true",
            },
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已完成1份" in html and "未执行2份" in html
    assert "该报告尚未开始填写。" in html  # Q1 not started
    assert "您的列表中没有该报告。" in html  # another province's report
    assert 'href="/reports/?overdue=true"' in html  # back to the list as it was
    q2.refresh_from_db()
    assert q2.state == ReportState.CONFIRMED
    assert q2.reviews.get().comment == "材料齐全。"
    assert AuditEntry.objects.filter(action="report.confirm", object_id=str(q2.pk)).exists()


def test_bulk_accept_takes_each_report_in_its_own_transaction(
    two_pilots, client, api_client, ministry_staff, province_user, on_date
):
    pilot, other, q2 = two_pilots
    with on_date("2026-07-12"):
        other_q2 = hand_in(other, other.q2)  # submitted, not confirmed: cannot be accepted
    services.report_confirm(actor=province_user, report=q2)
    api_client.force_authenticate(ministry_staff)
    items = [
        {"consortium": other.consortium.pk, "period": "2026-q2"},
        {"consortium": pilot.consortium.pk, "period": "2026-q2"},
    ]
    with on_date(TODAY):
        body = api_client.post(
            "/api/v1/reports/bulk/",
            {"action": "accept", "items": items},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        ).json()
    assert (body["succeeded"], body["refused"]) == (1, 1)
    refused, done = body["results"]
    assert not refused["ok"] and "Submitted to the province" in refused["message"]
    assert done["ok"] and done["report"] == q2.pk
    assert ProgressReport.objects.get(pk=q2.pk).state == ReportState.ACCEPTED
    assert ProgressReport.objects.get(pk=other_q2.pk).state == ReportState.SUBMITTED


def test_only_the_province_bulk_confirms_and_only_the_ministry_bulk_accepts(
    two_pilots, client, api_client, ministry_staff, province_user, on_date
):
    pilot, _other, q2 = two_pilots
    item = f"{pilot.consortium.pk}:2026-q2"
    with on_date(TODAY):
        login(client, ministry_staff)
        assert (
            client.post("/reports/bulk/", {"action": "confirm", "items": [item]}).status_code == 403
        )
        login(client, province_user)
        assert (
            client.post("/reports/bulk/", {"action": "accept", "items": [item]}).status_code == 403
        )
        api_client.force_authenticate(province_user)
        refused = api_client.post(
            "/api/v1/reports/bulk/",
            {
                "action": "accept",
                "items": [{"consortium": pilot.consortium.pk, "period": "2026-q2"}],
            },
            format="json",
        )
        assert refused.status_code == 403
        assert refused.json()["detail"] == str(can_bulk_review(province_user, "accept").reason)
        empty = api_client.post(
            "/api/v1/reports/bulk/", {"action": "confirm", "items": []}, format="json"
        )
        assert empty.status_code == 400
    q2.refresh_from_db()
    assert q2.state == ReportState.SUBMITTED


def test_a_bulk_request_with_too_many_items_is_refused_whole_with_a_reason(
    two_pilots, client, api_client, province_user, on_date
):
    from reporting.periods.review_services import MAX_ITEMS

    pilot, _other, q2 = two_pilots
    real = f"{pilot.consortium.pk}:2026-q2"
    padding = [f"{n}:2026-q2" for n in range(100000, 100000 + MAX_ITEMS)]
    with on_date(TODAY):
        login(client, province_user)
        page = client.post(
            "/reports/bulk/", {"action": "confirm", "items": [real, *padding]}, follow=True
        )
        assert "每次最多选择500份报告。" in page.content.decode()
        api_client.force_authenticate(province_user)
        items = [{"consortium": int(v.split(":")[0]), "period": "2026-q2"} for v in padding]
        refused = api_client.post(
            "/api/v1/reports/bulk/",
            {
                "action": "confirm",
                "items": [{"consortium": pilot.consortium.pk, "period": "2026-q2"}, *items],
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert refused.status_code == 400
        assert "Select at most 500 reports at a time." in str(refused.json())
    q2.refresh_from_db()
    assert q2.state == ReportState.SUBMITTED


# --- remind now ---------------------------------------------------------------------------------


def test_ministry_reminds_every_overdue_report_once_even_when_clicking_twice(
    two_pilots, client, ministry_staff, on_date, django_capture_on_commit_callbacks
):
    pilot, other, _q2 = two_pilots
    login(client, ministry_staff)
    with on_date(TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(
                "/reports/bulk/",
                {
                    "action": "remind",
                    "all_overdue": "1",
                    "authority": "440000",
                    "back": "authority=440000",
                },
            )
        html = first.content.decode()
        assert "已完成2份" in html  # Guangdong's Q1 and Q2
        sent = Notification.objects.filter(kind="reminder.manual")
        recipients = {n.recipient_id for n in sent}
        # The lead and Guangdong's province; not Beijing's (its pilot was not reminded).
        assert other.lead.pk in recipients and other.authority.pk in recipients
        assert pilot.authority.pk not in recipients
        assert sent.count() == 2 * len(recipients)
        assert len(mail.outbox) == sent.count()
        assert "逾期" in mail.outbox[0].subject
        assert AuditEntry.objects.filter(action="report.remind").count() == 2
        with django_capture_on_commit_callbacks(execute=True):
            again = client.post(
                "/reports/bulk/",
                {
                    "action": "remind",
                    "items": [f"{other.consortium.pk}:2026-q1", f"{other.consortium.pk}:2026-q3"],
                },
            )
        html = again.content.decode()
        assert "10分钟内已提醒过" in html and "该报告未逾期。" in html
        assert Notification.objects.filter(kind="reminder.manual").count() == sent.count()


def test_remind_now_is_mailed_in_each_recipients_language_not_the_reminders(
    two_pilots, client, ministry_staff, on_date, django_capture_on_commit_callbacks
):
    pilot, _other, _q2 = two_pilots
    pilot.authority.language = "en"  # Beijing's province reads English, its lead Chinese
    pilot.authority.save()
    login(client, ministry_staff, "en")
    with on_date(TODAY), django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/reports/bulk/", {"action": "remind", "items": [f"{pilot.consortium.pk}:2026-q1"]}
        )
    sent = {m.to[0]: m for m in mail.outbox}
    name = pilot.consortium.name
    lead = sent[pilot.lead.email]
    assert lead.subject == f"逾期：“{name}”的“2026年第一季度进展报告”已于2026-04-15截止"
    assert "Overdue" not in lead.subject + lead.body and "submitted" not in lead.body
    province = sent[pilot.authority.email]
    assert province.subject == (
        f"Overdue: the “2026 Q1 progress report” of “{name}” was due on 2026-04-15"
    )
    assert province.body.startswith("The “2026 Q1 progress report” of")


def test_a_province_reminds_its_own_leads_through_the_api_and_not_another_provinces(
    two_pilots, api_client, province_user, on_date
):
    pilot, other, _q2 = two_pilots
    api_client.force_authenticate(province_user)
    with on_date(TODAY):
        body = api_client.post(
            "/api/v1/reports/remind/",
            {
                "items": [
                    {"consortium": pilot.consortium.pk, "period": "2026-q1"},
                    {"consortium": other.consortium.pk, "period": "2026-q1"},
                ]
            },
            format="json",
        ).json()
    mine, theirs = body["results"]
    assert mine["ok"] and mine["reminded"] == 1  # the lead; the province does not remind itself
    assert not theirs["ok"]
    assert {n.recipient_id for n in Notification.objects.filter(kind="reminder.manual")} == {
        pilot.lead.pk
    }


def test_a_lead_cannot_remind_through_the_api(two_pilots, api_client, on_date):
    pilot, _other, _q2 = two_pilots
    api_client.force_authenticate(pilot.lead)
    with on_date(TODAY):
        response = api_client.post(
            "/api/v1/reports/remind/",
            {"items": [{"consortium": pilot.consortium.pk, "period": "2026-q1"}]},
            format="json",
        )
    assert response.status_code == 403
    assert not Notification.objects.filter(kind="reminder.manual").exists()


# --- a report as PDF ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "各项任务进展"), ("en", "Progress on each task")]
)
def test_a_report_prints_as_pdf_with_every_entry_its_evidence_and_reviews(
    two_pilots, client, api_client, province_user, on_date, language, heading
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consortia.samples import blank_pdf
    from portal.pdf import pdf_text

    pilot, other, q2 = two_pilots
    services.report_confirm(actor=province_user, report=q2, comment="同意上报。")
    # Q1 started with an evidence file on task 4 (its file name is printed).
    with on_date("2026-04-10"):
        q1 = services.report_start(actor=pilot.lead, consortium=pilot.consortium, period=pilot.q1)
        services.report_add_evidence(
            actor=pilot.lead,
            report=q1,
            task_number=4,
            upload=SimpleUploadedFile(
                "平台上线证明.pdf", blank_pdf(1), content_type="application/pdf"
            ),
        )
    login(client, province_user, language)
    detail = client.get(reverse("reporting:report-detail", args=[pilot.consortium.pk, "2026-q2"]))
    assert 'data-testid="report-pdf"' in detail.content.decode()
    response = client.get(reverse("reporting:report-pdf", args=[pilot.consortium.pk, "2026-q2"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert heading in text and "按计划推进" in text and "同意上报" in text
    q1_pdf = client.get(reverse("reporting:report-pdf", args=[pilot.consortium.pk, "2026-q1"]))
    assert "平台上线证明.pdf" in pdf_text(q1_pdf.content)
    api_client.force_authenticate(province_user)
    api = api_client.get(f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/pdf/")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")


def test_a_report_pdf_is_refused_to_who_may_not_see_the_report(
    two_pilots, client, api_client, other_province_user
):
    pilot, _other, _q2 = two_pilots
    login(client, other_province_user)
    assert (
        client.get(
            reverse("reporting:report-pdf", args=[pilot.consortium.pk, "2026-q2"])
        ).status_code
        == 404
    )
    api_client.force_authenticate(other_province_user)
    assert (
        api_client.get(f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/pdf/").status_code
        == 404
    )
    login(client, pilot.lead)
    # Not started yet: nothing to print.
    assert (
        client.get(
            reverse("reporting:report-pdf", args=[pilot.consortium.pk, "2026-q3"])
        ).status_code
        == 404
    )
