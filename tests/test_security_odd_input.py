"""Security suite, odd input (issue 13, item 5 and 6): a NUL byte, a Unicode digit that is not
an int, a JSON array where an object belongs, a revision that is not a number or is missing —
each answered 400 (or, on a page, a message), never a server error, and nothing saved."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from consortia.models import Consortium, MemberUnit
from consortia.tests.conftest import make_ready_plan
from reporting.conftest import make_pilot
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db


def on(day: str):
    return mock.patch("django.utils.timezone.localdate", return_value=dt.date.fromisoformat(day))


@pytest.fixture
def pilot(province_user, ministry_staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return make_pilot(province_user, ministry_staff)


@pytest.fixture
def report_api(pilot):
    """Q2's report of the pilot, started by its lead (in July): its API address."""
    url = f"/api/v1/consortia/{pilot.consortium.pk}/reports/2026-q2/"
    with on("2026-07-01"):
        assert api(pilot.lead).post(url + "start/").status_code in (200, 201)
    return url


@pytest.fixture
def draft_plan(province_user):
    with on("2026-03-01"):
        yield make_ready_plan(province_user, Program.objects.get(code="idfa-2026"))


NUL = "a\x00b"
SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no

PAGES = [
    "dashboards:overview",
    "dashboards:heatmap",
    "dashboards:tasks",
    "dashboards:report-rows",
    "dashboards:entry-rows",
]
APIS = [
    "/api/v1/dashboards/overview/",
    "/api/v1/dashboards/tasks/",
    "/api/v1/dashboards/heatmap/",
    "/api/v1/dashboards/reports/",
    "/api/v1/dashboards/entries/",
    "/api/v1/dashboards/status/",
    "/api/v1/deliverables/dataset/",
    "/api/v1/consortia/",
    "/api/v1/reports/",
]
FILTERS = ["program", "period", "province", "entity_type", "search"]


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("name", FILTERS)
def test_a_nul_byte_in_a_filter_is_a_400_on_every_page(client, ministry_staff, name):
    client.force_login(ministry_staff)
    urls = [reverse(p) for p in PAGES] + [
        reverse("reporting:deliverable-catalogue", args=["dataset"]),
        reverse("consortia:consortium-list"),
        reverse("reporting:report-index"),
    ]
    for url in urls:
        response = client.get(url, {name: NUL})
        assert response.status_code == 400, url
        assert "空字符" in response.content.decode(), url
    english = client.get(urls[0], {name: NUL}, HTTP_ACCEPT_LANGUAGE="en")
    assert "NUL character" in english.content.decode()


@pytest.mark.parametrize("name", FILTERS)
def test_a_nul_byte_in_a_filter_is_a_400_on_every_api_list(ministry_staff, name):
    for url in APIS:
        response = api(ministry_staff).get(url, {name: NUL})
        assert response.status_code == 400, url
        body = response.json()
        assert body["code"] == "invalid", url
        assert name in body["errors"], url


def test_a_nul_byte_in_a_form_post_is_refused(client, province_user):
    client.force_login(province_user)
    before = Consortium.objects.count()
    url = reverse("consortia:consortium-create")
    # URL-encoded (what a browser's form sends): refused before the view.
    encoded = client.post(url, "name=a%00b", content_type="application/x-www-form-urlencoded")
    assert encoded.status_code == 400
    # Multipart: the form's field refuses it with its message, nothing is saved.
    multipart = client.post(url, {"name": NUL})
    assert multipart.status_code == 200
    assert "空字符" in multipart.content.decode() or "Null" in multipart.content.decode()
    assert Consortium.objects.count() == before  # (PostgreSQL cannot even query for a NUL)


@pytest.mark.parametrize(
    ("name", "page", "endpoint"),
    [
        ("category", "dashboards:tasks", "/api/v1/dashboards/tasks/"),
        ("category", "dashboards:overview", "/api/v1/dashboards/overview/"),
        ("task", "dashboards:entry-rows", "/api/v1/dashboards/entries/"),
    ],
)
def test_a_unicode_digit_as_a_number_filter_is_a_400(client, ministry_staff, name, page, endpoint):
    client.force_login(ministry_staff)
    assert client.get(reverse(page), {name: SUPERSCRIPT_TWO}).status_code == 400
    response = api(ministry_staff).get(endpoint, {name: SUPERSCRIPT_TWO})
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_a_unicode_digit_as_a_task_key_of_the_plan_tasks_is_a_400(province_user, draft_plan):
    response = api(province_user).put(
        f"/api/v1/consortia/{draft_plan.consortium_id}/plan/tasks/",
        {"revision": draft_plan.revision, "tasks": {SUPERSCRIPT_TWO: []}},
        format="json",
    )
    assert response.status_code == 400, response.content


def test_a_unicode_digit_as_a_task_key_of_a_report_is_a_400(pilot, report_api):
    with on("2026-07-02"):
        response = api(pilot.lead).patch(
            report_api,
            {"revision": 1, "entries": {SUPERSCRIPT_TWO: {"status": "on_track"}}},
            format="json",
        )
    assert response.status_code == 400, response.content


def test_a_json_array_body_on_an_action_is_a_400(pilot, report_api, ministry_staff):
    with on("2026-07-02"):
        for user, action in (
            (pilot.lead, "submit"),
            (pilot.authority, "confirm"),
            (ministry_staff, "accept"),
            (ministry_staff, "return"),
        ):
            response = api(user).post(report_api + f"{action}/", [1, 2], format="json")
            assert response.status_code in (400, 403), (action, response.content)
            assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("revision", ["abc", SUPERSCRIPT_TWO, None])
def test_a_member_is_removed_only_with_a_valid_revision(
    client, province_user, draft_plan, revision
):
    plan = draft_plan
    member = MemberUnit.objects.filter(consortium=plan.consortium).first()
    client.force_login(province_user)
    data = {} if revision is None else {"revision": revision}
    response = client.post(
        reverse("consortia:member-delete", args=[plan.consortium_id, member.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert MemberUnit.objects.filter(pk=member.pk).exists()
    assert "请刷新页面" in response.content.decode()


def test_a_boolean_filter_refuses_what_is_not_a_boolean(api_client, ministry_staff):
    """django-filter would read ``?is_active=-3443`` as no filter at all (Schemathesis found it)."""
    api_client.force_authenticate(ministry_staff)
    refused = api_client.get("/api/v1/reference-terms/", {"is_active": "-3443"})
    assert refused.status_code == 400
    for value in ("true", "false", ""):
        assert api_client.get("/api/v1/reference-terms/", {"is_active": value}).status_code == 200
