"""Amendments of an approved plan (完善实施方案): the workflow, the baseline, the immutability of
the first approved version, pilots unaffected while an amendment is open, pages in both languages."""

import datetime as dt
import hashlib
import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from consortia import services
from consortia.models import PlanAmendment, PlanVersion
from consortia.samples import CONSORTIUM, scan_upload
from consortia.selectors import plan_baseline
from consortia.tests.conftest import make_consortium, make_ready_plan
from consortia.workflows import AmendmentState, PlanState
from portal.models import AuditEntry, Notification, User
from portal.roles import Role
from portal.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_MEMBER = {
    "name": "沪新数据服务有限公司（示例）",
    "profile": "数据标注与数据集加工服务企业。",
    "role": "负责高质量数据集评测。",
    "contact_name": "王芳",
    "contact_email": "wangfang@unit.example.cn",
    "gets_account": True,
}


@pytest.fixture
def approved(province_user, ministry_staff, idfa, settings, tmp_path):
    """An approved pilot: version 1 approved, the lead's account open."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 1)):
        plan = make_ready_plan(province_user, idfa)
        services.plan_submit(actor=province_user, plan=plan)
        services.plan_approve(actor=ministry_staff, plan=plan, comment="同意。")
    plan.refresh_from_db()
    return plan


@pytest.fixture
def lead(approved):
    return User.objects.get(email=CONSORTIUM["contact_email"], role=Role.CONSORTIUM_LEAD)


def _amend(actor, plan, reason="新增成员单位，调整任务分工。"):
    return services.amendment_propose(actor=actor, plan=plan, reason=reason)


def _fresh(amendment):
    return PlanAmendment.objects.get(pk=amendment.pk)


def _approved_amendment(province_user, ministry_staff, plan):
    amendment = _amend(province_user, plan)
    amendment = services.amendment_member_save(
        actor=province_user, amendment=amendment, data=NEW_MEMBER, revision=amendment.revision
    )
    amendment = _fresh(PlanAmendment.objects.get(plan=plan, number=1))
    tasks = {t["number"]: t["responsible"] for t in amendment.content["tasks"] if t["selected"]}
    tasks[14] = [NEW_MEMBER["name"]]
    tasks.pop(15, None)
    services.amendment_set_tasks(
        actor=province_user, amendment=amendment, selections=tasks, revision=amendment.revision
    )
    amendment = _fresh(amendment)
    services.amendment_update(
        actor=province_user,
        amendment=amendment,
        data={"implementation_plan": amendment.content["implementation_plan"] + "\n新增评测目标。"},
        revision=amendment.revision,
    )
    version = services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    services.amendment_approve(
        actor=ministry_staff, amendment=_fresh(amendment), comment="同意修订。"
    )
    return _fresh(amendment), version


def test_an_approved_amendment_becomes_the_baseline_and_never_alters_the_first_approved_version(
    approved, province_user, ministry_staff
):
    first = plan_baseline(plan=approved)
    assert first.number == 1
    before = {
        "content": first.content,
        "content_sha256": first.content_sha256,
        "pdf_sha256": first.pdf_sha256,
        "scan_sha256": first.scan_sha256,
        "pdf": default_storage.open(first.pdf.name).read(),
        "scan": default_storage.open(first.scan.name).read(),
    }

    amendment, version = _approved_amendment(province_user, ministry_staff, approved)

    assert amendment.state == AmendmentState.APPROVED
    assert plan_baseline(plan=approved) == version
    assert version.number == 2
    assert version.amendment == amendment
    again = PlanVersion.objects.get(pk=first.pk)
    assert again.content == before["content"]
    assert again.content_sha256 == before["content_sha256"]
    assert again.pdf_sha256 == before["pdf_sha256"]
    assert again.scan_sha256 == before["scan_sha256"]
    pdf = default_storage.open(again.pdf.name).read()
    assert pdf == before["pdf"]
    assert hashlib.sha256(pdf).hexdigest() == before["pdf_sha256"]
    assert default_storage.open(again.scan.name).read() == before["scan"]
    assert again.review.decision == "approve"
    approved.refresh_from_db()
    assert approved.state == PlanState.APPROVED


def test_the_approval_writes_the_amended_content_to_the_plan(
    approved, province_user, ministry_staff
):
    from consortia.content import content_digest, plan_content

    _amendment, version = _approved_amendment(province_user, ministry_staff, approved)
    approved.refresh_from_db()
    numbers = set(approved.selections.values_list("task__number", flat=True))
    assert 14 in numbers
    assert 15 not in numbers
    assert approved.consortium.members.filter(name=NEW_MEMBER["name"]).exists()
    assert content_digest(plan_content(approved)) == version.content_sha256
    # The new member's contact gets a read-only account.
    assert User.objects.filter(email=NEW_MEMBER["contact_email"], role=Role.CONSORTIUM_MEMBER)


def test_reports_keep_their_tasks_while_an_amendment_is_open_and_follow_it_once_approved(
    approved, province_user, ministry_staff
):
    amendment = _amend(province_user, approved)
    tasks = {t["number"]: t["responsible"] for t in amendment.content["tasks"] if t["selected"]}
    tasks.pop(15)
    services.amendment_set_tasks(
        actor=province_user, amendment=amendment, selections=tasks, revision=amendment.revision
    )
    approved.refresh_from_db()
    # Drafting changes nothing the reports read: the plan is approved, task 15 still selected.
    assert approved.state == PlanState.APPROVED
    assert approved.consortium.is_pilot
    assert approved.selections.filter(task__number=15).exists()
    services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    assert approved.selections.filter(task__number=15).exists()
    services.amendment_approve(actor=ministry_staff, amendment=_fresh(amendment))
    assert not approved.selections.filter(task__number=15).exists()


def test_a_progress_report_stays_editable_while_an_amendment_is_under_review(
    approved, province_user, lead
):
    from reporting.periods.models import ReportingPeriod
    from reporting.periods.services import report_start

    amendment = _amend(province_user, approved)
    services.amendment_submit(actor=province_user, amendment=amendment)
    period = ReportingPeriod.objects.filter(program=approved.consortium.program).order_by(
        "opens_on"
    )[1]
    with mock.patch(
        "django.utils.timezone.localdate", return_value=period.opens_on + dt.timedelta(days=1)
    ):
        report = report_start(actor=lead, consortium=approved.consortium, period=period)
    assert report.entries.count() == approved.selections.count()


def test_only_the_recommending_authority_proposes_and_only_once_at_a_time(
    approved, province_user, other_province_user, ministry_staff, lead
):
    with pytest.raises(PermissionDenied):
        _amend(lead, approved)
    with pytest.raises(PermissionDenied):
        _amend(ministry_staff, approved)
    with pytest.raises(PermissionDenied):
        _amend(other_province_user, approved)
    _amend(province_user, approved)
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        _amend(province_user, approved)
    assert "already open" in str(exc.value)


def test_a_draft_plan_cannot_be_amended(province_user, idfa, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = make_consortium(province_user, idfa).plan
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        _amend(province_user, plan)
    assert "Only an approved plan can be amended" in str(exc.value)


def test_the_lead_edits_a_draft_amendment_but_only_the_authority_submits(
    approved, province_user, lead, consortium_member
):
    amendment = _amend(province_user, approved)
    services.amendment_update(
        actor=lead,
        amendment=amendment,
        data={"work_foundation": "牵头单位补充的工作基础。" * 20},
        revision=amendment.revision,
    )
    assert _fresh(amendment).content["work_foundation"].startswith("牵头单位补充")
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        services.amendment_submit(actor=lead, amendment=_fresh(amendment))
    assert "Only the recommending authority" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.amendment_update(
            actor=consortium_member, amendment=_fresh(amendment), data={}, revision=None
        )


def test_a_stale_amendment_edit_is_refused_with_a_clear_message(approved, province_user, lead):
    amendment = _amend(province_user, approved)
    start = amendment.revision
    services.amendment_update(
        actor=lead, amendment=amendment, data={"reason": "补充理由。"}, revision=start
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.amendment_update(
            actor=province_user,
            amendment=_fresh(amendment),
            data={"reason": "另一理由。"},
            revision=start,
        )
    assert exc.value.code == "stale"
    assert _fresh(amendment).reason == "补充理由。"


def test_out_of_order_actions_are_refused_with_the_reason(approved, province_user, ministry_staff):
    amendment = _amend(province_user, approved)
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        services.amendment_approve(actor=ministry_staff, amendment=amendment)
    assert "This cannot be done while the amendment is “Amendment being drafted”" in str(exc.value)
    services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    with pytest.raises(PermissionDenied):
        services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.amendment_return(actor=ministry_staff, amendment=_fresh(amendment))
    assert "comment on at least one section" in str(exc.value)


def test_a_returned_amendment_is_revised_and_the_baseline_stays_until_approval(
    approved, province_user, ministry_staff, lead
):
    amendment = _amend(province_user, approved)
    first = services.amendment_submit(actor=province_user, amendment=amendment)
    Notification.objects.all().delete()
    services.amendment_return(
        actor=ministry_staff,
        amendment=_fresh(amendment),
        section_comments={"plan": "请补充数据集评测目标。"},
        comment="请修改后再报。",
    )
    assert plan_baseline(plan=approved).number == 1
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert province_user.username in told
    assert lead.username in told
    services.amendment_update(
        actor=province_user,
        amendment=_fresh(amendment),
        data={"implementation_plan": _fresh(amendment).content["implementation_plan"] + "\n补充。"},
        revision=_fresh(amendment).revision,
    )
    second = services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    assert (first.number, second.number) == (2, 3)
    services.amendment_approve(actor=ministry_staff, amendment=_fresh(amendment))
    assert plan_baseline(plan=approved) == second
    actions = list(
        AuditEntry.objects.filter(object_id=str(amendment.pk), action__startswith="amendment.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "amendment.propose",
        "amendment.submit",
        "amendment.return",
        "amendment.edit",
        "amendment.submit",
        "amendment.approve",
    ]


def test_a_withdrawn_amendment_leaves_the_plan_as_approved(approved, province_user):
    amendment = _amend(province_user, approved)
    services.amendment_member_delete(
        actor=province_user, amendment=amendment, index=1, revision=amendment.revision
    )
    services.amendment_withdraw(actor=province_user, amendment=_fresh(amendment))
    assert _fresh(amendment).state == AmendmentState.WITHDRAWN
    assert approved.consortium.members.count() == 4
    # Another one can be proposed now.
    assert _amend(province_user, approved).number == 2


def test_the_submission_tells_the_ministry_and_the_version_carries_no_scan_by_default(
    approved, province_user, ministry_staff
):
    amendment = _amend(province_user, approved)
    Notification.objects.all().delete()
    version = services.amendment_submit(actor=province_user, amendment=amendment)
    assert Notification.objects.filter(recipient=ministry_staff, kind="amendment.submit").exists()
    assert not version.scan
    assert version.scan_pages == 0
    assert (
        version.pdf_sha256
        == hashlib.sha256(default_storage.open(version.pdf.name).read()).hexdigest()
    )


def test_a_program_that_asks_for_it_needs_the_stamped_scan_of_the_amendment(
    approved, province_user
):
    from consortia.pdf import plan_pdf
    from portal.pdf import pdf_page_count

    program = approved.consortium.program
    program.amendment_requires_scan = True
    program.save()
    amendment = _amend(province_user, approved)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.amendment_submit(actor=province_user, amendment=amendment)
    assert exc.value.code == "no_scan"
    pdf, _digest = plan_pdf(approved, draft=False, content=amendment.content)
    services.amendment_upload_scan(
        actor=province_user, amendment=_fresh(amendment), upload=scan_upload(pdf_page_count(pdf))
    )
    version = services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    assert version.scan
    assert len(version.scan_sha256) == 64


def test_a_removed_member_units_account_loses_the_consortium(
    approved, province_user, ministry_staff
):
    member_user = User.objects.get(role=Role.CONSORTIUM_MEMBER)
    consortium = approved.consortium
    assert member_user.has_perm("consortia.view_consortium", consortium)
    amendment = _amend(province_user, approved)
    services.amendment_member_delete(
        actor=province_user, amendment=amendment, index=1, revision=amendment.revision
    )
    amendment = _fresh(amendment)
    someone = amendment.content["members"][0]["name"]
    tasks = {
        t["number"]: t["responsible"] or [someone]
        for t in amendment.content["tasks"]
        if t["selected"]
    }
    services.amendment_set_tasks(
        actor=province_user, amendment=amendment, selections=tasks, revision=amendment.revision
    )
    services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    services.amendment_approve(actor=ministry_staff, amendment=_fresh(amendment))
    member_user = User.objects.get(pk=member_user.pk)
    assert not member_user.has_perm("consortia.view_consortium", consortium)


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "propose", "label", "stale_message"),
    [
        ("zh-hans", "提出修订", "修订", "在您编辑期间，其他人保存了该修订稿"),
        ("en", "Propose an amendment", "Amendment", "Someone else saved this amendment"),
    ],
)
def test_the_amendment_journey_in_the_pages(
    client, approved, province_user, ministry_staff, language, propose, label, stale_message
):
    consortium = approved.consortium
    client.cookies["django_language"] = language
    client.force_login(province_user)
    detail = client.get(reverse("consortia:consortium-detail", args=[consortium.pk]))
    assert propose in detail.content.decode()
    response = client.post(
        reverse("consortia:amendment-propose", args=[consortium.pk]), {"reason": "调整分工。"}
    )
    assert response.status_code == 302
    amendment = PlanAmendment.objects.get(plan=approved)
    page = client.get(response.url)
    assert label in page.content.decode()
    tasks_url = reverse("consortia:amendment-tasks", args=[consortium.pk, 1])
    assert client.get(tasks_url).status_code == 200
    members_url = reverse("consortia:amendment-members", args=[consortium.pk, 1])
    data = {**NEW_MEMBER, "gets_account": "", "revision": amendment.revision}
    assert client.post(members_url, data).status_code == 302
    assert len(_fresh(amendment).content["members"]) == 5
    edit_url = reverse("consortia:amendment-edit", args=[consortium.pk, 1])
    a = _fresh(amendment)
    data = {
        "reason": "调整分工，新增成员。",
        "work_foundation": a.content["work_foundation"],
        "implementation_plan": a.content["implementation_plan"] + "\n新增目标。",
        "revision": a.revision - 1,  # someone saved meanwhile
    }
    stale = client.post(edit_url, data)
    assert stale.status_code == 200
    assert stale_message in stale.content.decode()
    assert _fresh(amendment).reason == "调整分工。"  # nothing saved
    data["revision"] = a.revision
    assert client.post(edit_url, data).status_code == 302
    assert (
        client.get(reverse("consortia:amendment-pdf", args=[consortium.pk, 1])).status_code == 200
    )
    submit = reverse("consortia:amendment-action", args=[consortium.pk, 1, "submit"])
    assert client.post(submit).status_code == 302
    assert _fresh(amendment).state == AmendmentState.SUBMITTED

    client.force_login(ministry_staff)
    review = client.get(reverse("consortia:amendment-detail", args=[consortium.pk, 1]))
    assert 'data-testid="changed-members"' in review.content.decode()
    approve = reverse("consortia:amendment-action", args=[consortium.pk, 1, "approve"])
    assert client.post(approve, {"comment": "同意。"}).status_code == 302
    detail = client.get(
        reverse("consortia:consortium-detail", args=[consortium.pk])
    ).content.decode()
    assert 'data-testid="version-2-baseline"' in detail
    assert 'data-testid="version-2-amendment"' in detail
    assert 'data-testid="version-1-baseline"' not in detail
    compare = client.get(reverse("consortia:compare", args=[consortium.pk]) + "?a=1&b=2")
    assert compare.status_code == 200
    assert 'data-testid="changed-members"' in compare.content.decode()


def test_the_amendment_pages_refuse_the_wrong_people(
    client, approved, province_user, other_province_user, consortium_member, lead
):
    consortium = approved.consortium
    amendment = _amend(province_user, approved)
    detail = reverse("consortia:amendment-detail", args=[consortium.pk, amendment.number])
    edit = reverse("consortia:amendment-edit", args=[consortium.pk, amendment.number])
    submit = reverse("consortia:amendment-action", args=[consortium.pk, amendment.number, "submit"])
    propose = reverse("consortia:amendment-propose", args=[consortium.pk])
    assert client.get(detail).status_code == 302  # anonymous: to the login page
    client.force_login(other_province_user)
    assert client.get(detail).status_code == 404
    assert client.post(propose, {"reason": "x"}).status_code == 404
    client.force_login(consortium_member)
    assert client.get(detail).status_code == 404  # another consortium's member
    client.force_login(lead)
    assert client.get(detail).status_code == 200
    assert client.get(edit).status_code == 200
    assert client.post(submit).status_code == 403
    assert client.get(propose).status_code == 403
    outsider = UserFactory(role=Role.CONSORTIUM_LEAD)
    client.force_login(outsider)
    assert client.get(detail).status_code in (403, 404)
    assert (
        client.get(reverse("consortia:amendment-detail", args=[consortium.pk, 99])).status_code
        == 404
    )


def test_the_homes_list_the_amendments_waiting(client, approved, province_user, ministry_staff):
    amendment = _amend(province_user, approved)
    client.cookies["django_language"] = "zh-hans"
    client.force_login(province_user)
    assert "完成并提交" in client.get("/home/province/").content.decode()
    services.amendment_submit(actor=province_user, amendment=amendment)
    client.force_login(ministry_staff)
    home = client.get("/home/ministry/").content.decode()
    assert "实施方案修订稿" in home
    assert reverse("consortia:amendment-detail", args=[approved.consortium_id, 1]) in home


def _leftovers(response, strip, language, username) -> list[str]:
    """Words of the other language on the page, once user content and digests are taken out."""
    from portal.tests.test_i18n import check_language

    html = response.content.decode()
    for value in sorted({str(v) for v in strip if v}, key=len, reverse=True):
        html = html.replace(value, "")
    html = re.sub(r"[0-9a-f]{8,}…?", "", html)  # SHA-256 digests of the versions
    return check_language(html, language, username)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_amendment_pages_show_only_the_chosen_language(
    client, approved, province_user, ministry_staff, language
):
    from consortia.tests.test_pages_i18n import user_content

    consortium = approved.consortium
    amendment = _amend(province_user, approved)
    services.amendment_member_save(
        actor=province_user,
        amendment=amendment,
        data={**NEW_MEMBER, "gets_account": False},
        revision=amendment.revision,
    )
    pk, n = consortium.pk, 1
    strip = [
        *user_content(consortium),
        *NEW_MEMBER.values(),
        _fresh(amendment).reason,
        "同意。",  # the Ministry's approval comment, in the history
        province_user.display_name,
        ministry_staff.display_name,
    ]
    pages = {
        province_user: [
            reverse("consortia:consortium-detail", args=[pk]),
            reverse("consortia:amendment-detail", args=[pk, n]),
            reverse("consortia:amendment-edit", args=[pk, n]),
            reverse("consortia:amendment-members", args=[pk, n]),
            reverse("consortia:amendment-member-edit", args=[pk, n, 5]),
            reverse("consortia:amendment-tasks", args=[pk, n]),
            reverse("consortia:amendment-action", args=[pk, n, "submit"]),
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            leftovers = _leftovers(response, strip, language, user.username)
            assert not leftovers, (url, leftovers)
    services.amendment_submit(actor=province_user, amendment=_fresh(amendment))
    client.force_login(ministry_staff)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    for url in [
        reverse("consortia:amendment-detail", args=[pk, n]),
        reverse("consortia:amendment-action", args=[pk, n, "return"]),
        reverse("consortia:compare", args=[pk]) + "?a=1&b=2",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        leftovers = _leftovers(response, strip, language, ministry_staff.username)
        assert not leftovers, (url, leftovers)


def test_the_provinces_waiting_plans_and_amendments_are_what_its_visible_consortia_give(
    approved, province_user, other_province_user, idfa, settings
):
    """The province home's prepared reads (``province_plans_waiting``,
    ``province_amendments_waiting``) equal the ORM reads over ``consortium_list_visible_to``."""
    from consortia.selectors import (
        consortium_list_visible_to,
        province_amendments_waiting,
        province_plans_waiting,
    )

    make_consortium(province_user, idfa, name="第二联合体（示例）")  # a draft
    amendment = _amend(province_user, approved)
    for user in (province_user, other_province_user):
        visible = consortium_list_visible_to(user=user)
        plans = list(visible.filter(plan__state__in=[PlanState.DRAFT, PlanState.RETURNED]))
        amendments = list(
            PlanAmendment.objects.filter(
                plan__consortium__in=visible,
                state__in=[AmendmentState.DRAFT, AmendmentState.RETURNED],
            )
            .select_related("plan__consortium__authority")
            .order_by("updated_at", "pk")
        )
        got_plans = province_plans_waiting(user=user)
        got_amendments = province_amendments_waiting(user=user)
        assert [(c.pk, c.plan.pk, c.program.pk, c.authority.pk) for c in got_plans] == [
            (c.pk, c.plan.pk, c.program.pk, c.authority.pk) for c in plans
        ]
        assert [(a.pk, a.plan.consortium.authority.pk) for a in got_amendments] == [
            (a.pk, a.plan.consortium.authority.pk) for a in amendments
        ]
    assert [c.name for c in province_plans_waiting(user=province_user)] == ["第二联合体（示例）"]
    assert [a.pk for a in province_amendments_waiting(user=province_user)] == [amendment.pk]
    assert province_plans_waiting(user=other_province_user) == []
