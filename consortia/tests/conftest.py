"""Fixtures for consortia tests: a complete plan, ready to submit, in Beijing."""

from unittest import mock

import pytest

from consortia.pdf import plan_pdf_page_count
from consortia.samples import CONSORTIUM, fill_plan, scan_upload
from consortia.services import consortium_create, plan_upload_scan
from tasks_catalog.models import Program

BEFORE_DEADLINE = "2026-03-01"


@pytest.fixture
def idfa(db):
    return Program.objects.get(code="idfa-2026")


@pytest.fixture
def before_deadline():
    """Today is before the 64号 plan deadline (2026-03-08)."""
    import datetime as dt

    with mock.patch(
        "django.utils.timezone.localdate", return_value=dt.date.fromisoformat(BEFORE_DEADLINE)
    ):
        yield


def make_consortium(actor, program, name=CONSORTIUM["name"], **overrides):
    data = {**CONSORTIUM, "name": name, "entity_type": program.entity_types.first(), **overrides}
    return consortium_create(actor=actor, program=program, data=data)


def make_ready_plan(actor, program, name=CONSORTIUM["name"]):
    """A complete draft with its stamped scan uploaded: the next step is submission."""
    consortium = make_consortium(actor, program, name=name)
    plan = fill_plan(actor=actor, consortium=consortium)
    plan_upload_scan(actor=actor, plan=plan, upload=scan_upload(plan_pdf_page_count(plan)))
    plan.refresh_from_db()
    return plan


@pytest.fixture
def ready_plan(province_user, idfa, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return make_ready_plan(province_user, idfa)
