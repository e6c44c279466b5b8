"""Writes owned by the portal app: users and their roles, and the audit log."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import AuditEntry, Organisation, User
from .requestlocal import client_address, current_request, user_agent
from .roles import ADMINISTRATOR_ROLES


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict[str, Any] | None = None,
    request=None,
    content_type: ContentType | None = None,
    object_id: str = "",
) -> AuditEntry:
    """Write one audit entry. Call it inside the same transaction as the change it records.

    The address and user agent come from ``request``, or else from the request being served
    (``portal.requestlocal``); a job or command has neither.

    Without a ``target`` instance, ``content_type`` and ``object_id`` name it (an admin change
    of an object about to be deleted; ``""`` when the event concerns no particular object,
    ``portal.security_audit``)."""
    request = request if request is not None else current_request()
    if target is not None:
        content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        object_id = str(target.pk)
    elif content_type is None:
        raise ValueError("audit_record needs a target or a content_type")
    entry = AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=content_type,
        object_id=object_id,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
        ip_address=client_address(request),
        user_agent=user_agent(request),
    )
    return entry


def user_sync_role(*, user: User) -> None:
    """Put the user in exactly their role's group; admin access for the three administrators
    (system, security, audit), each limited to their share by their group's permissions."""
    groups = list(Group.objects.filter(name=user.role)) if user.role else []
    user.groups.set(groups)
    is_staff = user.role in ADMINISTRATOR_ROLES or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    organisation: Organisation,
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    phone: str = "",
    actor: User | None = None,
) -> User:
    user = User(
        username=username,
        role=role,
        organisation=organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
        title=title,
        phone=phone,
    )
    if password:
        # Someone else chose it: the holder must choose their own at their first login.
        user.set_password(password)
        user.password_must_change = True
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user_sync_role(user=user)
    audit_record(actor=actor, action="user.create", target=user, data={"role": role})
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> bool:
    """Remember the language the person chose in the portal: their e-mails and notifications
    are written in it. Audited when it changes; returns whether it did."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"not one of settings.LANGUAGES: {language!r}")
    if user.language == language:
        return False
    previous = user.language
    user.language = language
    user.save(update_fields=["language"])
    audit_record(
        actor=user,
        action="user.language",
        target=user,
        data={"from": previous, "to": language},
    )
    return True
