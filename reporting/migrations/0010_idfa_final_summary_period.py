"""64号 (``idfa-2026``) gets its final summary (总结报告): a calendar entry of kind ``final`` after
Q4, and its reporting period as ``reporting/periods/calendar.py`` makes one (span and due date from
the calendar, locks 15 days after the due date). The final summary covers the whole pilot (the
program's start to 2026-12-31); it is due on 2027-01-31; entry opens on 2026-12-01, so the form is
there when Q4's work is done, not from the program's first day."""

import datetime as dt

from django.db import migrations

LOCK_AFTER_DAYS = 15
CODE = "final"
DUE = dt.date(2027, 1, 31)
OPENS = dt.date(2026, 12, 1)
END = dt.date(2026, 12, 31)


def seed(apps, schema_editor):
    Program = apps.get_model("tasks_catalog", "Program")
    CalendarEntry = apps.get_model("tasks_catalog", "CalendarEntry")
    ReportingPeriod = apps.get_model("reporting", "ReportingPeriod")
    program = Program.objects.filter(code="idfa-2026").first()
    if program is None:
        return
    last = CalendarEntry.objects.filter(program=program).order_by("-sort_order").first()
    entry, _created = CalendarEntry.objects.update_or_create(
        program=program,
        code=CODE,
        defaults={
            "kind": "final",
            "name_zh": "2026年度工作总结报告",
            "name_en": "2026 final summary report",
            "period_start": program.start_date,
            "period_end": END,
            "due_date": DUE,
            "sort_order": (last.sort_order if last else 0) + 1,
        },
    )
    ReportingPeriod.objects.update_or_create(
        program=program,
        code=CODE,
        defaults={
            "calendar_entry": entry,
            "name_zh": entry.name_zh,
            "name_en": entry.name_en,
            "period_start": entry.period_start,
            "period_end": entry.period_end,
            "opens_on": OPENS,
            "due_date": DUE,
            "locks_on": DUE + dt.timedelta(days=LOCK_AFTER_DAYS),
        },
    )


def remove(apps, schema_editor):
    ReportingPeriod = apps.get_model("reporting", "ReportingPeriod")
    CalendarEntry = apps.get_model("tasks_catalog", "CalendarEntry")
    ReportingPeriod.objects.filter(program__code="idfa-2026", code=CODE).delete()
    CalendarEntry.objects.filter(program__code="idfa-2026", code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0009_final_summary"),
        ("tasks_catalog", "0008_program_amendment_requires_scan"),
    ]

    operations = [migrations.RunPython(seed, remove)]
