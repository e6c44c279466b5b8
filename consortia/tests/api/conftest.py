"""Fixtures of the consortia API tests: a plan at each step of its path, API clients."""

from unittest import mock

import pytest
from rest_framework.test import APIClient

from consortia.pdf import plan_pdf_page_count
from consortia.samples import fill_plan, scan_upload
from consortia.services import (
    plan_submit,
    plan_upload_scan,
)
from tasks_catalog.models import Program

from .helpers import BEFORE_DEADLINE, create_consortium


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_user():
    """An API client logged in as the user, asking for English messages."""

    def make(user) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def program(db):
    return Program.objects.get(code="idfa-2026")


@pytest.fixture
def before_deadline():
    with mock.patch("django.utils.timezone.localdate", return_value=BEFORE_DEADLINE):
        yield


@pytest.fixture
def consortium(province_user, program):
    return create_consortium(province_user, program)


@pytest.fixture
def filled(province_user, consortium):
    """A complete draft plan, no scan yet."""
    fill_plan(actor=province_user, consortium=consortium)
    return consortium


@pytest.fixture
def scanned(province_user, filled):
    plan = filled.plan
    plan.refresh_from_db()
    plan_upload_scan(actor=province_user, plan=plan, upload=scan_upload(plan_pdf_page_count(plan)))
    return filled


@pytest.fixture
def submitted(province_user, scanned, before_deadline):
    plan_submit(actor=province_user, plan=scanned.plan)
    return scanned
