"""The consortia list for reviewers (filters, search, sort, counts, pages), the plan's review
sheet as PDF, and the Ministry's comments beside the sections being edited and in the comparison:
page and API, Chinese and English, each with its denial twin."""

import re

import pytest
from django.urls import reverse

from consortia import services
from consortia.pdf import plan_pdf_page_count
from consortia.samples import scan_upload
from consortia.tests.conftest import make_consortium
from portal.pdf import pdf_text

pytestmark = pytest.mark.django_db

FOUNDATION_COMMENT = "请补充已有数据基础设施的规模数据。"
TASKS_COMMENT = "请为任务十七明确牵头成员单位。"
BASIC_COMMENT = "联系人职务请写全称。"


def login(client, user, language="zh-hans"):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def listed(html: str) -> list[str]:
    return re.findall(r'<a href="/consortia/\d+/">([^<]+)</a>', html)


@pytest.fixture
def three(province_user, other_province_user, idfa):
    return [
        make_consortium(province_user, idfa, name="甲钢铁数据联合体"),
        make_consortium(province_user, idfa, name="乙汽车数据联合体", lead_unit_name="乙汽车集团"),
        make_consortium(other_province_user, idfa, name="丙粤港数据联合体"),
    ]


@pytest.fixture
def returned(ready_plan, province_user, ministry_staff, before_deadline):
    """Version 1 returned with comments on three sections; the plan is being revised."""
    services.plan_submit(actor=province_user, plan=ready_plan)
    services.plan_return(
        actor=ministry_staff,
        plan=ready_plan,
        section_comments={
            "foundation": FOUNDATION_COMMENT,
            "tasks": TASKS_COMMENT,
            "basic": BASIC_COMMENT,
        },
        comment="请按意见修改后重新提交。",
    )
    ready_plan.refresh_from_db()
    return ready_plan


def resubmit(plan, province_user):
    services.plan_update(
        actor=province_user,
        plan=plan,
        revision=plan.revision,
        data={"work_foundation": plan.work_foundation + "\n数据中心机柜一千二百个。"},
    )
    plan.refresh_from_db()
    services.plan_upload_scan(
        actor=province_user, plan=plan, upload=scan_upload(plan_pdf_page_count(plan))
    )
    services.plan_submit(actor=province_user, plan=plan)
    plan.refresh_from_db()


# --- the consortia list -------------------------------------------------------------------------


def test_ministry_filters_searches_sorts_and_pages_the_consortia(
    three, client, ministry_staff, monkeypatch
):
    login(client, ministry_staff)
    url = reverse("consortia:consortium-list")
    html = client.get(url).content.decode()
    assert set(listed(html)) == {c.name for c in three}
    assert "共3个联合体" in html
    assert 'name="authority"' in html
    assert listed(client.get(url, {"authority": "440000"}).content.decode()) == ["丙粤港数据联合体"]
    assert listed(client.get(url, {"search": "乙汽车集团"}).content.decode()) == [
        "乙汽车数据联合体"
    ]
    assert listed(client.get(url, {"state": "submitted"}).content.decode()) == []
    assert "没有符合筛选条件的联合体。" in client.get(url, {"state": "submitted"}).content.decode()
    by_name = listed(client.get(url, {"ordering": "-name"}).content.decode())
    assert by_name == sorted(by_name, reverse=True)
    assert 'aria-sort="descending"' in client.get(url, {"ordering": "-name"}).content.decode()
    monkeypatch.setattr("portal.listing.PAGE_SIZE", 2)
    first = client.get(url, {"ordering": "name", "program": "idfa-2026"}).content.decode()
    second = client.get(url, {"ordering": "name", "program": "idfa-2026", "page": 2}).content
    assert len(listed(first)) == 2
    assert len(listed(second.decode())) == 1
    assert "ordering=name" in first.split('data-testid="page-next"')[0].rsplit("href=", 1)[1]

    api = client.get("/api/v1/consortia/", {"ordering": "-name", "search": "数据联合体"}).json()
    assert [c["name"] for c in api["results"]] == by_name
    assert client.get("/api/v1/consortia/", {"authority": "nowhere"}).status_code == 400


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ["全部专项行动", "清除筛选条件"]), ("en", ["All programs", "Clear filters"])],
)
def test_a_province_lists_only_its_own_consortia_in_its_language(
    three, client, province_user, language, words
):
    login(client, province_user, language)
    html = client.get(reverse("consortia:consortium-list"), {"search": "数据"}).content.decode()
    assert set(listed(html)) == {"甲钢铁数据联合体", "乙汽车数据联合体"}
    assert 'name="authority"' not in html  # it sees only its own province
    for word in words:
        assert word in html


# --- Ministry comments beside the sections being edited -------------------------------------------


