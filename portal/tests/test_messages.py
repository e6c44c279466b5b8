"""The message layer (``portal/messages.py``): the named recipient groups, and a message written
in each recipient's language with the reviewer's comment as written."""

import pytest
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm

from consortia.models import Consortium
from portal.messages import (
    Message,
    authority_users_of,
    leads_of,
    message_send,
    ministry_reviewers,
)
from portal.models import Notification
from portal.tests.factories import UserFactory, unit_factory
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def consortium(province_user):
    program = Program.objects.get(code="idfa-2026")
    return Consortium.objects.create(
        program=program,
        authority=province_user.organisation,
        name="测试联合体",
        entity_type=program.entity_types.first(),
        created_by=province_user,
    )


def test_each_group_holds_its_active_people_only(
    consortium, province_user, other_province_user, ministry_staff, ministry_admin
):
    colleague = UserFactory(role="provincial_authority", organisation=province_user.organisation)
    UserFactory(
        role="provincial_authority", organisation=province_user.organisation, is_active=False
    )
    lead = UserFactory(role="consortium_lead", organisation=unit_factory())
    member = UserFactory(role="consortium_member", organisation=unit_factory())
    former = UserFactory(role="consortium_lead", organisation=unit_factory(), is_active=False)
    for user in (lead, member, former):
        assign_perm("consortia.view_consortium", user, consortium)

    assert set(authority_users_of(consortium)) == {province_user, colleague}
    assert leads_of(consortium) == [lead]
    assert set(ministry_reviewers()) == {ministry_staff, ministry_admin}


def test_a_message_is_written_in_each_recipients_language_and_the_comment_as_written(
    province_user, other_province_user
):
    province_user.language, other_province_user.language = "en", "zh-hans"
    province_user.save()
    other_province_user.save()
    message = Message(
        kind="test.return",
        subject=gettext_lazy("The Ministry returned the plan of “%(name)s” for revision"),
        body="请补充第四部分。",
        params=lambda: {"name": "X"},
        url="/consortia/1/",
    )
    message_send(message=message, recipients=[province_user, other_province_user])
    sent = {n.recipient: n for n in Notification.objects.filter(kind="test.return")}
    assert sent[province_user].subject == "The Ministry returned the plan of “X” for revision"
    assert sent[other_province_user].subject.startswith("工业和信息化部")
    assert {n.body for n in sent.values()} == {"请补充第四部分。"}
    assert {n.url for n in sent.values()} == {"/consortia/1/"}
