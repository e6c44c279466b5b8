"""The consortia API: who sees what (404 for what a user may not know exists), and the
stamped scan's upload."""

import pytest
from guardian.shortcuts import assign_perm

from consortia.models import Plan
from consortia.pdf import plan_pdf_page_count
from consortia.permissions import VIEW_PERMISSION
from consortia.samples import blank_pdf, scan_upload
from consortia.services import plan_submit

from .helpers import encrypted_pdf, upload, url

pytestmark = pytest.mark.django_db


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
    as_user,
    province_user,
    other_province_user,
    ministry_staff,
    consortium_lead,
    scanned,
    before_deadline,
):
    assert as_user(province_user).get(url(scanned, "plan/scan/")).status_code == 200
    # A draft's scan is the province's until the plan is submitted (issue 13, item 9).
    assert as_user(ministry_staff).get(url(scanned, "plan/scan/")).status_code == 404
    assert as_user(other_province_user).get(url(scanned, "plan/scan/")).status_code == 404
    assert as_user(consortium_lead).get(url(scanned, "plan/scan/")).status_code == 404
    plan_submit(actor=province_user, plan=scanned.plan)  # the scan is frozen in version 1
    assert as_user(ministry_staff).get(url(scanned, "plan/versions/1/scan/")).status_code == 200


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
