"""The implementation plan: mandatory tasks, quota, deadline, uploads, frozen versions, audit, PDF."""

import datetime as dt
import re
import threading
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from consortia import services
from consortia.models import Plan, PlanVersion
from consortia.pdf import plan_pdf_page_count
from consortia.samples import CONSORTIUM, blank_pdf, fill_plan, scan_upload
from consortia.tests.conftest import make_consortium, make_ready_plan
from consortia.workflows import PlanState
from portal.models import AuditEntry, User
from portal.pdf import pdf_text
from portal.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_new_consortium_starts_with_every_mandatory_task(province_user, idfa):
    consortium = make_consortium(province_user, idfa)
    numbers = sorted(consortium.plan.selections.values_list("task__number", flat=True))
    assert numbers == [1, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17]
    assert consortium.plan.state == PlanState.DRAFT
    assert consortium.authority == province_user.organisation


def test_mandatory_tasks_cannot_be_dropped(province_user, idfa):
    plan = make_consortium(province_user, idfa).plan
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.plan_set_tasks(
            actor=province_user, plan=plan, selections={2: [], 3: []}, revision=plan.revision
        )
    assert "Mandatory tasks cannot be removed" in str(exc.value)
    assert plan.selections.count() == 11


def test_mandatory_task_cannot_be_unticked_in_the_page(client, province_user, idfa):
    plan = make_consortium(province_user, idfa).plan
    client.force_login(province_user)
    data = {
        "revision": plan.revision,
        "task_2": "on",
    }  # the browser sends no mandatory boxes at all
    response = client.post(reverse("consortia:tasks-edit", args=[plan.consortium_id]), data)
    assert response.status_code == 302
    numbers = set(Plan.objects.get(pk=plan.pk).selections.values_list("task__number", flat=True))
    assert {1, 3, 17} <= numbers
    assert 2 in numbers


def test_credit_code_check_character_is_validated(province_user, idfa):
    with pytest.raises(ValidationError) as exc:
        make_consortium(province_user, idfa, lead_unit_credit_code="91350100M000100Y44")
    assert "lead_unit_credit_code" in exc.value.message_dict


def test_only_authorities_create_consortia(ministry_staff, consortium_lead, idfa):
    for user in (ministry_staff, consortium_lead):
        with pytest.raises(PermissionDenied):
            make_consortium(user, idfa)


