"""Accounts an approved plan opens: the lead contact's (consortium lead) and the chosen member
contacts' (read-only), each granted the consortium and invited by e-mail to set a password."""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from portal.messages import Message, message_send
from portal.models import Organisation, User
from portal.roles import Role
from portal.services import audit_record, user_sync_role

from ..models import Consortium
from ..permissions import VIEW_PERMISSION, grants_changed


def pilot_accounts_open(*, consortium: Consortium, actor: User) -> list[User]:
    """Call inside the approval's transaction (``plan_approve``)."""
    accounts = [
        _account_for(
            consortium=consortium,
            email=consortium.contact_email,
            name=consortium.contact_name,
            title=consortium.contact_title,
            phone=consortium.contact_phone,
            role=Role.CONSORTIUM_LEAD,
            organisation=consortium.lead_organisation,
            actor=actor,
        )
    ]
    for member in consortium.members.filter(gets_account=True).exclude(contact_email=""):
        org, _created = Organisation.objects.get_or_create(
            code=f"UNIT-M{member.pk}",
            defaults={
                "kind": Organisation.Kind.UNIT,
                "name_zh": member.name,
                "name_en": member.name,
            },
        )
        accounts.append(
            _account_for(
                consortium=consortium,
                email=member.contact_email,
                name=member.contact_name,
                title="",
                phone="",
                role=Role.CONSORTIUM_MEMBER,
                organisation=org,
                actor=actor,
            )
        )
    return accounts


def _account_for(*, consortium, email, name, title, phone, role, organisation, actor) -> User:
    """Find or create the person's account, grant it the consortium, and invite them by e-mail."""
    user = User.objects.filter(email__iexact=email, role=role).first()
    if user is None:
        base = email.split("@")[0][:100] or "user"
        username, n = base, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}{n}"
        user = User(
            username=username,
            email=email,
            role=role,
            organisation=organisation,
            last_name=name[:150],
            title=title,
            phone=phone,
        )
        # No password at all: the only way in is the e-mailed link, where the person chooses
        # their own (the forced change of an initial password, GB/T 22239 8.1.4.1). A password
        # an administrator sets later must be changed at first use (portal.passwords).
        user.set_unusable_password()
        user.full_clean()
        user.save()
        user_sync_role(user=user)
        audit_record(
            actor=actor,
            action="user.create",
            target=user,
            data={"role": role, "consortium": consortium.pk},
        )
    assign_perm(VIEW_PERMISSION, user, consortium)
    grants_changed()
    _invite(user, consortium)
    return user


def _invite(user: User, consortium: Consortium) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    message_send(
        message=Message(
            kind="account.invite",
            subject=_("Your account on the Industrial Data Pilot Portal for “%(name)s”"),
            body=_(
                "The Ministry approved the implementation plan of “%(name)s”. An account has been opened for you "
                "(user name: %(username)s). Open the link below to choose your password."
            ),
            params=lambda: {"name": consortium.name, "username": user.username},
            url=reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}),
        ),
        recipients=[user],
        dedupe_key=lambda recipient: f"invite:{recipient.pk}:{consortium.pk}",
    )
