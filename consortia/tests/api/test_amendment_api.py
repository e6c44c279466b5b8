"""The amendment API (``/api/v1/consortia/<pk>/plan/amendments/…``): the same journey as the
pages, the denial twins, out-of-order actions, the baseline in the versions list, the schema."""

import pytest

from consortia.models import PlanAmendment
from consortia.samples import CONSORTIUM
from consortia.services import plan_approve
from portal.models import User
from portal.roles import Role
from portal.tests.factories import UserFactory

from .helpers import url

pytestmark = pytest.mark.django_db

NEW_MEMBER = {
    "name": "沪新数据服务有限公司（示例）",
    "profile": "数据标注与数据集加工服务企业。",
    "role": "负责高质量数据集评测。",
}


@pytest.fixture
def approved(submitted, ministry_staff):
    plan_approve(actor=ministry_staff, plan=submitted.plan)
    return submitted


@pytest.fixture
def lead(approved):
    return User.objects.get(email=CONSORTIUM["contact_email"], role=Role.CONSORTIUM_LEAD)


def amendments(consortium, rest=""):
    return url(consortium, f"plan/amendments/{rest}")


def test_the_amendment_journey_through_the_api(
    as_user, approved, province_user, ministry_staff, lead
):
    province = as_user(province_user)
    created = province.post(amendments(approved), {"reason": "新增成员，调整分工。"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["number"], body["state"], body["based_on"]) == (1, "draft", 1)
    assert body["scan_required"] is False
    one = amendments(approved, "1/")
    added = province.post(
        f"{one}members/", {**NEW_MEMBER, "revision": body["revision"]}, format="json"
    )
    assert added.status_code == 201
    body = added.json()
    selections = {
        str(t["number"]): t["responsible"] for t in body["content"]["tasks"] if t["selected"]
    }
    selections["14"] = [NEW_MEMBER["name"]]
    tasks = province.put(
        f"{one}tasks/", {"selections": selections, "revision": body["revision"]}, format="json"
    )
    assert tasks.status_code == 200
    # The lead edits section 4 of the draft amendment.
    revision = tasks.json()["revision"]
    text = tasks.json()["content"]["implementation_plan"] + "\n新增评测目标。"
    edited = as_user(lead).patch(
        one, {"implementation_plan": text, "revision": revision}, format="json"
    )
    assert edited.status_code == 200
    assert as_user(lead).post(f"{one}submit/").status_code == 403
    submitted = province.post(f"{one}submit/")
    assert submitted.status_code == 200
    assert submitted.json()["version"] == 2
    ministry = as_user(ministry_staff)
    assert ministry.get(f"{one}pdf/").status_code == 200
    approved_answer = ministry.post(f"{one}approve/", {"comment": "同意。"}, format="json")
    assert approved_answer.json()["state"] == "approved"
    versions = ministry.get(url(approved, "plan/versions/")).json()["results"]
    assert [(v["number"], v["amendment"], v["is_baseline"]) for v in versions] == [
        (1, None, False),
        (2, 1, True),
    ]
    compare = ministry.get(url(approved, "plan/compare/"), {"a": 1, "b": 2}).json()
    assert compare["changed"]["members"] is True
    assert compare["changed"]["basic"] is False
    assert approved.plan.selections.filter(task__number=14).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This cannot be done while the amendment is “Amendment being drafted”."),
        ("zh-hans", "修订稿处于“修订稿编制中”状态，不能进行此操作。"),
    ],
)
def test_an_out_of_order_action_is_refused_in_the_request_language(
    api_client, approved, province_user, ministry_staff, language, message
):
    api_client.force_authenticate(province_user)
    api_client.post(amendments(approved), {"reason": "调整。"}, format="json")
    api_client.force_authenticate(ministry_staff)
    answer = api_client.post(
        amendments(approved, "1/approve/"), HTTP_ACCEPT_LANGUAGE=language, format="json"
    )
    assert answer.status_code == 403
    assert answer.json()["detail"] == message


def test_a_stale_revision_is_refused(as_user, approved, province_user):
    province = as_user(province_user)
    revision = province.post(amendments(approved), {"reason": "调整。"}, format="json").json()[
        "revision"
    ]
    one = amendments(approved, "1/")
    assert (
        province.patch(one, {"reason": "一", "revision": revision}, format="json").status_code
        == 200
    )
    stale = province.patch(one, {"reason": "二", "revision": revision}, format="json")
    assert stale.status_code == 400
    assert "Someone else saved this amendment" in stale.json()["detail"]


def test_the_wrong_people_are_refused(
    as_user, approved, province_user, other_province_user, consortium_member, ministry_staff, lead
):
    assert (
        as_user(lead).post(amendments(approved), {"reason": "x"}, format="json").status_code == 403
    )
    assert (
        as_user(ministry_staff)
        .post(amendments(approved), {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    as_user(province_user).post(amendments(approved), {"reason": "调整。"}, format="json")
    one = amendments(approved, "1/")
    assert as_user(other_province_user).get(one).status_code == 404
    assert (
        as_user(other_province_user).post(amendments(approved), {"reason": "x"}).status_code == 404
    )
    assert as_user(consortium_member).get(one).status_code == 404  # not this consortium's member
    assert as_user(UserFactory(role=Role.CONSORTIUM_LEAD)).get(one).status_code == 404
    assert as_user(lead).get(amendments(approved, "2/")).status_code == 404
    assert (
        as_user(ministry_staff)
        .patch(one, {"reason": "x", "revision": 1}, format="json")
        .status_code
        == 403
    )
    from rest_framework.test import APIClient

    assert APIClient().get(one).status_code in (401, 403)
    assert PlanAmendment.objects.count() == 1


def test_the_schema_documents_the_amendment_endpoints(api_client, ministry_staff):
    api_client.force_authenticate(ministry_staff)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    base = "/api/v1/consortia/{id}/plan/amendments/"
    assert base in paths
    for action in ("submit", "withdraw", "approve", "return"):
        assert f"{base}{{number}}/{action}/" in paths
    assert f"{base}{{number}}/members/{{index}}/" in paths
