"""Every e-mail and notification the portal sends: who gets it and what it says, composed in each
recipient's language (``portal.notifications.notifications_queue`` groups the recipients by
``User.language`` and composes once per language under ``translation.override``).

A ``Message`` holds lazy text: its subject (and body) are translated, and its ``params`` read
(a period's or a province's name), only when composed for one language. A reviewer's comment is
plain text and is sent as written. The recipient selectors name the groups the workflows write to.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from .models import Notification, User
from .notifications import notifications_queue
from .roles import MINISTRY_ROLES, Role

# The per-object grant that makes a lead or member user one of a consortium's (``consortia``).
CONSORTIUM_GRANT = "view_consortium"


@dataclass(frozen=True)
class Message:
    kind: str
    subject: Promise | str  # lazy, %-formatted with ``params``
    # Lazy text (formatted with ``params``) or text sent as written (a reviewer's comment);
    # empty: the body repeats the subject.
    body: Promise | str = ""
    params: Callable[[], dict[str, Any]] | None = field(default=None)
    url: str = ""

    def compose(self) -> tuple[str, str]:
        """``(subject, body)`` in the active language."""
        params = self.params() if self.params else {}
        subject = str(self.subject) % params if params else str(self.subject)
        if isinstance(self.body, Promise):
            body = str(self.body) % params if params else str(self.body)
        else:
            body = self.body
        return subject, body or subject


def message_send(
    *,
    message: Message,
    recipients: Iterable[User],
    dedupe_key: Callable[[User], str] | None = None,
) -> list[Notification]:
    """Queue ``message`` for each recipient, in the recipient's language (sent on commit)."""
    return notifications_queue(
        recipients=recipients,
        kind=message.kind,
        message=message.compose,
        url=message.url,
        dedupe_key=dedupe_key,
    )


def message_send_composed(
    *,
    kind: str,
    compose: Callable[[], tuple[str, str]],
    recipients: Iterable[User],
    url: str = "",
    dedupe_key: Callable[[User], str] | None = None,
) -> list[Notification]:
    """Like ``message_send`` for a text that needs code to compose (plural forms, dates);
    ``compose()`` is called once per recipient language, inside that language."""
    return notifications_queue(
        recipients=recipients, kind=kind, message=compose, url=url, dedupe_key=dedupe_key
    )


# --- recipient selectors ---------------------------------------------------------------------


def ministry_reviewers() -> list[User]:
    """The Ministry's active staff and administrators: they review plans."""
    return list(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True))


def province_users(*, authority_id: int | None) -> list[User]:
    """The active users of a province (a provincial authority organisation)."""
    return list(User.objects.filter(organisation_id=authority_id, is_active=True))


def authority_users_of(consortium) -> list[User]:
    """The active users of the consortium's recommending authority (its province)."""
    return province_users(authority_id=consortium.authority_id)


def leads_of(consortium) -> list[User]:
    """The consortium's active lead users (granted the consortium on the plan's approval)."""
    from guardian.shortcuts import get_users_with_perms

    users = get_users_with_perms(consortium, only_with_perms_in=[CONSORTIUM_GRANT])
    return list(users.filter(role=Role.CONSORTIUM_LEAD, is_active=True))
