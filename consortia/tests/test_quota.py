"""The recommendation quota: a returned plan keeps its slot and can always be resubmitted; only
rejected and withdrawn plans free one. When the quota is full, the new-consortium page, the
draft's pages, the province home and the API say so before anyone tries to submit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consortia import services
from consortia.models import Plan
from consortia.samples import CONSORTIUM
from consortia.selectors import quota_status, quota_used
from consortia.tests.conftest import make_consortium, make_ready_plan
from consortia.workflows import PlanState

pytestmark = pytest.mark.django_db

FULL_ZH = "推荐名额已满"
FULL_EN = "Quota full"


def returned_and_submitted(province_user, ministry_staff, idfa):
    """Two plans of Beijing in the quota: the first returned for revision, the second submitted."""
    first = make_ready_plan(province_user, idfa, name="京一")
    second = make_ready_plan(province_user, idfa, name="京二")
    services.plan_submit(actor=province_user, plan=first)
    services.plan_return(
        actor=ministry_staff, plan=first, section_comments={"plan": "请量化。"}, comment="请修改"
    )
    services.plan_submit(actor=province_user, plan=second)
    first.refresh_from_db()
    return first, second


def test_a_returned_plan_keeps_its_slot_and_can_be_resubmitted(
    province_user, ministry_staff, idfa, before_deadline, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    first, second = returned_and_submitted(province_user, ministry_staff, idfa)
    assert first.state == PlanState.RETURNED
    assert quota_used(program=idfa, authority_id=province_user.organisation_id) == 2
    assert quota_status(program=idfa, authority_id=province_user.organisation_id)["full"]
    # A third plan cannot take the returned plan's slot …
    third = make_ready_plan(province_user, idfa, name="京三")
    with pytest.raises(ValidationError) as exc:
        services.plan_submit(actor=province_user, plan=third)
    assert exc.value.code == "quota"
    assert Plan.objects.get(pk=third.pk).state == PlanState.DRAFT
    # … and the returned plan, revised with a new scan, is submitted again into its own slot.
    from consortia.pdf import plan_pdf_page_count
    from consortia.samples import scan_upload

    services.plan_update(
        actor=province_user, plan=first, revision=first.revision, data={"work_foundation": "补充"}
    )
    first.refresh_from_db()
    services.plan_upload_scan(
        actor=province_user, plan=first, upload=scan_upload(plan_pdf_page_count(first))
    )
    first.refresh_from_db()
    assert services.plan_submit(actor=province_user, plan=first).number == 2
    assert quota_used(program=idfa, authority_id=province_user.organisation_id) == 2
    # Withdrawn frees a slot: now the third plan goes in.
    services.plan_withdraw(actor=province_user, plan=second, comment="调整")
    assert services.plan_submit(actor=province_user, plan=third).number == 1


def test_another_province_is_not_affected_by_a_full_quota(
    province_user, other_province_user, ministry_staff, idfa, before_deadline, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    returned_and_submitted(province_user, ministry_staff, idfa)
    other = make_ready_plan(other_province_user, idfa, name="粤一")
    assert not quota_status(program=idfa, authority_id=other_province_user.organisation_id)["full"]
    assert services.plan_submit(actor=other_province_user, plan=other).number == 1


@pytest.fixture
def full(province_user, ministry_staff, idfa, before_deadline, settings, tmp_path):
    """Beijing's quota is full (a returned and a submitted plan); a third consortium is a draft."""
    settings.MEDIA_ROOT = str(tmp_path)
    returned_and_submitted(province_user, ministry_staff, idfa)
    draft = make_consortium(province_user, idfa, name="京三（草稿）")
    return draft


