"""Queue and deliver notifications (e-mail + the recipient's list in the portal)."""

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from .jobs import SWEEP_BATCH, dispatch, dispatch_on_commit, grace
from .models import Notification, User

DELIVER_TASK = "portal.tasks.notification_deliver_task"


def recipient_language(user: User) -> str:
    """The language a person's notifications are written in: their own (see ``User.language``),
    else the portal's."""
    language = getattr(user, "language", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notifications_queue(
    *,
    recipients: Iterable[User],
    kind: str,
    message: Callable[[], tuple[str, str]],
    url: str = "",
    dedupe_key: Callable[[User], str] | None = None,
) -> list[Notification]:
    """Queue one notification per recipient, written in the recipient's language.

    ``message()`` returns ``(subject, body)`` in the active language: it is called once per
    language among the recipients, inside ``translation.override``, never in the acting user's
    language unless a recipient shares it.
    """
    by_language: dict[str, list[User]] = {}
    for user in recipients:
        by_language.setdefault(recipient_language(user), []).append(user)
    notifications = []
    for language, users in by_language.items():
        with translation.override(language):
            subject, body = message()
        notifications += [
            notification_queue(
                recipient=user,
                kind=kind,
                subject=subject,
                body=body,
                url=url,
                dedupe_key=dedupe_key(user) if dedupe_key else None,
            )
            for user in users
        ]
    return notifications


def notification_queue(
    *,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    dedupe_key: str | None = None,
) -> Notification:
    """Record a notification and send it after the surrounding transaction commits.

    ``subject`` and ``body`` as the recipient reads them: callers write them in the recipient's
    language (``notifications_queue`` does that for a group of recipients).

    With a ``dedupe_key``, queueing again returns the existing row and sends nothing new.
    """
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                subject=subject[:255],
                body=body,
                url=url,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        # Another process queued the same key between our read and our insert.
        return Notification.objects.get(dedupe_key=dedupe_key)
    # A broker outage is logged, never raised: the action that queued it has committed, and
    # the sweeper sends the row once Redis is back (``notifications_sweep``).
    dispatch_on_commit(DELIVER_TASK, notification.pk)
    return notification


def notification_deliver(*, notification_id: int) -> Notification:
    """Send one pending notification; a row already sent is never sent again."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .get(pk=notification_id)
        )
        if notification.status == Notification.Status.SENT:
            return notification
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.PORTAL_BASE_URL}{notification.url}"
        try:
            if notification.recipient.email:
                send_mail(
                    notification.subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [notification.recipient.email],
                )
        except Exception as exc:  # noqa: BLE001 - any mail failure is recorded and retried later
            notification.status = Notification.Status.FAILED
            notification.error = str(exc)[:2000]
            notification.save(update_fields=["status", "error"])
            return notification
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.error = ""
        notification.save(update_fields=["status", "sent_at", "error"])
    return notification


def notification_redispatch_stale(*, kind_prefix: str = "", now: dt.datetime | None = None) -> int:
    """Send again the notifications still waiting longer than the grace period after they were
    recorded, or after the last time this sent them (their message was lost, never sent because
    Redis was down, or their worker died); returns how many. One indexed query; delivery sends
    a row once, so repeating this (or two sweepers at once) is safe."""
    now = now or timezone.now()
    waiting = Notification.objects.filter(
        status=Notification.Status.PENDING, created_at__lt=now - grace()
    ).filter(Q(retry_at__isnull=True) | Q(retry_at__lt=now))
    if kind_prefix:
        waiting = waiting.filter(kind__startswith=kind_prefix)
    ids = list(waiting.order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    Notification.objects.filter(pk__in=ids).update(retry_at=now + grace())
    for pk in ids:
        dispatch(DELIVER_TASK, pk)
    return len(ids)


def notification_retry_failed() -> int:
    """Queue every failed notification, and every one left pending, for another delivery attempt."""
    ids = list(
        Notification.objects.filter(status=Notification.Status.FAILED).values_list("pk", flat=True)
    )
    for pk in ids:
        dispatch(DELIVER_TASK, pk)
    return len(ids) + notification_redispatch_stale()
