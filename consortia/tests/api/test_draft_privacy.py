"""A plan the authority is drafting or revising is the province's and the consortium's: the
Ministry sees that it exists and its state, reads it once submitted, and while it is returned for
revision reads the version it returned, never the working copy (issue 13, item 9). Pages and API
agree: both ask ``can_read_plan_draft``."""

import pytest
from guardian.shortcuts import assign_perm

from consortia import services
from consortia.permissions import VIEW_PERMISSION

from .helpers import url

pytestmark = pytest.mark.django_db

WORKING_COPY = ["plan/", "plan/tasks/", "members/", "plan/pdf/", "plan/scan/"]


def page(client, consortium, path=""):
    return client.get(f"/consortia/{consortium.pk}/{path}")


def test_the_ministry_sees_a_never_submitted_draft_exists_but_not_its_content_or_scan(
    client, as_user, ministry_staff, scanned
):
    api = as_user(ministry_staff)
    for path in WORKING_COPY:
        assert api.get(url(scanned, path)).status_code == 404, path
    assert api.get(url(scanned, "plan/review-sheet/")).status_code == 404
    detail = api.get(url(scanned)).json()
    assert detail["plan"]["state"] == "draft"
    assert detail["members"] is None
    assert detail["tasks"] is None
    listed = api.get("/api/v1/consortia/").json()["results"]
    assert [c["id"] for c in listed] == [scanned.pk]

    client.force_login(ministry_staff)
    html = page(client, scanned).content.decode()
    assert 'data-testid="draft-hidden"' in html
    assert scanned.plan.work_foundation[:20] not in html
    assert f"/consortia/{scanned.pk}/scan/" not in html
    for path in ["scan/", "plan.pdf", "review-sheet.pdf"]:
        assert page(client, scanned, path).status_code == 404, path


@pytest.mark.parametrize("role", ["province_user", "consortium_lead"])
def test_the_authority_and_the_lead_read_their_draft(request, client, as_user, scanned, role):
    user = request.getfixturevalue(role)
    if role == "consortium_lead":
        assign_perm(VIEW_PERMISSION, user, scanned)
    api = as_user(user)
    for path in ["plan/", "plan/tasks/", "members/", "plan/pdf/"]:
        assert api.get(url(scanned, path)).status_code == 200, path
    assert api.get(url(scanned)).json()["members"]
    client.force_login(user)
    html = page(client, scanned).content.decode()
    assert 'data-testid="draft-hidden"' not in html
    assert scanned.plan.work_foundation[:20] in html
    if role == "province_user":
        assert api.get(url(scanned, "plan/scan/")).status_code == 200
        assert page(client, scanned, "scan/").status_code == 200


def test_once_submitted_the_ministry_reads_it_and_after_a_return_only_what_was_submitted(
    client, as_user, province_user, ministry_staff, submitted
):
    api = as_user(ministry_staff)
    for path in ["plan/", "plan/tasks/", "members/", "plan/pdf/"]:  # the scan is in version 1
        assert api.get(url(submitted, path)).status_code == 200, path
    plan = submitted.plan
    submitted_text = plan.implementation_plan
    services.plan_return(
        actor=ministry_staff, plan=plan, section_comments={"plan": "请细化"}, comment=""
    )
    plan.refresh_from_db()
    services.plan_update(
        actor=province_user,
        plan=plan,
        revision=plan.revision,
        data={"implementation_plan": submitted_text + "\n修改中的新内容XYZ"},
    )
    for path in WORKING_COPY:
        assert api.get(url(submitted, path)).status_code == 404, path
    assert api.get(url(submitted, "plan/versions/1/")).status_code == 200
    assert api.get(url(submitted, "plan/versions/1/scan/")).status_code == 200
    assert api.get(url(submitted, "plan/review-sheet/")).status_code == 200  # version 1's

    client.force_login(ministry_staff)
    html = page(client, submitted).content.decode()
    assert 'data-testid="draft-hidden"' in html
    assert "修改中的新内容XYZ" not in html
    assert submitted_text.splitlines()[0] in html  # version 1, as submitted
    assert (
        as_user(province_user)
        .get(url(submitted, "plan/"))
        .json()["implementation_plan"]
        .endswith("修改中的新内容XYZ")
    )
