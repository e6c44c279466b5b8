"""``has_grant``: django-guardian's answer to ``user.has_perm(VIEW_PERMISSION, consortium)``,
asked in one query instead of guardian's two."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm, remove_perm

from consortia.permissions import VIEW_PERMISSION, _granted, has_grant

from .conftest import make_consortium

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_consortia(province_user, idfa):
    return (
        make_consortium(province_user, idfa),
        make_consortium(province_user, idfa, name="另一个联合体"),
    )


def fresh(user):
    """The user as the next request reads it (guardian and Django cache permissions on it)."""
    return type(user).objects.get(pk=user.pk)


def answers(user, consortia) -> list[tuple[bool, bool]]:
    """(ours, guardian's) for each consortium."""
    return [(_granted(user, c), fresh(user).has_perm(VIEW_PERMISSION, c)) for c in consortia]


def test_a_grant_to_the_user_is_seen_for_that_consortium_only(consortium_lead, two_consortia):
    mine, other = two_consortia
    assert answers(consortium_lead, two_consortia) == [(False, False), (False, False)]
    assign_perm(VIEW_PERMISSION, consortium_lead, mine)
    assert answers(consortium_lead, two_consortia) == [(True, True), (False, False)]
    remove_perm(VIEW_PERMISSION, consortium_lead, mine)
    assert answers(fresh(consortium_lead), two_consortia) == [(False, False), (False, False)]


def test_a_grant_to_one_of_the_users_groups_counts_and_another_groups_does_not(
    consortium_member, consortium_lead, two_consortia
):
    mine, other = two_consortia
    theirs, ours = Group.objects.create(name="theirs"), Group.objects.create(name="ours")
    consortium_lead.groups.add(theirs)
    consortium_member.groups.add(ours)
    assign_perm(VIEW_PERMISSION, theirs, mine)
    assert answers(consortium_member, two_consortia) == [(False, False), (False, False)]
    assign_perm(VIEW_PERMISSION, ours, other)
    assert answers(consortium_member, two_consortia) == [(False, False), (True, True)]


def test_another_permission_on_the_consortium_is_not_the_grant(consortium_lead, two_consortia):
    mine, _other = two_consortia
    assign_perm("consortia.change_consortium", consortium_lead, mine)
    assert answers(consortium_lead, [mine]) == [(False, False)]


def test_an_inactive_user_has_no_grant_and_an_active_superuser_every_one(
    consortium_lead, two_consortia
):
    mine, other = two_consortia
    assign_perm(VIEW_PERMISSION, consortium_lead, mine)
    consortium_lead.is_active = False
    consortium_lead.save()
    assert answers(consortium_lead, two_consortia) == [(False, False), (False, False)]
    consortium_lead.is_superuser = True
    consortium_lead.save()
    assert answers(consortium_lead, two_consortia) == [(False, False), (False, False)]
    consortium_lead.is_active = True
    consortium_lead.save()
    assert answers(consortium_lead, two_consortia) == [(True, True), (True, True)]


def test_an_anonymous_user_has_no_grant(two_consortia):
    from django.contrib.auth.models import AnonymousUser

    assert _granted(AnonymousUser(), two_consortia[0]) is False


def test_the_grant_is_one_query(consortium_lead, two_consortia):
    mine, _other = two_consortia
    assign_perm(VIEW_PERMISSION, consortium_lead, mine)
    user = fresh(consortium_lead)
    with CaptureQueriesContext(connection) as queries:
        assert has_grant(user, mine)
    assert len(queries) == 1
