"""Reads of programs and the reference catalog."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import CalendarEntry, Program, ReferenceTask, TaskCategory


def program_list(*, active_only: bool = True) -> QuerySet[Program]:
    qs = Program.objects.prefetch_related("entity_types", "calendar")
    return qs.filter(is_active=True) if active_only else qs


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


def calendar_upcoming(
    *, kinds: list[str] | None = None, today: dt.date | None = None, horizon_days: int = 120
) -> QuerySet[CalendarEntry]:
    """Dated steps of active programs due from today up to the horizon."""
    today = today or timezone.localdate()
    qs = CalendarEntry.objects.select_related("program").filter(
        program__is_active=True,
        due_date__gte=today,
        due_date__lte=today + dt.timedelta(days=horizon_days),
    )
    return qs.filter(kind__in=kinds) if kinds else qs
