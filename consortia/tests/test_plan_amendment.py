"""Amendments of an approved plan (完善实施方案): the workflow, the baseline, the immutability of
the first approved version, pilots unaffected while an amendment is open, pages in both languages."""

import datetime as dt
import hashlib
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
    services.amendment_approve(actor=ministry_staff, amendment=_fresh(amendment), comment="同意修订。")
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
