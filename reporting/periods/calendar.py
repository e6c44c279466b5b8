"""Reporting periods follow their program's calendar: the calendar is the one source of truth for
a period's name, span and due date.

Whenever a calendar entry of kind "progress report" or "final summary" is created, changed or
deleted (``tasks_catalog.services``, called by the admin, writes a ``calendar.*`` audit entry and announces
``CALENDAR_CHANGED``), its
reporting period is created, moved or retired in the same transaction, so every page, reminder,
roll-up and API call reads the same date. A moved due date moves the lock date by as much (the
grace period after the due date stays), and entry still opens when the period starts unless an
administrator set another day. When dates that consortia depend on change (a due or lock date of a
period some pilot reports for), the change is audited on the period (``period.dates_change``) and
the leads and provincial authorities of those pilots are notified in their own language.

A period that reports, deliverables or reopenings already belong to cannot be retired: the
calendar check refuses the change with a message before anything is saved.
"""

import datetime as dt

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.db.models.deletion import Collector
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from consortia.models import Consortium
from portal.messages import message_send_composed
from portal.models import User
from portal.services import audit_record
from reporting.periods.models import ReportingPeriod
from reporting.periods.reminders import reminder_recipients
from tasks_catalog.models import CalendarEntry

#: Entry locks this many days after the due date unless an administrator says otherwise.
LOCK_AFTER_DAYS = 15
REPORTING_KINDS = frozenset({CalendarEntry.Kind.REPORT, CalendarEntry.Kind.FINAL})
DATE_FIELDS = ("period_start", "period_end", "opens_on", "due_date", "locks_on")
#: Dates a consortium works to: changing one of these notifies the pilots concerned.
DEADLINE_FIELDS = ("opens_on", "due_date", "locks_on")


def _period_of(entry: CalendarEntry) -> ReportingPeriod | None:
    """The entry's period: linked to it, or (seeded before the link) of the same program and code."""
    periods = ReportingPeriod.objects.select_for_update().filter(
        Q(calendar_entry_id=entry.pk) | Q(program_id=entry.program_id, code=entry.code)
    )
    return min(periods, key=lambda p: p.calendar_entry_id != entry.pk, default=None)


def _in_use(period: ReportingPeriod) -> bool:
    """Whether anything protected hangs on the period (reports, deliverables, reopenings)."""
    try:
        Collector(using=ReportingPeriod.objects.db).collect([period])
    except ProtectedError:
        return True
    return False


def period_calendar_problems(entry: CalendarEntry, deleting: bool) -> list[str]:
    """The calendar check: a period in use cannot be deleted or stop being a reporting period."""
    if entry.pk is None:
        return []
    period = ReportingPeriod.objects.filter(calendar_entry_id=entry.pk).first()
    if period is None or not (deleting or entry.kind not in REPORTING_KINDS):
        return []
    if _in_use(period):
        return [
            _(
                "Reports, deliverables or reopenings already belong to the reporting period "
                "“%(period)s”: it cannot be deleted from the calendar or stop being a reporting "
                "period. Change its dates instead."
            )
            % {"period": period.name}
        ]
    return []


def _calendar_values(entry: CalendarEntry) -> dict:
    start = entry.period_start or entry.program.start_date
    return {
        "calendar_entry": entry,
        "code": entry.code,
        "name_zh": entry.name_zh,
        "name_en": entry.name_en,
        "period_start": start,
        "period_end": entry.period_end or entry.due_date,
        "due_date": entry.due_date,
    }


