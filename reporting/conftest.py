"""An approved pilot consortium with its lead, for the reporting tests."""

import datetime as dt
from dataclasses import dataclass
from unittest import mock

import pytest

from consortia.models import Consortium
from consortia.samples import CONSORTIUM
from consortia.services import plan_approve, plan_submit
from consortia.tests.conftest import make_ready_plan
from portal.models import User
from reporting.periods.models import ReportingPeriod


@dataclass
class Pilot:
    consortium: Consortium
    lead: User
    authority: User
    q1: ReportingPeriod
    q2: ReportingPeriod


#: The day ``make_pilot`` approves its pilot: before Q1's due date (2026-04-15), so the pilot is
#: expected to report for every period (``reporting.periods.expectations``).
APPROVED_ON = dt.date(2026, 3, 20)


def make_pilot(
    province_user, ministry_staff, name=CONSORTIUM["name"], approved_on=APPROVED_ON
) -> Pilot:
    from tasks_catalog.models import Program

    program = Program.objects.get(code="idfa-2026")
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 1)):
        plan = make_ready_plan(province_user, program, name=name)
        plan_submit(actor=province_user, plan=plan)
    with mock.patch("django.utils.timezone.localdate", return_value=approved_on):
        plan_approve(actor=ministry_staff, plan=plan)
    consortium = plan.consortium
    consortium.refresh_from_db()
    lead = (
        User.objects.filter(role="consortium_lead", email=CONSORTIUM["contact_email"])
        .order_by("-pk")
        .first()
    )
    periods = {p.code: p for p in ReportingPeriod.objects.filter(program=program)}
    return Pilot(consortium, lead, province_user, periods["2026-q1"], periods["2026-q2"])


@pytest.fixture
def pilot(province_user, ministry_staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return make_pilot(province_user, ministry_staff)


@pytest.fixture
def on_date():
    """``with on_date("2026-05-10"):`` — today, as the services see it."""

    def patcher(iso: str):
        return mock.patch(
            "django.utils.timezone.localdate", return_value=dt.date.fromisoformat(iso)
        )

    return patcher
