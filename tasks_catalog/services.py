"""Writes to programs' reference data that other apps follow: the calendar.

A program's calendar is the one source of truth for its dates. Every change goes through
``calendar_entry_save`` / ``calendar_entry_delete`` (the admin calls them), which write an audit
entry (``calendar.create`` / ``calendar.change`` / ``calendar.delete``) in the same transaction and
announce ``CALENDAR_CHANGED`` (``portal/events.py``); apps downstream follow it from there (the
reporting app keeps each reporting period equal to its calendar entry, see
``reporting/periods/calendar.py``) without this app importing them.

Apps downstream may also refuse a change they cannot follow (a period that reports already hang
on cannot be dropped): ``calendar_check_listen`` registers such a check; the admin's form shows
its messages before anything is saved, and the services run the checks again.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.events import CALENDAR_CHANGED, announce
from portal.models import User
from portal.services import audit_record

from .models import CalendarEntry, Program

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
        action = "calendar.create" if before is None else "calendar.change"
        audit_record(
            actor=actor,
            action=action,
            target=entry,
            data={"program": entry.program.code, "code": entry.code, "changes": changes},
        )
        announce(CALENDAR_CHANGED, action=action, target=entry, actor=actor)
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
    announce(CALENDAR_CHANGED, action="calendar.delete", target=entry, actor=actor)
    entry.delete()


def _copy_code(source: Program) -> str:
    base = f"{source.code}-copy"[:36]
    taken = set(Program.objects.filter(code__startswith=base).values_list("code", flat=True))
    return next(
        code for n in range(1, 1000) if (code := base if n == 1 else f"{base}{n}") not in taken
    )


@transaction.atomic
def program_copy(*, actor: User | None, source: Program) -> Program:
    """A new, inactive program that starts as a copy of ``source``: its wording, entity types,
    calendar, categories and reference tasks. The administrator then edits what differs; nothing
    a consortium did under the source is copied."""
    copy = Program.objects.get(pk=source.pk)
    copy.pk = None
    copy.code = _copy_code(source)
    copy.name_zh = f"{source.name_zh}（副本）"[:200]
    copy.name_en = f"{source.name_en} (copy)"[:300]
    copy.is_active = False
    copy.full_clean()
    copy.save()
    copy.key_industries.set(source.key_industries.all())
    for related in (
        *source.entity_types.all(),
        *source.plan_sections.all(),
        *source.commitment_statements.all(),
    ):
        related.pk, related.program = None, copy
        related.save()
    categories = {}
    for category in source.categories.all():
        old = category.pk
        category.pk, category.program = None, copy
        category.save()
        categories[old] = category
    for task in source.tasks.all():
        task.pk, task.program, task.category = None, copy, categories[task.category_id]
        task.save()
    for entry in source.calendar.all():
        entry.pk, entry.program = None, copy
        calendar_entry_save(actor=actor, entry=entry)
    audit_record(
        actor=actor,
        action="program.copy",
        target=copy,
        data={"from": source.code, "code": copy.code},
    )
    return copy
