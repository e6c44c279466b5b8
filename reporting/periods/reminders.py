"""Report reminders: N days before a period's due date, on it, and once when the report is overdue.

Celery beat runs ``reminders_send`` daily (schedule and offsets in the admin, "Periodic tasks").
Each reminder is a notification with a unique ``dedupe_key`` per kind × period × consortium ×
recipient, inserted before anything is sent: running the job twice, or twice at once, records
and sends each reminder once.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from consortia.models import Consortium
from portal.messages import authority_users_of, leads_of, message_send_composed
from portal.models import Notification, User
from portal.notifications import notification_redispatch_stale
from reporting.periods.expectations import is_expected
from reporting.periods.models import ProgressReport, ReportingPeriod
from reporting.periods.selectors import period_lock_date
from reporting.periods.workflows import EDITABLE_STATES

DEFAULT_OFFSETS = (14, 3)  # days before the due date; the periodic task's kwargs override them
KIND_PREFIX = "reminder."


@dataclass(frozen=True)
class Reminder:
    kind: str  # before_<N>, due or overdue
    period: ReportingPeriod
    consortium: Consortium
    recipient: User
    locks_on: dt.date

    @property
    def dedupe_key(self) -> str:
        return f"reminder:{self.kind}:{self.period.pk}:{self.consortium.pk}:{self.recipient.pk}"


def reminder_offsets(offsets: Iterable | None = None) -> frozenset[int]:
    """The days-before offsets as positive whole numbers (from the admin's JSON kwargs)."""
    if offsets is None:
        offsets = DEFAULT_OFFSETS
    try:
        days = frozenset(int(n) for n in offsets)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"offsets must be a list of whole numbers of days, got {offsets!r}"
        ) from exc
    if any(n <= 0 for n in days):
        raise ValueError(f"offsets must be days before the due date (1 or more), got {offsets!r}")
    return days


def reminder_kind(
    *, due_date: dt.date, locks_on: dt.date, today: dt.date, offsets: frozenset[int]
) -> str | None:
    days_left = (due_date - today).days
    if days_left in offsets:
        return f"before_{days_left}"
    if days_left == 0:
        return "due"
    if days_left < 0 and today <= locks_on:
        # Every day until entry locks; the dedupe key makes it one reminder, not one a day.
        return "overdue"
    return None


def reminder_recipients(*, consortium: Consortium) -> list[User]:
    """The consortium's lead users (granted the consortium) and its province's active users."""
    users = {user.pk: user for user in [*leads_of(consortium), *authority_users_of(consortium)]}
    return [users[pk] for pk in sorted(users)]


def reminders_due(*, today: dt.date, offsets: Iterable | None = None) -> list[Reminder]:
    """Every reminder that applies today: pilots × the periods they are expected to report for
    (``reporting.periods.expectations``) × recipients, for reports not submitted yet (none, or a draft
    or returned one)."""
    days = reminder_offsets(offsets)
    consortia = list(
        Consortium.objects.filter(pilot_since__isnull=False)
        .select_related("program")
        .order_by("pk")
    )
    if not consortia:
        return []
    due_dates = [today, *(today + dt.timedelta(days=n) for n in days)]
    periods = list(
        ReportingPeriod.objects.filter(program_id__in={c.program_id for c in consortia})
        .filter(
            Q(due_date__in=due_dates)
            | Q(due_date__lt=today, locks_on__gte=today)
            | Q(due_date__lt=today, reopenings__locks_on__gte=today)
        )
        .distinct()
        .order_by("due_date", "pk")
    )
    if not periods:
        return []
    report_states = {
        (consortium_id, period_id): state
        for consortium_id, period_id, state in ProgressReport.objects.filter(
            period__in=periods, consortium__in=consortia
        ).values_list("consortium_id", "period_id", "state")
    }
    reminders = []
    for consortium in consortia:
        recipients = None
        for period in periods:
            if not is_expected(consortium=consortium, period=period, today=today):
                continue  # another program's period, or approved on or after its due date
            state = report_states.get((consortium.pk, period.pk))
            if state is not None and state not in EDITABLE_STATES:
                continue
            locks_on = period_lock_date(period=period, consortium=consortium)
            kind = reminder_kind(
                due_date=period.due_date, locks_on=locks_on, today=today, offsets=days
            )
            if kind is None:
                continue
            if recipients is None:
                recipients = reminder_recipients(consortium=consortium)
            reminders += [
                Reminder(
                    kind=kind,
                    period=period,
                    consortium=consortium,
                    recipient=user,
                    locks_on=locks_on,
                )
                for user in recipients
            ]
    return reminders


