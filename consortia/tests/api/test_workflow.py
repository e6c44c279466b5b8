"""The consortia API: the whole path of a plan, each workflow action with its refusals,
submitted versions and deadline extensions."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from consortia.models import Plan
from consortia.pdf import plan_pdf_page_count
from consortia.samples import CONSORTIUM, MEMBERS, scan_upload
from consortia.services import (
    deadline_extension_grant,
    plan_upload_scan,
)
from portal.models import Organisation, User
from portal.roles import Role

from .helpers import create_consortium, pages_of, url

pytestmark = pytest.mark.django_db


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
    # Every task taken on needs its target before the plan can be submitted.
    assert "Tasks without a target" in authority.get(f"{base}plan/").json()["problems"]["tasks"][0]
    targets = {number: f"任务{number}的预期目标。" for number in selections}
    response = authority.put(
        f"{base}plan/tasks/",
        {"revision": response.json()["revision"], "selections": selections, "targets": targets},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["targets"] == targets
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
    other = create_consortium(province_user, program, name="另一个联合体（示例）")
    as_lead = as_user(lead)
    listed = as_lead.get("/api/v1/consortia/").json()
    assert [c["id"] for c in listed["results"]] == [created["id"]]
    assert as_lead.get(base).json()["name"] == CONSORTIUM["name"]
    assert as_lead.get(url(other)).status_code == 404
    assert as_lead.get(url(other, "plan/")).status_code == 404


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
