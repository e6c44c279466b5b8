"""Reads of final summary reports that depend on who asks."""

from django.db.models import QuerySet
from django.http import Http404

from consortia.models import Consortium
from consortia.selectors import consortium_get_for, consortium_list_visible_to
from reporting.final.models import FinalReport
from reporting.periods.models import ReportingPeriod
from tasks_catalog.models import CalendarEntry, Program


def final_period_for(*, program: Program) -> ReportingPeriod | None:
    """The program's final period: the one its calendar entry of kind ``final`` created
    (``reporting/periods/calendar.py``); None while the calendar has none."""
    return (
        ReportingPeriod.objects.filter(
            program=program, calendar_entry__kind=CalendarEntry.Kind.FINAL
        )
        .order_by("-due_date")
        .first()
    )


def final_list_visible_to(*, user, program: Program | None = None) -> QuerySet[FinalReport]:
    qs = FinalReport.objects.filter(consortium__in=consortium_list_visible_to(user=user))
    if program is not None:
        qs = qs.filter(consortium__program=program)
    return qs.select_related("consortium__authority", "consortium__program", "period")


def final_pilots_visible_to(*, user, program: Program) -> QuerySet[Consortium]:
    return (
        consortium_list_visible_to(user=user)
        .filter(program=program, pilot_since__isnull=False)
        .select_related("authority")
        .order_by("authority__sort_order", "name")
    )


def final_get_for(*, user, consortium_pk) -> tuple[Consortium, ReportingPeriod, FinalReport | None]:
    """The consortium (404 if the user may not see it, or it is no pilot), its program's final
    period (404 if the program has none) and its final summary (None until started)."""
    consortium = consortium_get_for(user=user, pk=consortium_pk)
    if not consortium.is_pilot:
        raise Http404
    period = final_period_for(program=consortium.program)
    if period is None:
        raise Http404
    report = (
        FinalReport.objects.select_related("consortium__authority", "period", "baseline")
        .filter(consortium=consortium, period=period)
        .first()
    )
    return consortium, period, report


def final_version_list(*, report: FinalReport):
    return report.versions.select_related("submitted_by").order_by("number")