def reminder_message(
    *, kind: str, period: ReportingPeriod, consortium: Consortium, locks_on: dt.date
) -> tuple[str, str]:
    """Subject and body in the active language (callers activate the recipient's)."""
    names = {
        "period": period.name,
        "consortium": consortium.name,
        "due": period.due_date.isoformat(),
        "locks": locks_on.isoformat(),
    }
    if kind == "due":
        subject = gettext("Reminder: the “%(period)s” of “%(consortium)s” is due today") % names
    elif kind == "overdue":
        subject = (
            gettext("Overdue: the “%(period)s” of “%(consortium)s” was due on %(due)s") % names
        )
    else:
        days = int(kind.removeprefix("before_"))
        subject = ngettext(
            "Reminder: the “%(period)s” of “%(consortium)s” is due in %(days)d day",
            "Reminder: the “%(period)s” of “%(consortium)s” is due in %(days)d days",
            days,
        ) % {**names, "days": days}
    body = (
        gettext(
            "The “%(period)s” of “%(consortium)s” (due date: %(due)s) has not been submitted "
            "yet. The consortium lead can enter and submit it in the portal until %(locks)s; "
            "after that date only the Ministry can reopen it."
        )
        % names
    )
    return subject, body


def reminders_send(*, today: dt.date | None = None, offsets: Iterable | None = None) -> int:
    """Record and send today's reminders; returns how many were new.

    Per period, the period's row is locked while its reminders are recorded: a second run
    waits, then finds them all and records nothing. Rows are committed before their e-mails
    are queued, so a worker dying mid-run leaves either nothing (the run is redelivered) or
    pending rows (``reminders_redispatch_stale`` sends them).
    """
    today = today or timezone.localdate()
    by_period: dict[int, list[Reminder]] = {}
    for reminder in reminders_due(today=today, offsets=offsets):
        by_period.setdefault(reminder.period.pk, []).append(reminder)
    created = 0
    for period_id, reminders in by_period.items():
        with transaction.atomic():
            list(ReportingPeriod.objects.select_for_update().filter(pk=period_id))
            recorded = set(
                Notification.objects.filter(
                    dedupe_key__in=[r.dedupe_key for r in reminders]
                ).values_list("dedupe_key", flat=True)
            )
            # One text per kind × consortium, composed once per recipient language.
            groups: dict[tuple, list[Reminder]] = {}
            for reminder in reminders:
                if reminder.dedupe_key not in recorded:
                    key = (reminder.kind, reminder.consortium.pk, reminder.locks_on)
                    groups.setdefault(key, []).append(reminder)
            for group in groups.values():
                keys = {r.recipient.pk: r.dedupe_key for r in group}
                message_send_composed(
                    kind=f"{KIND_PREFIX}{group[0].kind}",
                    compose=partial(
                        reminder_message,
                        kind=group[0].kind,
                        period=group[0].period,
                        consortium=group[0].consortium,
                        locks_on=group[0].locks_on,
                    ),
                    recipients=[r.recipient for r in group],
                    url=reverse("reporting:report-index"),
                    dedupe_key=lambda user, keys=keys: keys[user.pk],
                )
                created += len(group)
    return created


def reminders_redispatch_stale(*, now: dt.datetime | None = None) -> int:
    """Queue delivery again for reminders still pending 10 minutes after they were recorded
    (their worker died before sending); delivery sends a row once, so this is safe to repeat."""
    return notification_redispatch_stale(kind_prefix=KIND_PREFIX, now=now)