@pytest.mark.parametrize(
    ("language", "label"), [("zh-hans", "工业和信息化部意见"), ("en", "Ministry comment")]
)
def test_the_returns_comments_stay_beside_the_sections_being_edited(
    returned, client, province_user, language, label
):
    login(client, province_user, language)
    pk = returned.consortium_id
    plan_page = client.get(reverse("consortia:plan-edit", args=[pk])).content.decode()
    assert label in plan_page
    assert FOUNDATION_COMMENT in plan_page
    # Beside its field: between the field's label and its text area.
    field = plan_page.split('class="field-work_foundation"')[1].split("</p>")[0]
    assert FOUNDATION_COMMENT in field
    assert "<textarea" in field
    assert TASKS_COMMENT not in plan_page
    tasks_page = client.get(reverse("consortia:tasks-edit", args=[pk])).content.decode()
    assert 'data-testid="review-comment-tasks"' in tasks_page
    assert TASKS_COMMENT in tasks_page
    basic = client.get(reverse("consortia:consortium-edit", args=[pk])).content.decode()
    assert BASIC_COMMENT in basic
    members = client.get(reverse("consortia:members", args=[pk])).content.decode()
    assert "review-comment" not in members  # no comment on section 2

    api = client.get(f"/api/v1/consortia/{pk}/plan/").json()
    assert api["review_comments"]["foundation"]["text"] == FOUNDATION_COMMENT
    assert api["review_comments"]["foundation"]["version"] == 1


def test_the_comments_are_gone_once_the_plan_is_resubmitted_and_others_cannot_see_them(
    returned, client, province_user, other_province_user
):
    pk = returned.consortium_id
    login(client, other_province_user)
    assert client.get(reverse("consortia:plan-edit", args=[pk])).status_code == 404
    assert client.get(f"/api/v1/consortia/{pk}/plan/").status_code == 404
    resubmit(returned, province_user)
    login(client, province_user)
    assert client.get(f"/api/v1/consortia/{pk}/plan/").json()["review_comments"] == {}


def test_the_comparison_shows_what_each_section_was_asked_to_change(
    returned, client, province_user, ministry_staff
):
    resubmit(returned, province_user)
    pk = returned.consortium_id
    login(client, ministry_staff)
    html = client.get(reverse("consortia:compare", args=[pk]) + "?a=1&b=2").content.decode()
    foundation = html.split("三、已有工作基础")[1].split("</section>")[0]
    assert FOUNDATION_COMMENT in foundation
    assert 'data-testid="changed-foundation"' in foundation
    assert 'data-testid="review-comment-tasks"' in html
    api = client.get(f"/api/v1/consortia/{pk}/plan/compare/", {"a": 1, "b": 2}).json()
    assert api["changed"]["foundation"] is True
    assert api["review_comments"]["foundation"][0]["text"] == FOUNDATION_COMMENT
    assert api["review_comments"]["foundation"][0]["reviewer"] == ministry_staff.display_name


# --- the review sheet ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title"),
    [("zh-hans", "实施方案评审单"), ("en", "Implementation plan review sheet")],
)
def test_the_review_sheet_prints_the_content_with_every_comment_its_reviewer_and_time(
    returned, client, api_client, province_user, ministry_staff, language, title
):
    resubmit(returned, province_user)
    pk = returned.consortium_id
    login(client, ministry_staff, language)
    detail = client.get(reverse("consortia:consortium-detail", args=[pk])).content.decode()
    assert 'data-testid="review-sheet"' in detail
    response = client.get(reverse("consortia:review-sheet", args=[pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")
    assert title.replace(" ", "") in text.replace(" ", "")
    assert FOUNDATION_COMMENT in text
    assert TASKS_COMMENT in text
    assert ministry_staff.display_name in text
    assert "数据中心机柜一千二百个" in text  # the latest version's content
    first = client.get(reverse("consortia:review-sheet", args=[pk]) + "?version=1")
    assert "数据中心机柜一千二百个" not in pdf_text(first.content).replace("\n", "")
    assert (
        client.get(reverse("consortia:review-sheet", args=[pk]) + "?version=9").status_code == 404
    )
    api_client.force_authenticate(province_user)
    api = api_client.get(f"/api/v1/consortia/{pk}/plan/review-sheet/")
    assert api.status_code == 200
    assert api.content.startswith(b"%PDF")


def test_the_review_sheet_is_refused_to_who_may_not_see_the_plan(
    returned, client, api_client, other_province_user
):
    pk = returned.consortium_id
    login(client, other_province_user)
    assert client.get(reverse("consortia:review-sheet", args=[pk])).status_code == 404
    api_client.force_authenticate(other_province_user)
    assert api_client.get(f"/api/v1/consortia/{pk}/plan/review-sheet/").status_code == 404
