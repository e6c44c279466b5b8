"""Writes to programs' reference data that other apps follow: the calendar.

A program's calendar is the one source of truth for its dates. Every change goes through
``calendar_entry_save`` / ``calendar_entry_delete`` (the admin calls them), which write an audit
entry (``calendar.create`` / ``calendar.change`` / ``calendar.delete``) in the same transaction;
apps downstream follow it from there (the reporting app keeps each reporting period equal to its
calendar entry, see ``reporting/periods/calendar.py``) without this app importing them.

Apps downstream may also refuse a change they cannot follow (a period that reports already hang
on cannot be dropped): ``calendar_check_listen`` registers such a check; the admin's form shows
its messages before anything is saved, and the services run the checks again.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import User
from portal.services import audit_record

from .models import CalendarEntry

# Called with (entry as it would be saved, deleting) -> list of messages; empty: the change is fine.
CalendarCheck = Callable[[CalendarEntry, bool], list[str]]
_calendar_checks: list[CalendarCheck] = []

# The fields whose change is recorded (and followed downstream).
CALENDAR_FIELDS = (
    "code",
    "kind",
    "name_zh",
    "name_en",
    "period_start",
    "period_end",
    "due_date",
    "sort_order",
)


def calendar_check_listen(check: CalendarCheck) -> None:
    if check not in _calendar_checks:
        _calendar_checks.append(check)


def calendar_entry_problems(entry: CalendarEntry, *, deleting: bool = False) -> list[str]:
    """Why this change cannot be made (messages from every app that follows the calendar)."""
    return [message for check in _calendar_checks for message in check(entry, deleting)]


def _check(entry: CalendarEntry, *, deleting: bool) -> None:
    if problems := calendar_entry_problems(entry, deleting=deleting):
        raise ValidationError(problems, code="calendar_in_use")


def _value(value) -> str | int | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def calendar_entry_save(*, actor: User | None, entry: CalendarEntry) -> CalendarEntry:
    """Save a calendar entry (new or changed) and record what changed."""
    entry.full_clean()
    _check(entry, deleting=False)
    before = CalendarEntry.objects.filter(pk=entry.pk).first() if entry.pk else None
    entry.save()
    changes = {
        field: [_value(getattr(before, field)) if before else None, _value(getattr(entry, field))]
        for field in CALENDAR_FIELDS
        if before is None or getattr(before, field) != getattr(entry, field)
    }
    if before is None or changes:
        audit_record(
            actor=actor,
            action="calendar.create" if before is None else "calendar.change",
            target=entry,
            data={"program": entry.program.code, "code": entry.code, "changes": changes},
        )
    return entry


@transaction.atomic
def calendar_entry_delete(*, actor: User | None, entry: CalendarEntry) -> None:
    """Delete a calendar entry; recorded before it goes (downstream follows on the audit entry)."""
    _check(entry, deleting=True)
    audit_record(
        actor=actor,
        action="calendar.delete",
        target=entry,
        data={
            "program": entry.program.code,
            "code": entry.code,
            "due_date": _value(entry.due_date),
        },
    )
    entry.delete()
