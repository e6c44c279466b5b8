"""The consortia API: the whole path of a plan, and for every endpoint who is refused."""

import datetime as dt
import io
from unittest import mock

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from pypdf import PdfReader, PdfWriter
from rest_framework.test import APIClient

from consortia.models import Plan
from consortia.pdf import plan_pdf_page_count
from consortia.permissions import VIEW_PERMISSION
from consortia.samples import CONSORTIUM, MEMBERS, blank_pdf, fill_plan, scan_upload
from consortia.services import (
    consortium_create,
    deadline_extension_grant,
    plan_submit,
    plan_upload_scan,
)
from portal.models import Organisation, User
from portal.roles import Role
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db

BEFORE_DEADLINE = dt.date(2026, 3, 1)  # the program's plan deadline is 2026-03-08


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


def _create(actor, program, **changes):
    data = {**CONSORTIUM, "entity_type": program.entity_types.first(), **changes}
    return consortium_create(actor=actor, program=program, data=data)


@pytest.fixture
def consortium(province_user, program):
    return _create(province_user, program)


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


def url(consortium, rest=""):
    return f"/api/v1/consortia/{consortium.pk}/{rest}"


def pages_of(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the whole path ----------------------------------------------------------------------------


def test_whole_path_from_recommendation_to_pilot_unit(
    as_user, program, province_user, ministry_staff, ministry_admin
):
    authority, ministry, admin = (
        as_user(province_user),
        as_user(ministry_staff),
        as_user(ministry_admin),
    )
    entity_type = program.entity_types.first().code

    # The authority recommends a consortium: a draft plan with the mandatory tasks.
    body = {**CONSORTIUM, "program": program.code, "entity_type": entity_type}
    response = authority.post("/api/v1/consortia/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["program"] == "idfa-2026"
    assert created["entity_type"] == entity_type
    assert created["authority"]["code"] == "110000"
    assert created["plan"]["state"] == "draft"
    assert created["plan"]["has_scan"] is False
    assert created["is_pilot"] is False
    base = f"/api/v1/consortia/{created['id']}/"
    revision = created["plan"]["revision"]

    # Section 2: member units, each save answering the plan's new revision.
    member_ids = []
    for order, (name, profile, role) in enumerate(MEMBERS, 1):
        member = {
            "revision": revision,
            "name": name,
            "profile": profile,
            "role": role,
            "sort_order": order,
            "contact_name": f"联系人{order}",
            "contact_email": f"member{order}@unit.example.cn",
            "gets_account": order == 1,
        }
        response = authority.post(f"{base}members/", member, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["revision"] == revision + 1
        revision = response.json()["revision"]
        member_ids.append(response.json()["member"]["id"])
    assert authority.get(f"{base}members/").json()["count"] == len(MEMBERS)

    plan = authority.get(f"{base}plan/").json()
    assert set(plan["problems"]) == {"foundation", "plan", "tasks", "commitment", "opinion"}
    assert plan["can_edit"] is True
    assert plan["actions"] == ["submit"]

    # Sections 3 to 6, then the reference tasks.
    sections = {
        "revision": revision,
        "work_foundation": "联合体已建成覆盖全流程的工业互联网平台。" * 40,
        "implementation_plan": "围绕行业数据集建设开展先行先试。" * 120,
        "commitments": [c["key"] for c in program.plan_commitments],
        "authority_opinion": "同意推荐。",
    }
    response = authority.patch(f"{base}plan/", sections, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["characters"]["work_foundation"]["count"] == 800
    revision = response.json()["revision"]
    selections = {
        str(t.number): [member_ids[t.number % len(member_ids)]] for t in program.tasks.all()
    }
    response = authority.put(
        f"{base}plan/tasks/", {"revision": revision, "selections": selections}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["selections"] == selections
    assert authority.get(f"{base}plan/").json()["problems"] == {}

    # The form, stamped and scanned, uploaded.
    form = authority.get(f"{base}plan/pdf/")
    assert form.status_code == 200
    assert form["Content-Type"] == "application/pdf"
    pages = pages_of(form.content)
    response = authority.post(f"{base}plan/scan/", {"file": scan_upload(pages)}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["has_scan"]
    assert response.json()["scan_pages"] == pages
    assert pages_of(authority.get(f"{base}plan/scan/").getvalue()) == pages

    # Past the deadline: the Ministry administrator grants an extension, then the authority submits.
    response = admin.post(
        "/api/v1/deadline-extensions/",
        {
            "program": program.code,
            "authority": "110000",
            "new_deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "reason": "Flooding delayed the stamping.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = authority.post(f"{base}plan/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "submitted"
    assert response.json()["version"] == 1
    assert authority.get(f"{base}plan/").json()["has_scan"] is False  # frozen into version 1

    # The Ministry returns it with a comment on section 3.
    response = ministry.post(
        f"{base}plan/return/",
        {"section_comments": {"foundation": "补充数据资源规模。"}, "comment": ""},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "returned"
    versions = authority.get(f"{base}plan/versions/").json()["results"]
    assert versions[0]["review"] == {
        "decision": "return",
        "reason": "",
        "section_comments": {"foundation": "补充数据资源规模。"},
    }

    # The authority revises section 3, uploads the new scan and submits again: version 2.
    revision = authority.get(f"{base}plan/").json()["revision"]
    response = authority.patch(
        f"{base}plan/",
        {"revision": revision, "work_foundation": "数据资源规模逾五百太字节。" * 60},
        format="json",
    )
    assert response.status_code == 200, response.json()
    pages = pages_of(authority.get(f"{base}plan/pdf/").content)
    response = authority.post(f"{base}plan/scan/", {"file": scan_upload(pages)}, format="multipart")
    assert response.status_code == 200, response.json()
    response = authority.post(f"{base}plan/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2

    compare = ministry.get(f"{base}plan/compare/", {"a": 1, "b": 2}).json()
    assert compare["a"] == 1
    assert compare["b"] == 2
    assert {k for k, changed in compare["changed"].items() if changed} == {"foundation"}
    v2 = ministry.get(f"{base}plan/versions/2/").json()
    assert v2["content"]["work_foundation"].startswith("数据资源规模")
    assert v2["review"] is None
    assert v2["submitted_by"] == province_user.username

    # The Ministry approves: the consortium is a pilot unit.
    response = ministry.post(f"{base}plan/approve/", {"comment": "同意。"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "approved"
    detail = authority.get(base).json()
    assert detail["is_pilot"] is True
    assert detail["plan"]["state"] == "approved"

    audit = ministry.get(f"{base}plan/audit/").json()["results"]
    transitions = [
        (e["action"], e["from_state"], e["to_state"], e["actor"])
        for e in reversed(audit)
        if e["from_state"]
    ]
    assert transitions == [
        ("plan.submit", "draft", "submitted", province_user.username),
        ("plan.return", "submitted", "returned", ministry_staff.username),
        ("plan.submit", "returned", "submitted", province_user.username),
        ("plan.approve", "submitted", "approved", ministry_staff.username),
    ]

    # The lead contact's account sees its consortium, and no other.
    lead = User.objects.get(email=CONSORTIUM["contact_email"], role=Role.CONSORTIUM_LEAD)
    other = _create(province_user, program, name="另一个联合体（示例）")
    as_lead = as_user(lead)
    listed = as_lead.get("/api/v1/consortia/").json()
    assert [c["id"] for c in listed["results"]] == [created["id"]]
    assert as_lead.get(base).json()["name"] == CONSORTIUM["name"]
    assert as_lead.get(url(other)).status_code == 404
    assert as_lead.get(url(other, "plan/")).status_code == 404


# --- consortia ---------------------------------------------------------------------------------


def test_only_a_provincial_authority_recommends_a_consortium(
    as_user, program, province_user, ministry_staff
):
    body = {**CONSORTIUM, "program": program.code, "entity_type": program.entity_types.first().code}
    refused = as_user(ministry_staff).post("/api/v1/consortia/", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only a provincial authority recommends consortia."
    created = as_user(province_user).post("/api/v1/consortia/", body, format="json")
    assert created.status_code == 201


def test_create_refuses_an_entity_type_of_another_program(as_user, program, province_user):
    body = {**CONSORTIUM, "program": program.code, "entity_type": "no-such-type"}
    response = as_user(province_user).post("/api/v1/consortia/", body, format="json")
    assert response.status_code == 400
    assert "entity_type" in response.json()["errors"]


def test_create_refuses_an_invalid_credit_code_with_the_field_message(
    as_user, program, province_user
):
    body = {
        **CONSORTIUM,
        "program": program.code,
        "entity_type": program.entity_types.first().code,
        "lead_unit_credit_code": "91350100M000100Y44",
    }
    response = as_user(province_user).post("/api/v1/consortia/", body, format="json")
    assert response.status_code == 400
    assert "check character" in response.json()["errors"]["lead_unit_credit_code"][0]


def test_anonymous_gets_nothing(api_client, consortium):
    assert api_client.get("/api/v1/consortia/").status_code in (401, 403)
    assert api_client.get(url(consortium)).status_code in (401, 403)


def test_list_is_scoped_and_filtered(
    as_user, program, province_user, other_province_user, ministry_staff, consortium
):
    guangdong = _create(other_province_user, program, name="粤港数据联合体（示例）")
    mine = as_user(province_user).get("/api/v1/consortia/").json()
    assert [c["id"] for c in mine["results"]] == [consortium.pk]
    theirs = as_user(other_province_user).get("/api/v1/consortia/").json()
    assert [c["id"] for c in theirs["results"]] == [guangdong.pk]

    ministry = as_user(ministry_staff)
    assert ministry.get("/api/v1/consortia/").json()["count"] == 2

    def ids(**query):
        return {c["id"] for c in ministry.get("/api/v1/consortia/", query).json()["results"]}

    assert ids(authority="440000") == {guangdong.pk}
    assert ids(program="idfa-2026") == {consortium.pk, guangdong.pk}
    assert ids(program="mdr-2026") == set()
    assert ids(state="draft") == {consortium.pk, guangdong.pk}
    assert ids(state="submitted") == set()
    assert ids(search="粤港") == {guangdong.pk}


def test_detail_has_members_and_selected_tasks(as_user, province_user, filled, program):
    detail = as_user(province_user).get(url(filled)).json()
    assert [m["name"] for m in detail["members"]] == [m[0] for m in MEMBERS]
    assert len(detail["tasks"]) == program.tasks.count()
    assert all(t["responsible"] for t in detail["tasks"])
    assert detail["members"][0]["tasks"]


def test_authority_changes_the_basic_information(
    as_user, province_user, other_province_user, ministry_staff, consortium
):
    revision = consortium.plan.revision
    body = {"revision": revision, "contact_name": "王芳", "signing_date": "2026-03-03"}
    assert as_user(other_province_user).patch(url(consortium), body).status_code == 404
    assert as_user(ministry_staff).patch(url(consortium), body).status_code == 403
    response = as_user(province_user).patch(url(consortium), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["contact_name"] == "王芳"
    assert response.json()["signing_date"] == "2026-03-03"
    assert response.json()["plan"]["revision"] == revision + 1


def test_basic_information_takes_an_entity_type_of_the_program(
    as_user, province_user, program, consortium
):
    client = as_user(province_user)
    other_type = program.entity_types.exclude(pk=consortium.entity_type_id).first()
    body = {"revision": consortium.plan.revision, "entity_type": "no-such-type"}
    refused = client.patch(url(consortium), body, format="json")
    assert refused.status_code == 400
    assert "entity_type" in refused.json()["errors"]
    body["entity_type"] = other_type.code
    response = client.patch(url(consortium), body, format="json")
    assert response.status_code == 200
    assert response.json()["entity_type"] == other_type.code


def test_consortium_names_are_unique_in_a_program(as_user, province_user, program, consortium):
    body = {**CONSORTIUM, "program": program.code, "entity_type": consortium.entity_type.code}
    response = as_user(province_user).post("/api/v1/consortia/", body, format="json")
    assert response.status_code == 400
    messages = [m for field in response.json()["errors"].values() for m in field]
    assert messages == ["Consortium with this Program and Consortium name already exists."]


def test_patch_without_revision_is_refused(as_user, province_user, consortium):
    response = as_user(province_user).patch(
        url(consortium), {"contact_name": "王芳"}, format="json"
    )
    assert response.status_code == 400
    assert "revision" in response.json()["errors"]


def test_stale_revision_is_refused_with_the_services_message(as_user, province_user, filled):
    client = as_user(province_user)
    stale = filled.plan.revision - 1
    for target, body in [
        (url(filled), {"contact_name": "王芳"}),
        (url(filled, "plan/"), {"authority_opinion": "同意。"}),
        (url(filled, "plan/tasks/"), {"selections": {"1": []}}),
    ]:
        method = client.put if target.endswith("tasks/") else client.patch
        response = method(target, {"revision": stale, **body}, format="json")
        assert response.status_code == 400, target
        assert response.json()["code"] == "stale"
        message = response.json()["errors"]["non_field_errors"][0]
        assert message.startswith("Someone else saved this plan while you were editing it.")
        assert response.json()["detail"] == message
    plan = client.get(url(filled, "plan/")).json()
    assert plan["revision"] == filled.plan.revision
    assert plan["authority_opinion"] != "同意。"
    fresh = {"revision": filled.plan.revision, "authority_opinion": "同意。"}
    assert client.patch(url(filled, "plan/"), fresh, format="json").status_code == 200


# --- members -----------------------------------------------------------------------------------


def test_member_add_change_and_delete(
    as_user, province_user, other_province_user, ministry_staff, consortium
):
    client = as_user(province_user)
    base = url(consortium, "members/")
    member = {"name": "示例成员", "profile": "简介。", "role": "分工。"}
    revision = consortium.plan.revision

    assert (
        as_user(other_province_user).post(base, {**member, "revision": revision}).status_code == 404
    )
    refused = as_user(ministry_staff).post(base, {**member, "revision": revision}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the recommending authority edits this plan."

    added = client.post(base, {**member, "revision": revision}, format="json").json()
    member_url = f"{base}{added['member']['id']}/"
    change = {"revision": added["revision"], "role": "x"}
    assert as_user(other_province_user).patch(member_url, change).status_code == 404
    assert as_user(ministry_staff).patch(member_url, change).status_code == 403
    patched = client.patch(
        member_url, {"revision": added["revision"], "role": "新分工。"}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["member"]["role"] == "新分工。"
    assert patched.json()["member"]["profile"] == "简介。"

    revision = patched.json()["revision"]
    assert (
        as_user(other_province_user).delete(f"{member_url}?revision={revision}").status_code == 404
    )
    assert as_user(ministry_staff).delete(f"{member_url}?revision={revision}").status_code == 403
    assert client.delete(member_url).status_code == 400  # the revision is required
    assert client.delete(f"{member_url}?revision={revision - 1}").status_code == 400
    deleted = client.delete(f"{member_url}?revision={revision}")
    assert deleted.status_code == 200
    assert deleted.json()["revision"] == revision + 1
    assert client.get(base).json()["count"] == 0


def test_member_of_another_consortium_is_not_found(as_user, program, province_user, filled):
    other = _create(province_user, program, name="另一个联合体（示例）")
    stranger = filled.members.first()
    response = as_user(province_user).patch(
        url(other, f"members/{stranger.pk}/"),
        {"revision": other.plan.revision, "role": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_member_account_needs_an_email(as_user, province_user, consortium):
    body = {
        "revision": consortium.plan.revision,
        "name": "示例成员",
        "profile": "简介。",
        "role": "分工。",
        "gets_account": True,
    }
    response = as_user(province_user).post(url(consortium, "members/"), body, format="json")
    assert response.status_code == 400
    assert "contact_email" in response.json()["errors"]


# --- plan content and tasks ---------------------------------------------------------------------


def test_plan_shows_problems_and_character_counts(as_user, province_user, consortium):
    plan = as_user(province_user).get(url(consortium, "plan/")).json()
    assert plan["state"] == "draft"
    assert plan["state_label"] == "Draft"
    assert plan["problems"]["members"] == ["Add at least one member unit."]
    assert plan["characters"]["work_foundation"] == {"count": 0, "guide": 800, "max": 1600}


def test_unknown_commitment_is_refused(as_user, province_user, consortium):
    body = {"revision": consortium.plan.revision, "commitments": ["nonsense"]}
    response = as_user(province_user).patch(url(consortium, "plan/"), body, format="json")
    assert response.status_code == 400
    assert "nonsense" in response.json()["errors"]["commitments"][0]


def test_mandatory_task_cannot_be_dropped(
    as_user, province_user, other_province_user, filled, program
):
    client = as_user(province_user)
    before = client.get(url(filled, "plan/tasks/")).json()
    mandatory = program.tasks.filter(mandatory=True).order_by("number").first()
    dropped = {k: v for k, v in before["selections"].items() if k != str(mandatory.number)}
    body = {"revision": before["revision"], "selections": dropped}

    response = client.put(url(filled, "plan/tasks/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["tasks"] == [
        f"Mandatory tasks cannot be removed: {mandatory.number}."
    ]
    assert client.get(url(filled, "plan/tasks/")).json() == before

    # The twin: dropping an optional task is fine.
    optional = program.tasks.filter(mandatory=False).order_by("number").first()
    kept = {k: v for k, v in before["selections"].items() if k != str(optional.number)}
    response = client.put(
        url(filled, "plan/tasks/"),
        {"revision": before["revision"], "selections": kept},
        format="json",
    )
    assert response.status_code == 200
    assert str(optional.number) not in response.json()["selections"]
    assert as_user(other_province_user).get(url(filled, "plan/tasks/")).status_code == 404
    body = {"revision": response.json()["revision"], "selections": before["selections"]}
    refused = as_user(other_province_user).put(url(filled, "plan/tasks/"), body, format="json")
    assert refused.status_code == 404


def test_task_numbers_must_be_numbers(as_user, province_user, consortium):
    body = {"revision": consortium.plan.revision, "selections": {"first": []}}
    response = as_user(province_user).put(url(consortium, "plan/tasks/"), body, format="json")
    assert response.status_code == 400
    assert "selections" in response.json()["errors"]


def test_ministry_staff_reads_everything_but_cannot_edit(
    as_user, ministry_staff, province_user, submitted
):
    ministry = as_user(ministry_staff)
    for path in ["", "plan/", "plan/pdf/", "plan/versions/1/scan/", "plan/audit/"]:
        assert ministry.get(url(submitted, path)).status_code == 200, path
    plan = ministry.get(url(submitted, "plan/")).json()
    assert plan["can_edit"] is False
    assert set(plan["actions"]) == {"approve", "return", "reject"}

    response = ministry.patch(
        url(submitted, "plan/"), {"revision": plan["revision"], "authority_opinion": "x"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the recommending authority edits this plan."


def test_ministry_staff_cannot_patch_a_draft_which_the_authority_can(
    as_user, ministry_staff, province_user, consortium
):
    body = {"revision": consortium.plan.revision, "authority_opinion": "同意推荐。"}
    refused = as_user(ministry_staff).patch(url(consortium, "plan/"), body, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert (
        as_user(province_user).patch(url(consortium, "plan/"), body, format="json").status_code
        == 200
    )


def test_submitted_plan_cannot_be_edited(as_user, province_user, submitted):
    plan = Plan.objects.get(pk=submitted.plan.pk)
    body = {"revision": plan.revision, "authority_opinion": "x"}
    response = as_user(province_user).patch(url(submitted, "plan/"), body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "The plan is “Submitted” and cannot be changed."


# --- who sees what ------------------------------------------------------------------------------

SCOPED_GETS = [
    "",
    "members/",
    "plan/",
    "plan/tasks/",
    "plan/pdf/",
    "plan/versions/",
    "plan/versions/1/",
    "plan/versions/1/pdf/",
    "plan/versions/1/scan/",
    "plan/compare/?a=1&b=1",
    "plan/audit/",
]


def test_another_province_gets_404_everywhere(
    as_user, province_user, other_province_user, submitted
):
    mine, theirs = as_user(province_user), as_user(other_province_user)
    for path in SCOPED_GETS:
        assert mine.get(url(submitted, path)).status_code == 200, path
        assert theirs.get(url(submitted, path)).status_code == 404, path


def test_guessed_ids_get_404(as_user, province_user, submitted):
    client = as_user(province_user)
    for path in ["", "plan/", "plan/pdf/", "plan/versions/1/scan/"]:
        assert client.get(f"/api/v1/consortia/{submitted.pk + 1000}/{path}").status_code == 404
    for path in ["plan/versions/2/", "plan/versions/2/pdf/", "plan/versions/2/scan/"]:
        assert client.get(url(submitted, path)).status_code == 404
    assert client.get(url(submitted, "plan/compare/?a=1&b=2")).status_code == 404


def test_another_province_cannot_write_either(as_user, other_province_user, scanned):
    client = as_user(other_province_user)
    revision = scanned.plan.revision
    assert client.patch(url(scanned), {"revision": revision}).status_code == 404
    assert client.patch(url(scanned, "plan/"), {"revision": revision}).status_code == 404
    assert client.post(url(scanned, "plan/submit/")).status_code == 404
    response = client.post(url(scanned, "plan/scan/"), {"file": scan_upload(1)}, format="multipart")
    assert response.status_code == 404


@pytest.mark.parametrize("role_fixture", ["consortium_lead", "consortium_member"])
def test_consortium_users_without_a_grant_see_nothing(request, as_user, submitted, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client = as_user(user)
    assert client.get("/api/v1/consortia/").json()["count"] == 0
    for path in SCOPED_GETS:
        assert client.get(url(submitted, path)).status_code == 404, path

    assign_perm(VIEW_PERMISSION, user, submitted)
    assert [c["id"] for c in client.get("/api/v1/consortia/").json()["results"]] == [submitted.pk]
    assert client.get(url(submitted, "plan/")).status_code == 200
    assert client.post(url(submitted, "plan/withdraw/")).status_code == 403


def test_the_current_scan_is_read_by_who_sees_the_plan(
    as_user, province_user, other_province_user, ministry_staff, consortium_lead, scanned
):
    assert as_user(province_user).get(url(scanned, "plan/scan/")).status_code == 200
    assert as_user(ministry_staff).get(url(scanned, "plan/scan/")).status_code == 200
    assert as_user(other_province_user).get(url(scanned, "plan/scan/")).status_code == 404
    assert as_user(consortium_lead).get(url(scanned, "plan/scan/")).status_code == 404


# --- scan upload ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"Just some text, not a scan.", "not_pdf", "The file is not a PDF."),
        (encrypted_pdf(), "encrypted", "The PDF is protected by a password."),
        (blank_pdf(1), "too_few_pages", "The scan has 1 page but the generated form has"),
    ],
)
def test_bad_upload_is_refused_and_the_scan_stays(
    as_user, province_user, scanned, content, code, message
):
    client = as_user(province_user)
    before = client.get(url(scanned, "plan/")).json()
    stored = client.get(url(scanned, "plan/scan/")).getvalue()
    response = client.post(
        url(scanned, "plan/scan/"), {"file": upload("scan.pdf", content)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["errors"]["file"][0].startswith(message)
    after = client.get(url(scanned, "plan/")).json()
    assert after["scan_sha256"] == before["scan_sha256"]
    assert after["has_scan"]
    assert client.get(url(scanned, "plan/scan/")).getvalue() == stored


def test_upload_needs_a_file_and_the_authority(as_user, province_user, ministry_staff, filled):
    plan = Plan.objects.get(pk=filled.plan.pk)
    pages = plan_pdf_page_count(plan)
    missing = as_user(province_user).post(url(filled, "plan/scan/"), {}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.json()["errors"]
    refused = as_user(ministry_staff).post(
        url(filled, "plan/scan/"), {"file": scan_upload(pages)}, format="multipart"
    )
    assert refused.status_code == 403
    assert as_user(province_user).get(url(filled, "plan/scan/")).status_code == 404  # none yet
    accepted = as_user(province_user).post(
        url(filled, "plan/scan/"), {"file": scan_upload(pages)}, format="multipart"
    )
    assert accepted.status_code == 200
    assert accepted.json()["scan_pages"] == pages


# --- workflow --------------------------------------------------------------------------------------


def test_approving_a_draft_is_refused_with_a_clear_message(as_user, ministry_staff, filled):
    response = as_user(ministry_staff).post(url(filled, "plan/approve/"))
    assert response.status_code == 403
    assert response.json()["detail"] == "This cannot be done while the plan is “Draft”."
    assert Plan.objects.get(pk=filled.plan.pk).state == "draft"


def test_authority_cannot_approve_its_own_plan(as_user, province_user, ministry_staff, submitted):
    response = as_user(province_user).post(url(submitted, "plan/approve/"))
    assert response.status_code == 403
    assert response.json()["detail"] == "Only Ministry staff review plans."
    approved = as_user(ministry_staff).post(url(submitted, "plan/approve/"))
    assert approved.status_code == 200
    assert approved.json()["state"] == "approved"


def test_only_the_authority_submits(
    as_user, ministry_staff, province_user, scanned, before_deadline
):
    response = as_user(ministry_staff).post(url(scanned, "plan/submit/"))
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the recommending authority can do this."
    assert as_user(province_user).post(url(scanned, "plan/submit/")).status_code == 200


def test_submit_without_scan_is_refused(as_user, province_user, filled, before_deadline):
    response = as_user(province_user).post(url(filled, "plan/submit/"))
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [
        "Upload the stamped scan of the form before submitting."
    ]
    plan = Plan.objects.get(pk=filled.plan.pk)
    plan_upload_scan(actor=province_user, plan=plan, upload=scan_upload(plan_pdf_page_count(plan)))
    response = as_user(province_user).post(url(filled, "plan/submit/"))
    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_incomplete_plan_cannot_be_submitted(as_user, province_user, consortium, before_deadline):
    response = as_user(province_user).post(url(consortium, "plan/submit/"))
    assert response.status_code == 400
    assert response.json()["errors"]["members"] == [
        "2. Consortium members and division of work: Add at least one member unit."
    ]


def test_submit_after_the_deadline_is_refused_until_an_extension(
    as_user, province_user, ministry_admin, scanned, program
):
    client = as_user(province_user)
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 22)):
        response = client.post(url(scanned, "plan/submit/"))
        assert response.status_code == 400
        assert response.json()["errors"]["non_field_errors"] == [
            "Submissions for this program closed on 2026-03-08. Ask the Ministry administrator "
            "for an extension."
        ]
        assert client.get(url(scanned, "plan/versions/")).json()["count"] == 0
        deadline_extension_grant(
            actor=ministry_admin,
            program=program,
            authority=Organisation.objects.get(code="110000"),
            new_deadline=dt.date(2026, 12, 31),
            reason="Flooding.",
        )
        response = client.post(url(scanned, "plan/submit/"))
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


def test_withdraw_reopen_and_reject(as_user, province_user, ministry_staff, submitted):
    authority, ministry = as_user(province_user), as_user(ministry_staff)
    assert ministry.post(url(submitted, "plan/withdraw/")).status_code == 403
    withdrawn = authority.post(url(submitted, "plan/withdraw/"), {"comment": "更正材料"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "withdrawn"
    assert ministry.post(url(submitted, "plan/reopen/")).status_code == 403
    reopened = authority.post(url(submitted, "plan/reopen/"))
    assert reopened.status_code == 200
    assert reopened.json()["state"] == "draft"

    plan = Plan.objects.get(pk=submitted.plan.pk)
    pages = plan_pdf_page_count(plan)
    rescanned = authority.post(
        url(submitted, "plan/scan/"), {"file": scan_upload(pages)}, format="multipart"
    )
    assert rescanned.status_code == 200
    assert authority.post(url(submitted, "plan/submit/")).json()["version"] == 2
    assert authority.post(url(submitted, "plan/reject/"), {"reason": "x"}).status_code == 403
    no_reason = ministry.post(url(submitted, "plan/reject/"), {"reason": " "})
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"]["reason"] == ["Give the reason for rejecting the plan."]
    rejected = ministry.post(url(submitted, "plan/reject/"), {"reason": "不符合条件。"})
    assert rejected.status_code == 200
    assert rejected.json()["state"] == "rejected"
    versions = ministry.get(url(submitted, "plan/versions/")).json()["results"]
    assert [v["review"] and v["review"]["decision"] for v in versions] == [None, "reject"]


def test_return_needs_a_comment_on_a_known_section(
    as_user, ministry_staff, province_user, submitted
):
    ministry = as_user(ministry_staff)
    assert (
        as_user(province_user)
        .post(url(submitted, "plan/return/"), {"comment": "x"}, format="json")
        .status_code
        == 403
    )
    empty = ministry.post(url(submitted, "plan/return/"), {"section_comments": {}}, format="json")
    assert empty.status_code == 400
    unknown = ministry.post(
        url(submitted, "plan/return/"), {"section_comments": {"preface": "x"}}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["section_comments"] == ["Unknown sections: preface."]
    returned = ministry.post(
        url(submitted, "plan/return/"), {"section_comments": {"plan": "细化进度。"}}, format="json"
    )
    assert returned.status_code == 200
    assert returned.json()["state"] == "returned"


# --- versions -------------------------------------------------------------------------------------


def test_versions_list_and_files(as_user, province_user, submitted):
    client = as_user(province_user)
    versions = client.get(url(submitted, "plan/versions/")).json()["results"]
    assert len(versions) == 1
    v1 = versions[0]
    assert v1["number"] == 1
    assert v1["submitted_by"] == province_user.username
    assert v1["review"] is None
    assert len(v1["pdf_sha256"]) == 64
    detail = client.get(url(submitted, "plan/versions/1/")).json()
    assert detail["content"]["consortium"]["name"] == CONSORTIUM["name"]
    pdf = client.get(url(submitted, "plan/versions/1/pdf/"))
    scan = client.get(url(submitted, "plan/versions/1/scan/"))
    assert pdf.status_code == scan.status_code == 200
    assert pages_of(scan.getvalue()) == v1["scan_pages"]
    import hashlib

    assert hashlib.sha256(pdf.getvalue()).hexdigest() == v1["pdf_sha256"]


def test_compare_needs_both_numbers(as_user, province_user, submitted):
    client = as_user(province_user)
    assert client.get(url(submitted, "plan/compare/"), {"a": 1}).status_code == 400
    same = client.get(url(submitted, "plan/compare/"), {"a": 1, "b": 1}).json()
    assert not any(same["changed"].values())


# --- deadline extensions ---------------------------------------------------------------------------


def test_deadline_extensions_granted_by_the_administrator_only(
    as_user,
    program,
    ministry_admin,
    ministry_staff,
    province_user,
    other_province_user,
    consortium_lead,
):
    body = {
        "program": program.code,
        "authority": "110000",
        "new_deadline": "2026-12-31",
        "reason": "Flooding delayed the stamping.",
    }
    refused = as_user(ministry_staff).post("/api/v1/deadline-extensions/", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("Only a Ministry administrator grants deadline extensions.")
    assert as_user(province_user).post("/api/v1/deadline-extensions/", body).status_code == 403
    too_early = {**body, "new_deadline": "2026-03-01"}
    response = as_user(ministry_admin).post("/api/v1/deadline-extensions/", too_early)
    assert response.status_code == 400
    assert "new_deadline" in response.json()["errors"]

    granted = as_user(ministry_admin).post("/api/v1/deadline-extensions/", body, format="json")
    assert granted.status_code == 201, granted.json()
    assert granted.json()["authority"]["code"] == "110000"
    assert granted.json()["granted_by"] == ministry_admin.username

    def listed(user):
        return [
            e["id"] for e in as_user(user).get("/api/v1/deadline-extensions/").json()["results"]
        ]

    assert listed(ministry_staff) == [granted.json()["id"]]
    assert listed(province_user) == [granted.json()["id"]]
    assert listed(other_province_user) == []
    assert listed(consortium_lead) == []


def test_extension_only_for_a_provincial_authority(as_user, program, ministry_admin):
    body = {
        "program": program.code,
        "authority": "MIIT",
        "new_deadline": "2026-12-31",
        "reason": "x",
    }
    response = as_user(ministry_admin).post("/api/v1/deadline-extensions/", body)
    assert response.status_code == 400
    assert "authority" in response.json()["errors"]
