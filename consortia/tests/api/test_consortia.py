"""The consortia API: recommending a consortium, its basic information, member units, the
plan's content and tasks; for every endpoint who is refused."""

import pytest

from consortia.models import Plan
from consortia.samples import CONSORTIUM, MEMBERS

from .helpers import create_consortium, url

pytestmark = pytest.mark.django_db


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
    guangdong = create_consortium(other_province_user, program, name="粤港数据联合体（示例）")
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


def test_list_pages_are_the_rows_of_one_read_in_its_order(
    as_user, program, province_user, other_province_user, ministry_staff, consortium
):
    """The list reads a page's keys first, then its rows (KeysFirstPagination): every page, in
    every order, has the rows and the order one read of the whole list gives."""
    from django.core.paginator import Paginator

    from consortia.filters import ConsortiumFilter
    from consortia.selectors import consortium_list_visible_to
    from portal.api.pagination import KeysFirstPaginator

    for n in range(5):
        create_consortium(other_province_user, program, name=f"粤港数据联合体（{n}）")
        create_consortium(province_user, program, name=f"京津数据联合体（{n}）")
    ministry = as_user(ministry_staff)
    for ordering in ("", "name", "-authority", "state,-created_at", "-updated", "lead_unit"):
        rows = ConsortiumFilter(
            {"ordering": ordering} if ordering else {},
            queryset=consortium_list_visible_to(user=ministry_staff),
        ).qs
        whole = [c.pk for c in rows]
        assert len(whole) == 11
        for size in (1, 3, 4, 11, 20):
            plain, keys_first = Paginator(rows, size), KeysFirstPaginator(rows, size)
            pages = []
            for number in plain.page_range:
                page = [c.pk for c in keys_first.page(number)]
                assert page == [c.pk for c in plain.page(number)]
                pages += page
            assert pages == whole
        query = {"page_size": 4, "page": 2, **({"ordering": ordering} if ordering else {})}
        answer = ministry.get("/api/v1/consortia/", query).json()
        assert [c["id"] for c in answer["results"]] == whole[4:8]
        assert answer["count"] == 11


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
    other = create_consortium(province_user, program, name="另一个联合体（示例）")
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


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_list_writes_what_the_serializer_writes(
    as_user, program, province_user, ministry_staff, submitted, lang
):
    """ConsortiumListSerializer writes each row as DRF's walk over ConsortiumSerializer does:
    rows with a plan submitted, a draft without a signing date or contact title, a pilot, a
    consortium whose plan is missing; in both languages, through the API and directly."""
    import datetime as dt
    import json

    from django.utils.translation import override
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from consortia.api.serializers import ConsortiumListSerializer, ConsortiumSerializer
    from consortia.models import Consortium

    draft = create_consortium(province_user, program, name="京冀数据联合体（草稿）")
    Consortium.objects.filter(pk=draft.pk).update(signing_date=None, contact_title="")
    Consortium.objects.filter(pk=submitted.pk).update(pilot_since=dt.date(2026, 5, 20))

    def walked(rows) -> list:
        """DRF's own walk: the base ListSerializer over the same child."""
        data = serializers.ListSerializer(child=ConsortiumSerializer()).to_representation(rows)
        return json.loads(JSONRenderer().render(data))

    answer = as_user(ministry_staff).get("/api/v1/consortia/", HTTP_ACCEPT_LANGUAGE=lang)
    results = answer.json()["results"]
    assert {r["id"] for r in results} == {draft.pk, submitted.pk}
    rows = Consortium.objects.select_related("program", "authority", "entity_type", "plan")
    with override(lang):
        in_order = [rows.get(pk=r["id"]) for r in results]
        assert results == walked(in_order)
        orphan = rows.get(pk=draft.pk)
        orphan._state.fields_cache["plan"] = None  # a consortium whose plan is missing
        fast = ConsortiumSerializer([orphan, *in_order], many=True)
        assert isinstance(fast, ConsortiumListSerializer)
        assert json.loads(JSONRenderer().render(fast.data)) == walked([orphan, *in_order])
    by_id = {r["id"]: r for r in results}
    assert by_id[submitted.pk]["plan"]["state"] == "submitted"
    assert by_id[submitted.pk]["plan"]["submitted_at"]
    assert by_id[submitted.pk]["pilot_since"] == "2026-05-20"
    assert by_id[submitted.pk]["is_pilot"] is True
    assert by_id[draft.pk]["signing_date"] is None
    assert by_id[draft.pk]["plan"]["submitted_at"] is None
    label = {"zh-hans": "已提交", "en": "Submitted"}[lang]
    assert by_id[submitted.pk]["plan"]["state_label"] == label
    assert list(by_id[draft.pk]) == list(ConsortiumSerializer.Meta.fields)
