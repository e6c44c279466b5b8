"""The final summary's pages and API: the same steps in both, in Chinese and English, and every
wrong user refused (another province, another consortium's lead, a member, anonymous)."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from consortia.samples import scan_upload
from consortia.tests.test_pages_i18n import user_content
from portal.tests.factories import UserFactory
from portal.tests.test_i18n import check_language
from reporting.conftest import make_pilot
from reporting.final import services
from reporting.final.models import FinalReport
from reporting.final.pdf import final_pdf_page_count
from reporting.final.workflows import FinalState

from .conftest import IN_FINAL, answers, ready

pytestmark = pytest.mark.django_db


def api(consortium, suffix=""):
    return f"/api/v1/consortia/{consortium.pk}/final-summary/{suffix}"


def test_the_whole_journey_through_the_api(pilot, on_date, api_client, ministry_staff):
    c = pilot.consortium
    with on_date(IN_FINAL):
        api_client.force_authenticate(pilot.lead)
        started = api_client.post(api(c, "start/"))
        assert started.status_code == 201
        body = started.json()
        assert body["state"] == "draft"
        assert body["baseline_version"] == 1
        assert len(body["outcomes"]) == 23
        report = FinalReport.objects.get(pk=body["id"])
        patched = api_client.patch(
            api(c),
            {
                "revision": body["revision"],
                "paths_mechanisms": "形成可复制的数据筑基路径。",
                "outcomes": {str(k): v for k, v in answers(report).items()},
                "figures": {"dataset": {"corrected_count": 2, "note": "含成员单位数据集。"}},
            },
            format="json",
        )
        assert patched.status_code == 200, patched.content
        report.refresh_from_db()
        scan = api_client.post(
            api(c, "scan/"),
            {"file": scan_upload(final_pdf_page_count(report))},
            format="multipart",
        )
        assert scan.status_code == 200, scan.content
        assert scan.json()["has_scan"] is True
        pdf = api_client.get(api(c, "pdf/"))
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        submitted = api_client.post(
            api(c, "submit/"), {"revision": scan.json()["revision"]}, format="json"
        )
        assert submitted.status_code == 200, submitted.content
        assert submitted.json()["state"] == "submitted"
        assert len(submitted.json()["versions"]) == 1
        api_client.force_authenticate(pilot.authority)
        confirmed = api_client.post(api(c, "confirm/"), {"comment": "同意。"}, format="json")
        assert confirmed.json()["province_opinion"] == "同意。"
        api_client.force_authenticate(ministry_staff)
        accepted = api_client.post(api(c, "accept/"), {}, format="json")
        assert accepted.json()["state"] == "accepted"
        figure = {f["kind"]: f for f in accepted.json()["figures"]}["dataset"]
        assert (figure["pulled_count"], figure["corrected_count"]) == (0, 2)
        listed = api_client.get("/api/v1/final-summaries/", {"state": "accepted"})
    assert [r["consortium"] for r in listed.json()["results"]] == [c.pk]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_submitting_with_an_unanswered_outcome_is_refused_in_the_api_in_both_languages(
    pilot, started, on_date, api_client, language
):
    with on_date(IN_FINAL):
        report = ready(pilot, started)
        api_client.force_authenticate(pilot.lead)
        sent = {str(k): v for k, v in answers(report).items()}
        sent["3"] = {"completion": "", "achieved": ""}
        response = api_client.post(
            api(pilot.consortium, "submit/"),
            {"revision": report.revision, "outcomes": sent},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 400
    text = str(response.json())
    assert ("请在报送前填写" in text) if language == "zh-hans" else ("every task" in text)
    report.refresh_from_db()
    assert report.state == FinalState.DRAFT
    assert report.outcomes.get(task__number=3).completion == "completed"


def test_wrong_users_are_refused_in_pages_and_api(
    pilot, started, on_date, client, api_client, other_province_user, ministry_staff
):
    c = pilot.consortium
    other = make_pilot(other_province_user, ministry_staff, name="粤港澳电子信息数据联合体（示例）")
    other_lead = UserFactory(
        role="consortium_lead", organisation=other.consortium.lead_organisation
    )
    assign_perm("consortia.view_consortium", other_lead, other.consortium)
    member = UserFactory(role="consortium_member", organisation=c.lead_organisation)
    assign_perm("consortia.view_consortium", member, c)
    page = reverse("reporting:final-detail", args=[c.pk])
    with on_date(IN_FINAL):
        # Another province and another consortium's lead may not know it exists.
        for user in (other_province_user, other_lead):
            client.force_login(user)
            assert client.get(page).status_code == 404
            api_client.force_authenticate(user)
            assert api_client.get(api(c)).status_code == 404
            assert api_client.post(api(c, "confirm/"), {"comment": "x"}).status_code == 404
        # A member reads, never writes.
        client.force_login(member)
        response = client.get(page)
        assert response.status_code == 200
        assert 'data-testid="final-form"' not in response.content.decode()
        assert client.post(page, {"revision": started.revision}).status_code == 403
        api_client.force_authenticate(member)
        assert api_client.get(api(c)).status_code == 200
        patch = api_client.patch(
            api(c), {"revision": started.revision, "problems": "成员"}, format="json"
        )
        assert patch.status_code == 403
        assert api_client.get("/api/v1/final-summaries/").status_code == 403
        client.force_login(member)
        assert client.get(reverse("reporting:final-list")).status_code == 403
        # The lead of another consortium cannot start this one's summary either.
        api_client.force_authenticate(other_lead)
        assert api_client.post(api(c, "start/")).status_code == 404
        # Anonymous.
        client.logout()
        api_client.force_authenticate(None)
        assert client.get(page).status_code == 302
        assert api_client.get(api(c)).status_code in (401, 403)
        # Another province sees only its own in the list.
        api_client.force_authenticate(other_province_user)
        listed = api_client.get("/api/v1/final-summaries/").json()["results"]
    assert c.pk not in [r["consortium"] for r in listed]
    assert FinalReport.objects.get(pk=started.pk).problems == ""


def test_the_province_confirms_with_its_opinion_on_the_page(
    pilot, started, on_date, client, ministry_staff
):
    with on_date(IN_FINAL):
        report = services.final_submit(actor=pilot.lead, report=ready(pilot, started))
        client.force_login(pilot.authority)
        url = reverse("reporting:final-action", args=[pilot.consortium.pk, "confirm"])
        client.post(url, {"comment": "经审核，同意报送。"})
        client.force_login(ministry_staff)
        page = client.get(reverse("reporting:final-detail", args=[pilot.consortium.pk]))
        # Out of order on the page: confirming again is refused with a message, nothing changes.
        client.force_login(pilot.authority)
        again = client.post(url, {"comment": "再次确认"})
    report.refresh_from_db()
    assert report.state == FinalState.CONFIRMED
    assert report.province_opinion == "经审核，同意报送。"
    assert 'data-testid="final-accept"' in page.content.decode()
    assert "再次确认" not in FinalReport.objects.get(pk=report.pk).province_opinion
    assert again.status_code == 403


def test_the_lead_fills_the_form_on_the_page(pilot, started, on_date, client):
    url = reverse("reporting:final-detail", args=[pilot.consortium.pk])
    data = {"revision": started.revision, "paths_mechanisms": "路径一。", "intent": "save"}
    for o in started.outcomes.select_related("task"):
        n = o.task.number
        data.update(
            {f"t{n}_completion": "partly", f"t{n}_percent": 60, f"t{n}_achieved": "已完成六成。"}
        )
    data["f_dataset_count"] = "3"
    data["f_dataset_note"] = ""
    with on_date(IN_FINAL):
        client.force_login(pilot.lead)
        refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 200  # the note is missing: shown, nothing saved
        assert "Say why the figure differs" in refused.content.decode()
        assert FinalReport.objects.get(pk=started.pk).paths_mechanisms == ""
        data["f_dataset_note"] = "补充登记。"
        saved = client.post(url, data)
    assert saved.status_code == 302
    report = FinalReport.objects.get(pk=started.pk)
    assert report.paths_mechanisms == "路径一。"
    assert report.figures.get(kind="dataset").corrected_count == 3


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_final_summary_pages_in_one_language(
    pilot, started, on_date, client, ministry_staff, language
):
    c = pilot.consortium
    with on_date(IN_FINAL):
        services.case_save(
            actor=pilot.lead,
            report=started,
            revision=None,
            data={
                "title": "案例甲",
                "scenario": "场景甲",
                "stage": "production",
                "effect": "效果甲",
            },
        )
        started.refresh_from_db()
        report = ready(pilot, started)
        lead_pages = [reverse("reporting:final-detail", args=[c.pk])]
        client.force_login(pilot.lead)
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        htmls = [(pilot.lead, client.get(u)) for u in lead_pages]
        draft_scan_sha = FinalReport.objects.get(pk=report.pk).scan_sha256
        services.final_submit(actor=pilot.lead, report=FinalReport.objects.get(pk=report.pk))
        for user in (pilot.authority, ministry_staff):
            client.force_login(user)
            client.post(reverse("set_language"), {"language": language, "next": "/"})
            for u in (
                reverse("reporting:final-detail", args=[c.pk]),
                reverse("reporting:final-list"),
            ):
                htmls.append((user, client.get(u)))
    report = FinalReport.objects.get(pk=report.pk)
    version = report.versions.get()
    strip = [
        *user_content(c),
        pilot.lead.display_name,
        pilot.authority.display_name,
        ministry_staff.display_name,
        c.lead_organisation.name_zh,
        "形成“数据+模型+场景”协同推进路径。",
        "按方案完成。",
        "验收报告",
        "案例甲",
        "场景甲",
        "效果甲",
        version.scan_sha256[:16],
        draft_scan_sha[:16],
    ]
    for user, response in htmls:
        assert response.status_code == 200
        html = response.content.decode()
        for value in sorted({s for s in strip if s}, key=len, reverse=True):
            html = html.replace(value, "")
        assert not check_language(html, language, user.username), (
            user.username,
            check_language(html, language, user.username),
        )


def test_the_api_is_in_the_openapi_schema(api_client, ministry_staff):
    api_client.force_authenticate(ministry_staff)
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/final-summaries/",
        "/api/v1/consortia/{consortium_pk}/final-summary/",
        "/api/v1/consortia/{consortium_pk}/final-summary/submit/",
        "/api/v1/consortia/{consortium_pk}/final-summary/{action}/",
        "/api/v1/consortia/{consortium_pk}/final-summary/cases/",
        "/api/v1/consortia/{consortium_pk}/final-summary/scan/",
    ):
        assert path in paths, path


def test_the_lead_adds_and_deletes_a_typical_case_on_the_page(pilot, started, on_date, client):
    url = reverse("reporting:final-case", args=[pilot.consortium.pk])
    with on_date(IN_FINAL):
        client.force_login(pilot.lead)
        incomplete = client.post(url, {"revision": started.revision, "title": "只有标题"})
        assert incomplete.status_code == 302
        assert not started.cases.exists()
        client.post(
            url,
            {
                "revision": started.revision,
                "title": "能耗优化",
                "scenario": "高炉能耗预测",
                "stage": "production",
                "effect": "吨钢能耗下降2%。",
            },
        )
        case = started.cases.get()
        started.refresh_from_db()
        client.post(url, {"revision": started.revision, "delete": str(case.public_id)})
    assert not started.cases.exists()