@pytest.mark.parametrize(("lang", "text"), [("zh-hans", FULL_ZH), ("en", FULL_EN)])
def test_quota_full_is_said_on_the_new_consortium_page_the_draft_and_the_home(
    full, client, province_user, lang, text
):
    client.force_login(province_user)
    create = client.get(
        reverse("consortia:consortium-create") + "?program=idfa-2026", HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert text in create
    assert 'data-testid="quota-full"' in create
    assert "2" in create[create.index('data-testid="quota-used"') :][:400]
    detail = client.get(
        reverse("consortia:consortium-detail", args=[full.pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert text in detail
    assert 'data-testid="quota-full"' in detail
    form = client.get(
        reverse("consortia:plan-edit", args=[full.pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert 'data-testid="quota-full"' in form
    home = client.get(reverse("portal:home-province"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    quota = home[home.index('data-testid="quota"') :]
    quota = quota[: quota.index("</ul>")]
    assert 'data-testid="quota-full-idfa-2026"' in quota
    assert text in quota
    assert 'data-testid="recommend-idfa-2026"' not in quota
    assert "2" in quota  # 2 of 2 used, the returned plan counted
    # The draft's to-do says it cannot be submitted now.
    inbox = home[home.index('data-testid="inbox"') :]
    assert text in inbox[: inbox.index("</ul>")]


def test_a_draft_can_still_be_created_when_the_quota_is_full(
    full, client, api_client, province_user, idfa
):
    client.force_login(province_user)
    data = {
        **{k: v for k, v in CONSORTIUM.items() if k != "signing_date"},
        "name": "京四（草稿）",
        "entity_type": idfa.entity_types.first().pk,
        "program": "idfa-2026",
    }
    response = client.post(reverse("consortia:consortium-create") + "?program=idfa-2026", data)
    assert response.status_code in (200, 302)
    api_client.force_authenticate(province_user)
    body = api_client.get(f"/api/v1/consortia/{full.pk}/").json()
    assert body["quota"] == {
        "used": 2,
        "limit": 2,
        "full": True,
        "holds_slot": False,
        "blocks_submission": True,
    }


def test_the_api_tells_the_quota_and_refuses_other_roles(
    full, api_client, province_user, other_province_user, consortium_lead, ministry_staff
):
    api_client.force_authenticate(province_user)
    body = api_client.get("/api/v1/consortia/quota/", {"program": "idfa-2026"}).json()
    assert body == {"program": "idfa-2026", "used": 2, "limit": 2, "full": True}
    returned = Plan.objects.get(consortium__name="京一")
    detail = api_client.get(f"/api/v1/consortia/{returned.consortium_id}/").json()
    assert detail["quota"]["holds_slot"]
    assert not detail["quota"]["blocks_submission"]
    # The other province: its own quota, not full.
    api_client.force_authenticate(other_province_user)
    body = api_client.get("/api/v1/consortia/quota/").json()
    assert body["full"] is False
    assert body["used"] == 0
    # Denial twins: a consortium lead and Ministry staff recommend nobody.
    for user in (consortium_lead, ministry_staff):
        api_client.force_authenticate(user)
        response = api_client.get("/api/v1/consortia/quota/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403
        assert "Only a provincial authority recommends consortia." in response.json()["detail"]


def test_no_quota_notice_while_slots_are_free(
    province_user, client, idfa, before_deadline, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    draft = make_consortium(province_user, idfa, name="京草稿")
    client.force_login(province_user)
    for url in (
        reverse("consortia:consortium-create") + "?program=idfa-2026",
        reverse("consortia:consortium-detail", args=[draft.pk]),
        reverse("portal:home-province"),
    ):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-testid="quota-full' not in html, url
    home = client.get(reverse("portal:home-province")).content.decode()
    assert 'data-testid="recommend-idfa-2026"' in home


def test_the_province_home_reads_quotas_and_deadlines_once_whatever_the_number_of_programs(
    client, province_user, idfa, before_deadline
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks_catalog.models import Program

    make_consortium(province_user, idfa)  # a draft waiting: the inbox reads quota and deadline
    client.force_login(province_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("portal:home-province")).status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for n in range(2):  # two more active programs, each with its quota and plan deadline
        program = Program.objects.get(pk=idfa.pk)
        program.pk, program.code = None, f"more-{n}"
        program.save()
    assert queries() == one


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_draft_of_a_program_closed_since_keeps_its_deadline_in_the_inbox(
    client, province_user, ministry_staff, idfa, before_deadline, lang
):
    """The inbox takes each program's deadline and quota from the panel's reading of the
    active programs; a draft of a program closed since is answered on its own, with the
    extension granted to its authority."""
    import datetime as dt

    from consortia.models import DeadlineExtension
    from tasks_catalog.models import Program

    draft = make_consortium(province_user, idfa)
    extended = idfa.plan_deadline + dt.timedelta(days=9)
    DeadlineExtension.objects.create(
        program=idfa,
        authority=province_user.organisation,
        new_deadline=extended,
        reason="因故延期。",
        granted_by=ministry_staff,
    )
    client.force_login(province_user)

    def inbox() -> str:
        home = client.get(reverse("portal:home-province"), HTTP_ACCEPT_LANGUAGE=lang)
        assert home.status_code == 200
        text = home.content.decode()
        text = text[text.index('data-testid="inbox"') :]
        return text[: text.index("</ul>")]

    open_program = inbox()
    Program.objects.filter(pk=idfa.pk).update(is_active=False)
    closed = inbox()
    for text in (open_program, closed):
        item = text[text.index(draft.name) :]
        item = item[: item.index("</li>")]
        assert extended.isoformat() in item
        assert FULL_ZH not in item
        assert FULL_EN not in item
    assert 'data-testid="quota-full' not in closed
