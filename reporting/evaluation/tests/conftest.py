"""Two approved pilots in two provinces (each with its lead and a member), two Ministry reviewers."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from consortia.models import Consortium
from consortia.pdf import plan_pdf_page_count
from consortia.samples import CONSORTIUM, fill_plan, scan_upload
from consortia.services import plan_approve, plan_submit, plan_upload_scan
from consortia.tests.conftest import before_deadline, make_consortium, make_ready_plan  # noqa: F401
from portal.models import User
from portal.tests.factories import UserFactory
from reporting.evaluation.models import EvaluationCriterion
from tasks_catalog.models import Program

GD_CONSORTIUM = "粤港澳电子信息数据联合体（示例）"
GD_LEAD_EMAIL = "lead@gd-unit.example.cn"


@dataclass
class Pilot:
    consortium: Consortium
    lead: User
    member: User
    authority: User


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def program(db):
    return Program.objects.get(code="idfa-2026")


def _approve(plan, authority, ministry_staff, lead_email) -> Pilot:
    plan_submit(actor=authority, plan=plan)
    plan_approve(actor=ministry_staff, plan=plan)
    consortium = Consortium.objects.get(pk=plan.consortium_id)
    member = User.objects.get(
        role="consortium_member", email=f"member1-{consortium.pk}@unit.example.cn"
    )
    return Pilot(consortium, User.objects.get(email=lead_email), member, authority)


@pytest.fixture
def beijing(before_deadline, province_user, ministry_staff, program):  # noqa: F811
    plan = make_ready_plan(province_user, program)
    return _approve(plan, province_user, ministry_staff, CONSORTIUM["contact_email"])


@pytest.fixture
def guangdong(before_deadline, other_province_user, ministry_staff, program):  # noqa: F811
    consortium = make_consortium(
        other_province_user,
        program,
        name=GD_CONSORTIUM,
        contact_email=GD_LEAD_EMAIL,
        lead_unit_name="粤港电子信息集团有限公司（示例）",
    )
    plan = fill_plan(actor=other_province_user, consortium=consortium)
    plan_upload_scan(
        actor=other_province_user, plan=plan, upload=scan_upload(plan_pdf_page_count(plan))
    )
    plan.refresh_from_db()
    return _approve(plan, other_province_user, ministry_staff, GD_LEAD_EMAIL)


@pytest.fixture
def reviewer2(db):
    return UserFactory(role="ministry_staff", organisation_code="MIIT")


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def scores(program, values, comment="意见"):
    """``[{criterion, score, comment}]`` in the scorecard's order."""
    criteria = list(EvaluationCriterion.objects.filter(program=program))
    return [
        {"criterion": c.code, "score": v, "comment": f"{comment}{i}"}
        for i, (c, v) in enumerate(zip(criteria, values, strict=True))
    ]