def period_follow_calendar(*, action: str, target: CalendarEntry, actor=None) -> None:
    """Listener of ``portal.events.CALENDAR_CHANGED``: keep the reporting period equal to the
    calendar entry just recorded."""
    if not isinstance(target, CalendarEntry):
        return
    period = _period_of(target)
    if action == "calendar.delete" or target.kind not in REPORTING_KINDS:
        if period is not None:
            _retire(period, actor=actor)
        return
    values = _calendar_values(target)
    if period is None:
        period = ReportingPeriod.objects.create(
            program=target.program,
            opens_on=values["period_start"],
            locks_on=values["due_date"] + dt.timedelta(days=LOCK_AFTER_DAYS),
            **values,
        )
        audit_record(actor=actor, action="period.create", target=period, data=_dates(period))
        return
    before = _dates(period)
    if period.opens_on == period.period_start:
        period.opens_on = values["period_start"]
    period.locks_on += values["due_date"] - period.due_date
    for field, value in values.items():
        setattr(period, field, value)
    period.opens_on = min(period.opens_on, period.due_date)
    period.locks_on = max(period.locks_on, period.due_date)
    period.full_clean()
    period.save()
    _record_change(period, before=before, actor=actor)


@transaction.atomic
def period_dates_set(
    *, actor: User, period: ReportingPeriod, opens_on: dt.date, locks_on: dt.date
) -> ReportingPeriod:
    """The administrator sets when entry opens and locks (the other dates follow the calendar)."""
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    before = _dates(period)
    period.opens_on, period.locks_on = opens_on, locks_on
    period.full_clean()
    period.save(update_fields=["opens_on", "locks_on"])
    _record_change(period, before=before, actor=actor)
    return period


def _record_change(
    period: ReportingPeriod, *, before: dict[str, str], actor: User | None, comment: str = ""
) -> None:
    after = _dates(period)
    changes = {f: [before[f], after[f]] for f in DATE_FIELDS if before[f] != after[f]}
    if changes:
        audit_record(
            actor=actor,
            action="period.dates_change",
            target=period,
            comment=comment,
            data={"changes": changes},
        )
    if any(f in changes for f in DEADLINE_FIELDS):
        _notify(period, before=before)


def _retire(period: ReportingPeriod, *, actor: User | None) -> None:
    audit_record(actor=actor, action="period.retire", target=period, data=_dates(period))
    period.delete()  # the calendar check refused this already if anything hangs on it


def _dates(period: ReportingPeriod) -> dict[str, str]:
    return {field: getattr(period, field).isoformat() for field in DATE_FIELDS}


def affected_consortia(*, period: ReportingPeriod, before: dict[str, str]) -> list[Consortium]:
    """Pilots of the program that report for the period under its old or its new due date, or
    that have a report for it already."""
    latest_due = max(period.due_date, dt.date.fromisoformat(before["due_date"]))
    return list(
        Consortium.objects.filter(
            Q(program_id=period.program_id, pilot_since__lt=latest_due) | Q(reports__period=period)
        )
        .select_related("program")
        .distinct()
        .order_by("pk")
    )


def _notify(period: ReportingPeriod, *, before: dict[str, str]) -> None:
    recipients = {
        user.pk: user
        for consortium in affected_consortia(period=period, before=before)
        for user in reminder_recipients(consortium=consortium)
    }
    if not recipients:
        return

    def day(value: str | dt.date) -> str:
        value = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return formats.date_format(value, "DATE_FORMAT")

    def message() -> tuple[str, str]:
        names = {"period": period.name, "program": period.program.short_name}
        subject = _("Reporting dates changed: %(period)s") % names
        body = _(
            "The Ministry of Industry and Information Technology changed the dates of the reporting "
            "period “%(period)s” of %(program)s. Entry opens: %(opens)s (was %(old_opens)s). "
            "Due date: %(due)s (was %(old_due)s). Entry locks after: %(locks)s (was %(old_locks)s)."
        ) % {
            **names,
            "opens": day(period.opens_on),
            "old_opens": day(before["opens_on"]),
            "due": day(period.due_date),
            "old_due": day(before["due_date"]),
            "locks": day(period.locks_on),
            "old_locks": day(before["locks_on"]),
        }
        return subject, body

    message_send_composed(
        kind="period_dates",
        compose=message,
        recipients=[recipients[pk] for pk in sorted(recipients)],
        url=reverse("reporting:report-index"),
    )