def test_stale_revision_is_refused_and_nothing_is_overwritten(province_user, idfa):
    plan = make_consortium(province_user, idfa).plan
    first = plan.revision
    services.plan_update(
        actor=province_user, plan=plan, data={"work_foundation": "甲的修改"}, revision=first
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_update(
            actor=province_user, plan=plan, data={"work_foundation": "乙的修改"}, revision=first
        )
    assert exc.value.code == "stale"
    assert Plan.objects.get(pk=plan.pk).work_foundation == "甲的修改"


def test_submission_freezes_content_pdf_and_scan_with_digests(
    ready_plan, province_user, before_deadline
):
    import hashlib

    from django.core.files.storage import default_storage

    version = services.plan_submit(actor=province_user, plan=ready_plan)
    assert version.number == 1
    for field, digest in ((version.pdf, version.pdf_sha256), (version.scan, version.scan_sha256)):
        with default_storage.open(field.name, "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == digest
    assert version.content["consortium"]["name"] == CONSORTIUM["name"]
    assert Plan.objects.get(pk=ready_plan.pk).state == PlanState.SUBMITTED


def test_submission_audit_entry_records_the_stamped_scan_as_stored_in_the_version(
    ready_plan, province_user, before_deadline
):
    import hashlib

    from django.core.files.storage import default_storage

    scan_sha256 = ready_plan.scan_sha256
    version = services.plan_submit(actor=province_user, plan=ready_plan)
    entry = AuditEntry.objects.get(action="plan.submit", object_id=str(ready_plan.pk))
    with default_storage.open(version.scan.name, "rb") as fh:
        scan = fh.read()
    assert len(scan_sha256) == 64
    assert entry.data["scan_sha256"] == version.scan_sha256 == scan_sha256
    assert entry.data["scan_sha256"] == hashlib.sha256(scan).hexdigest()
    assert entry.data["scan"] == version.scan.name
    assert entry.data["scan_size"] == len(scan)
    assert entry.data["scan_pages"] == version.scan_pages > 0
    assert entry.data["pdf_sha256"] == version.pdf_sha256
    assert entry.data["version"] == 1


def test_submitted_version_cannot_be_changed(
    ready_plan, province_user, ministry_admin, client, before_deadline
):
    version = services.plan_submit(actor=province_user, plan=ready_plan)
    version.content = {"tampered": True}
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        PlanVersion.objects.filter(pk=version.pk).update(content={})
    with pytest.raises(PermissionError):
        version.delete()
    # Nor through the plan's pages: it is no longer editable.
    client.force_login(province_user)
    response = client.post(
        reverse("consortia:plan-edit", args=[ready_plan.consortium_id]),
        {"revision": ready_plan.revision + 10, "work_foundation": "改"},
    )
    assert response.status_code == 403
    # Nor in the admin, even for the Ministry administrator.
    client.force_login(ministry_admin)
    url = reverse("admin:consortia_planversion_change", args=[version.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"content": "{}"}).status_code == 403
    assert (
        client.post(
            reverse("admin:consortia_planversion_delete", args=[version.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        PlanVersion.objects.get(pk=version.pk).content["consortium"]["name"] == CONSORTIUM["name"]
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_database_refuses_to_rewrite_a_version(ready_plan, province_user, before_deadline):
    from django.db import DatabaseError, transaction

    version = services.plan_submit(actor=province_user, plan=ready_plan)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consortia_planversion SET content = '{}' WHERE id = %s", [version.pk]
        )


def test_whole_workflow_leaves_an_audit_entry_per_transition(
    ready_plan,
    province_user,
    ministry_staff,
    before_deadline,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    plan = ready_plan
    services.plan_submit(actor=province_user, plan=plan)
    services.plan_return(
        actor=ministry_staff, plan=plan, section_comments={"plan": "请细化工作计划"}, comment=""
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.RETURNED
    services.plan_update(
        actor=province_user,
        plan=plan,
        revision=plan.revision,
        data={"implementation_plan": plan.implementation_plan + "\n补充：按月细化工作计划。"},
    )
    plan.refresh_from_db()
    services.plan_upload_scan(
        actor=province_user, plan=plan, upload=scan_upload(plan_pdf_page_count(plan))
    )
    version2 = services.plan_submit(actor=province_user, plan=plan)
    assert version2.number == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_approve(actor=ministry_staff, plan=plan, comment="同意")
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    assert plan.consortium.is_pilot
    transitions = list(
        AuditEntry.objects.filter(object_id=str(plan.pk), to_state__gt="")
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )
    assert transitions[1:] == [
        ("plan.submit", "draft", "submitted"),
        ("plan.return", "submitted", "returned"),
        ("plan.submit", "returned", "submitted"),
        ("plan.approve", "submitted", "approved"),
    ]
    assert transitions[0][0] == "consortium.create"
    # The lead contact got an account and an invitation; it sees the consortium, another user does not.
    from consortia.selectors import consortium_list_visible_to
    from portal.models import User

    lead = User.objects.get(email=CONSORTIUM["contact_email"])
    assert lead.role == "consortium_lead"
    assert list(consortium_list_visible_to(user=lead)) == [plan.consortium]
    assert any(CONSORTIUM["contact_email"] in m.to for m in mailoutbox)


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def mail_to(mailoutbox, user):
    """The one e-mail sent to ``user``, and its text before the portal link."""
    [message] = [m for m in mailoutbox if m.to == [user.email]]
    return message, message.subject + "\n" + message.body.split("http")[0]


def test_plan_decisions_are_mailed_in_each_recipients_language_not_the_reviewers(
    ready_plan,
    province_user,
    ministry_staff,
    client,
    before_deadline,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    colleague = UserFactory(role="provincial_authority", organisation_code="110000", language="en")
    services.plan_submit(actor=province_user, plan=ready_plan)
    # The reviewer works in English: the switch sets the cookie and remembers the choice.
    client.force_login(ministry_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("consortia:plan-action", args=[ready_plan.consortium_id, "return"]),
            {"section_plan": "请细化工作计划"},
        )
    assert response.status_code == 302
    message, text = mail_to(mailoutbox, province_user)
    assert message.subject == f"工业和信息化部已将“{CONSORTIUM['name']}”的实施方案退回修改"
    assert not LATIN_WORD.search(text), text
    message, text = mail_to(mailoutbox, colleague)
    assert message.subject == (
        f"The Ministry returned the plan of “{CONSORTIUM['name']}” for revision"
    )
    # The same for a decision taken through the service while English is active.
    mailoutbox.clear()
    ready_plan.refresh_from_db()
    services.plan_upload_scan(
        actor=province_user, plan=ready_plan, upload=scan_upload(plan_pdf_page_count(ready_plan))
    )
    services.plan_submit(actor=province_user, plan=ready_plan)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.plan_approve(actor=ministry_staff, plan=ready_plan)
    message, text = mail_to(mailoutbox, province_user)
    assert "工业和信息化部已批准" in message.subject
    assert not LATIN_WORD.search(text), text
    assert mail_to(mailoutbox, colleague)[0].subject.startswith("The Ministry approved the plan")
    # The new lead's invitation: a new account reads the portal's language, Chinese.
    lead = User.objects.get(email=CONSORTIUM["contact_email"])
    message, _text = mail_to(mailoutbox, lead)
    assert message.subject == f"您在工业数据先行先试管理平台的账号（“{CONSORTIUM['name']}”）"


def test_a_submission_is_mailed_to_the_ministry_in_each_recipients_language(
    ready_plan,
    province_user,
    ministry_staff,
    ministry_admin,
    before_deadline,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    ministry_admin.language = "en"
    ministry_admin.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(actor=province_user, plan=ready_plan)
    message, text = mail_to(mailoutbox, ministry_staff)
    assert message.subject.startswith("实施方案已提交")
    assert "北京市" in message.subject
    assert not LATIN_WORD.search(text), text
    message, _text = mail_to(mailoutbox, ministry_admin)
    assert message.subject.startswith("Plan submitted:")
    assert "Beijing" in message.subject
    assert message.body.startswith(
        "A provincial authority submitted an implementation plan for review."
    )


def test_out_of_order_transitions_are_refused_with_a_reason(
    ready_plan, ministry_staff, province_user
):
    from django.utils import translation

    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        services.plan_approve(actor=ministry_staff, plan=ready_plan)
    assert "This cannot be done while the plan is “Draft”." in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.plan_reopen(actor=province_user, plan=ready_plan)


def test_submission_needs_the_scan_and_a_complete_plan(
    province_user, idfa, before_deadline, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    plan = make_consortium(province_user, idfa).plan
    with pytest.raises(ValidationError) as exc:
        services.plan_submit(actor=province_user, plan=plan)
    assert {"members", "foundation", "plan", "commitment", "opinion"} <= set(exc.value.message_dict)
    plan = fill_plan(actor=province_user, consortium=plan.consortium)
    with pytest.raises(ValidationError) as exc:
        services.plan_submit(actor=province_user, plan=plan)
    assert exc.value.code == "no_scan"
    assert not PlanVersion.objects.exists()


def test_a_change_after_the_scan_needs_a_new_scan(ready_plan, province_user, before_deadline):
    services.plan_update(
        actor=province_user,
        plan=ready_plan,
        revision=ready_plan.revision,
        data={"authority_opinion": "同意推荐（修改后）。"},
    )
    ready_plan.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.plan_submit(actor=province_user, plan=ready_plan)
    assert exc.value.code == "scan_outdated"
    assert not PlanVersion.objects.exists()


def test_deadline_closes_submission_until_an_extension(
    ready_plan, province_user, ministry_admin, ministry_staff
):
    with pytest.raises(ValidationError) as exc:  # today (2026-11-22) is after 2026-03-08
        services.plan_submit(actor=province_user, plan=ready_plan)
    assert exc.value.code == "deadline"
    with pytest.raises(PermissionDenied):
        services.deadline_extension_grant(
            actor=ministry_staff,
            program=ready_plan.consortium.program,
            authority=province_user.organisation,
            new_deadline=dt.date(2026, 12, 31),
            reason="延期",
        )
    services.deadline_extension_grant(
        actor=ministry_admin,
        program=ready_plan.consortium.program,
        authority=province_user.organisation,
        new_deadline=dt.date(2026, 12, 31),
        reason="因疫情延期",
    )
    assert services.plan_submit(actor=province_user, plan=ready_plan).number == 1
    assert AuditEntry.objects.filter(action="deadline.extend", comment="因疫情延期").exists()


def test_a_third_recommendation_is_refused_and_a_rejected_one_frees_its_slot(
    province_user, ministry_staff, idfa, before_deadline, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    plans = [make_ready_plan(province_user, idfa, name=f"联合体{i}") for i in range(3)]
    services.plan_submit(actor=province_user, plan=plans[0])
    services.plan_submit(actor=province_user, plan=plans[1])
    with pytest.raises(ValidationError) as exc:
        services.plan_submit(actor=province_user, plan=plans[2])
    assert exc.value.code == "quota"
    assert Plan.objects.get(pk=plans[2].pk).state == PlanState.DRAFT
    services.plan_reject(actor=ministry_staff, plan=plans[0], reason="基础条件不足")
    assert services.plan_submit(actor=province_user, plan=plans[2]).number == 1


def test_another_province_has_its_own_quota(
    province_user, other_province_user, idfa, before_deadline, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    for i in range(2):
        services.plan_submit(
            actor=province_user, plan=make_ready_plan(province_user, idfa, name=f"京{i}")
        )
    other = make_ready_plan(other_province_user, idfa, name="粤1")
    assert services.plan_submit(actor=other_province_user, plan=other).number == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_submissions_never_exceed_the_quota(
    reference_data, province_user, settings, tmp_path
):
    from unittest import mock

    from tasks_catalog.models import Program

    settings.MEDIA_ROOT = str(tmp_path)
    idfa = Program.objects.get(code="idfa-2026")
    plans = [make_ready_plan(province_user, idfa, name=f"并发联合体{i}") for i in range(10)]
    barrier = threading.Barrier(10)
    outcomes = []

    def submit(plan):
        try:
            barrier.wait()
            services.plan_submit(actor=province_user, plan=plan)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 1)):
        threads = [threading.Thread(target=submit, args=(p,)) for p in plans]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["ok", "ok"] + ["quota"] * 8
    assert Plan.objects.filter(state=PlanState.SUBMITTED).count() == 2
    assert PlanVersion.objects.count() == 2


BAD_UPLOADS = {
    "not_pdf": lambda pages: b"\x89PNG\r\n\x1a\n" + b"0" * 500,
    "encrypted": "encrypted",
    "damaged": lambda pages: blank_pdf(pages)[: len(blank_pdf(pages)) // 2],
    "empty": lambda pages: b"",
    "too_few_pages": lambda pages: blank_pdf(pages - 1),
    "too_large": "too_large",
}


def _encrypted_pdf(pages: int) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_bad_scans_are_refused_and_leave_nothing_behind(
    kind, province_user, idfa, settings, tmp_path, client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    plan = fill_plan(actor=province_user, consortium=make_consortium(province_user, idfa))
    pages = plan_pdf_page_count(plan)
    if kind == "encrypted":
        content = _encrypted_pdf(pages)
    elif kind == "too_large":
        settings.UPLOAD_MAX_BYTES = 1000
        content = blank_pdf(pages)
    else:
        content = BAD_UPLOADS[kind](pages)
    before_files = sorted(
        p for p in Path(tmp_path).rglob("*") if p.is_file() and "cache" not in p.parts
    )
    client.force_login(province_user)  # a login is an audit entry too (security audit)
    before_audit = AuditEntry.objects.count()
    response = client.post(
        reverse("consortia:scan", args=[plan.consortium_id]),
        {"file": SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = response.content.decode()
    expected = {
        "not_pdf": "The file is not a PDF.",
        "encrypted": "protected by a password",
        "damaged": "damaged or incomplete",
        "empty": "file is empty",
        "too_few_pages": f"but the generated form has {pages}",
        "too_large": "The file is larger than",
    }[kind]
    assert expected in html, kind
    plan.refresh_from_db()
    assert not plan.scan
    assert not plan.scan_sha256
    assert AuditEntry.objects.count() == before_audit
    after_files = sorted(
        p for p in Path(tmp_path).rglob("*") if p.is_file() and "cache" not in p.parts
    )
    assert after_files == before_files


def test_generated_pdf_has_the_consortium_text_and_all_23_task_rows(
    ready_plan, province_user, client
):
    client.force_login(province_user)
    response = client.get(reverse("consortia:plan-pdf", args=[ready_plan.consortium_id]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")
    assert CONSORTIUM["name"] in text
    assert "工业和信息化部编制" in text
    assert "材料要求盖章处，须加盖公章" in text
    assert ready_plan.work_foundation.splitlines()[0][:30] in text
    assert "先行先试参考任务表" in text
    for title in ["梳理并发布行业场景数据需求清单", "数据资产入表", "贡献开源数据集"]:
        assert title in text
    # Every task row: its number followed by 必选/可选 and 是/否 in the 附件2 table.
    annex = text[text.index("先行先试参考任务表") :]
    assert annex.count("必选") == 11
    assert annex.count("可选") == 12
    assert "草稿" not in text  # complete plan: the form to print and stamp


def test_incomplete_plan_pdf_is_watermarked_draft(province_user, idfa, client):
    consortium = make_consortium(province_user, idfa)
    client.force_login(province_user)
    text = pdf_text(client.get(reverse("consortia:plan-pdf", args=[consortium.pk])).content)
    assert "草稿" in text


def test_another_province_cannot_read_the_plan_pdf_or_scan(
    ready_plan, other_province_user, consortium_lead, client
):
    pk = ready_plan.consortium_id
    urls = [
        reverse("consortia:consortium-detail", args=[pk]),
        reverse("consortia:plan-pdf", args=[pk]),
        reverse("consortia:scan", args=[pk]),
        reverse("consortia:plan-edit", args=[pk]),
        reverse("consortia:compare", args=[pk]),
        reverse("consortia:version-file", args=[pk, 1, "pdf"]),
        reverse("consortia:consortium-detail", args=[pk + 1000]),  # a guessed id
    ]
    for user in (other_province_user, consortium_lead):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.role, url)
        assert client.post(reverse("consortia:plan-action", args=[pk, "submit"])).status_code == 404
        listing = client.get(reverse("consortia:consortium-list")).content.decode()
        assert CONSORTIUM["name"] not in listing


def test_ministry_reads_every_plan_but_cannot_edit_it(
    ready_plan, province_user, ministry_staff, client, before_deadline
):
    client.force_login(ministry_staff)
    pk = ready_plan.consortium_id
    assert client.get(reverse("consortia:consortium-detail", args=[pk])).status_code == 200
    # A draft's form is the province's until it is submitted (issue 13, item 9).
    assert client.get(reverse("consortia:plan-pdf", args=[pk])).status_code == 404
    services.plan_submit(actor=province_user, plan=ready_plan)
    assert client.get(reverse("consortia:plan-pdf", args=[pk])).status_code == 200
    assert client.get(reverse("consortia:plan-edit", args=[pk])).status_code == 403
    assert (
        client.get(
            reverse("consortia:plan-action", args=[pk, "approve"]), HTTP_ACCEPT_LANGUAGE="en"
        ).status_code
        == 200
    )


def test_compare_marks_the_changed_sections(
    ready_plan, province_user, ministry_staff, client, before_deadline
):
    services.plan_submit(actor=province_user, plan=ready_plan)
    services.plan_return(
        actor=ministry_staff, plan=ready_plan, section_comments={"opinion": "请完善推荐意见"}
    )
    ready_plan.refresh_from_db()
    services.plan_update(
        actor=province_user,
        plan=ready_plan,
        revision=ready_plan.revision,
        data={"authority_opinion": "经审核，同意推荐，并给予专项资金支持。"},
    )
    ready_plan.refresh_from_db()
    with pytest.raises(ValidationError) as exc:  # the scan of version 1 went with it
        services.plan_submit(actor=province_user, plan=ready_plan)
    assert exc.value.code == "no_scan"
    services.plan_upload_scan(
        actor=province_user, plan=ready_plan, upload=scan_upload(plan_pdf_page_count(ready_plan))
    )
    services.plan_submit(actor=province_user, plan=ready_plan)
    client.force_login(ministry_staff)
    html = client.get(
        reverse("consortia:compare", args=[ready_plan.consortium_id]) + "?a=1&b=2"
    ).content.decode()
    assert 'data-testid="changed-opinion"' in html
    assert 'data-testid="changed-plan"' not in html
    assert "<ins>" in html
    assert "专项资金支持" in html


def test_extension_page_for_the_ministry_administrator_only(
    client, ministry_admin, ministry_staff, province_user
):
    from consortia.models import DeadlineExtension
    from portal.models import Organisation
    from tasks_catalog.models import Program

    url = reverse("consortia:extensions")
    for user in (ministry_staff, province_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(ministry_admin)
    data = {
        "program": Program.objects.get(code="idfa-2026").pk,
        "authority": Organisation.objects.get(code="440000").pk,
        "new_deadline": "2026-12-15",
        "reason": "",
    }
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert not DeadlineExtension.objects.exists()
    data["new_deadline"], data["reason"] = "2026-02-01", "补报"
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "The new deadline must be after the program&#x27;s deadline." in response.content.decode()
    )
    data["new_deadline"] = "2026-12-15"
    assert client.post(url, data).status_code == 302
    extension = DeadlineExtension.objects.get()
    assert extension.granted_by == ministry_admin
    assert extension.reason == "补报"
