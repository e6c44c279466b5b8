"""The administrator's path to a new program: start from a copy, see what is missing, open it."""

import pytest
from django.urls import reverse

from portal.models import AuditEntry
from portal.tests.forms import program_form_data
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db


def _copy(client, program):
    return client.post(
        reverse("admin:tasks_catalog_program_changelist"),
        {"action": "copy_program", "_selected_action": [program.pk]},
    )


def test_the_administrator_starts_a_new_program_as_a_copy_of_64hao(client, ministry_admin):
    client.force_login(ministry_admin)
    source = Program.objects.get(code="idfa-2026")
    response = _copy(client, source)
    copy = Program.objects.get(code="idfa-2026-copy")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:tasks_catalog_program_change", args=[copy.pk])
    assert not copy.is_active
    assert copy.name_zh == source.name_zh + "（副本）"
    assert copy.plan_form_subject_zh == source.plan_form_subject_zh
    assert copy.plan_commitments == source.plan_commitments
    assert copy.tasks.count() == 23 and copy.tasks.filter(mandatory=True).count() == 11
    assert copy.categories.count() == source.categories.count()
    assert all(t.category.program_id == copy.pk for t in copy.tasks.select_related("category"))
    assert sorted(copy.calendar.values_list("code", "due_date")) == sorted(
        source.calendar.values_list("code", "due_date")
    )
    assert copy.entity_types.count() == source.entity_types.count()
    audit = AuditEntry.objects.get(action="program.copy")
    assert audit.actor == ministry_admin and audit.data == {"from": "idfa-2026", "code": copy.code}
    # The source is untouched, and a second copy gets its own code.
    assert source.tasks.count() == 23
    _copy(client, source)
    assert Program.objects.filter(code="idfa-2026-copy2").exists()


def test_the_program_page_says_what_is_missing_and_a_program_opens_only_when_complete(
    client, ministry_admin
):
    client.force_login(ministry_admin)
    ready = Program.objects.get(code="idfa-2026")
    url = reverse("admin:tasks_catalog_program_change", args=[ready.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Missing before the program can open" in english
    assert "Nothing: the program is ready to open." in english
    assert "项目已具备开放条件" in client.get(url).content.decode()

    _copy(client, ready)
    draft = Program.objects.get(code="idfa-2026-copy")
    draft.tasks.all().delete()
    draft.plan_commitment_text_zh = ""
    draft.save()
    page = client.get(reverse("admin:tasks_catalog_program_change", args=[draft.pk])).content
    text = page.decode()
    assert "开放前尚缺" in text
    assert "参考任务表" in text and "承诺书正文" in text

    # Opening it is refused, with the list; nothing is saved.
    url, data = program_form_data(client, draft)
    data["is_active"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "项目尚不能开放" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_active


def test_only_the_ministry_administrator_copies_a_program(client, role_users):
    source = Program.objects.get(code="idfa-2026")
    for role, user in role_users.items():
        if role == "ministry_admin":
            continue
        client.force_login(user)
        response = _copy(client, source)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
    assert not Program.objects.filter(code__startswith="idfa-2026-copy").exists()
    assert not AuditEntry.objects.filter(action="program.copy").exists()
