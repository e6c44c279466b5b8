"""Home-page items from the catalog: the program deadlines each role is working towards."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.inbox import InboxItem, Panel
from portal.roles import HOME_AREA

from .models import CalendarEntry
from .selectors import active_programs_with_calendar, calendar_upcoming

SOON_DAYS = 14


def _level(days_left: int) -> str:
    if days_left < 0:
        return "danger"
    return "warning" if days_left <= SOON_DAYS else "info"


def _days_text(days_left: int) -> str:
    if days_left == 0:
        return _("due today")
    return _("%(days)d days left") % {"days": days_left}


def deadlines(user) -> list[InboxItem]:
    area = HOME_AREA.get(getattr(user, "role", ""))
    if area is None or area == "consortium":
        # A consortium's own report deadlines come from reporting, per consortium and period.
        return []
    today = timezone.localdate()
    items: list[InboxItem] = []
    programs = active_programs_with_calendar()  # the programs panel reads them too
    if area in ("ministry", "province"):
        for program in programs:
            days = (program.plan_deadline - today).days
            if 0 <= days <= 120:
                items.append(
                    InboxItem(
                        title=_("Implementation plans for “%(program)s” are due on %(date)s")
                        % {
                            "program": program.short_name,
                            "date": date_format(program.plan_deadline),
                        },
                        detail=_days_text(days),
                        url=reverse("tasks_catalog:program-detail", args=[program.code]),
                        due=program.plan_deadline,
                        level=_level(days),
                    )
                )
    kinds = [CalendarEntry.Kind.REPORT, CalendarEntry.Kind.FINAL]
    for entry in calendar_upcoming(programs, kinds=kinds, today=today):
        days = (entry.due_date - today).days
        items.append(
            InboxItem(
                title=_("“%(program)s”: %(period)s due on %(date)s")
                % {
                    "period": entry.name,
                    "program": entry.program.short_name,
                    "date": date_format(entry.due_date),
                },
                detail=_days_text(days),
                url=reverse("tasks_catalog:program-detail", args=[entry.program.code]),
                due=entry.due_date,
                level=_level(days),
            )
        )
    return items


def programs_panel(user, area: str) -> Panel:
    """Every home page lists the active programs with their quota and calendar."""
    return Panel(
        template="tasks_catalog/panel_programs.html",
        # The panel shows each program's calendar, nothing else of what program_list prefetches.
        context={
            "programs": active_programs_with_calendar(),
            "area": area,
        },
        order=50,
    )
