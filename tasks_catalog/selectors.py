"""Reads of programs and the reference catalog."""

import datetime as dt

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.prepared import Prepared
from portal.requestlocal import request_memo

from .models import CalendarEntry, PlanFormSection, Program, ReferenceTask, TaskCategory


def program_list(*, active_only: bool = True) -> QuerySet[Program]:
    qs = Program.objects.prefetch_related("entity_types", "calendar", "key_industries")
    return qs.filter(is_active=True) if active_only else qs


def active_programs_with_calendar() -> list[Program]:
    """The active programs, each with its calendar: what every home page reads for its programs
    panel, its inbox's deadlines and an authority's quotas. Read once per request
    (``request_memo``): no home page changes the catalog."""
    return request_memo("active_programs_with_calendar", _active_programs_with_calendar)


# Every home page reads them: prepared (portal.prepared), the calendars prefetched as before.
_active_programs = Prepared(lambda: program_list().prefetch_related(None))


def _active_programs_with_calendar() -> list[Program]:
    programs = _active_programs.all()
    prefetch_related_objects(programs, "calendar")
    return programs


def calendar_upcoming(
    programs: list[Program], *, kinds: list[str], today: dt.date, horizon_days: int = 120
) -> list[CalendarEntry]:
    """The dated steps of ``programs`` (their calendars already read:
    ``active_programs_with_calendar``) due from today up to the horizon, in the calendar's
    order: the programs' own, then each program's dates."""
    last = today + dt.timedelta(days=horizon_days)
    return [
        entry
        for program in programs
        for entry in program.calendar.all()
        if entry.kind in kinds and today <= entry.due_date <= last
    ]


def program_get_catalog(*, code: str) -> Program:
    """The program with categories and their tasks, ready for the grouped catalog page."""
    tasks = ReferenceTask.objects.order_by("number")
    categories = TaskCategory.objects.order_by("number").prefetch_related(
        Prefetch("tasks", queryset=tasks)
    )
    return Program.objects.prefetch_related(
        Prefetch("categories", queryset=categories), "entity_types", "calendar"
    ).get(code=code)


def reference_task_list(*, program: Program | None = None) -> QuerySet[ReferenceTask]:
    qs = ReferenceTask.objects.select_related("program", "category").order_by("program", "number")
    return qs.filter(program=program) if program else qs


def program_missing(*, program: Program) -> list[str]:
    """What a program still lacks before provinces can recommend consortia under it (the admin
    shows this list on the program's page; empty: the program is ready to open)."""
    missing = []
    calendar = list(program.calendar.all()) if program.pk else []
    if not any(e.kind in (CalendarEntry.Kind.REPORT, CalendarEntry.Kind.FINAL) for e in calendar):
        missing.append(_("a calendar with at least one reporting period or final summary"))
    if not program.pk or not program.entity_types.exists():
        missing.append(_("at least one implementing-entity type"))
    if program.plan_deadline and program.end_date and program.plan_deadline > program.end_date:
        missing.append(_("an implementation plan deadline before the program ends"))
    if not program.plan_form_subject_zh:
        missing.append(_("the subject printed on the plan form"))
    if not program.plan_commitment_text_zh:
        missing.append(_("the commitment text printed on the plan form"))
    if not program.pk or not program.commitment_statements.exists():
        missing.append(_("at least one commitment statement the lead unit confirms"))
    sections = set(program.plan_sections.values_list("key", flat=True)) if program.pk else set()
    if unworded := [label for key, label in PlanFormSection.Key.choices if key not in sections]:
        missing.append(
            _("the headings of the plan form's sections: %(sections)s")
            % {"sections": pgettext("list separator", "; ").join(str(s) for s in unworded)}
        )
    if program.uses_task_table and (not program.pk or not program.tasks.exists()):
        missing.append(_("a reference task table (categories and tasks)"))
    return missing
