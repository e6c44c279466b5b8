"""Reporting periods for the seeded programs, from their calendars: entry opens when the period
starts, is due on the calendar's due date, and locks 15 days later (editable in the admin)."""

import datetime as dt

from django.db import migrations

LOCK_AFTER_DAYS = 15


def seed(apps, schema_editor):
    CalendarEntry = apps.get_model("tasks_catalog", "CalendarEntry")
    ReportingPeriod = apps.get_model("reporting", "ReportingPeriod")
    for entry in CalendarEntry.objects.filter(kind__in=["report", "final"]).select_related("program"):
        start = entry.period_start or entry.program.start_date
        ReportingPeriod.objects.update_or_create(
            program=entry.program,
            code=entry.code,
            defaults={
                "calendar_entry": entry,
                "name_zh": entry.name_zh,
                "name_en": entry.name_en,
                "period_start": start,
                "period_end": entry.period_end or entry.due_date,
                "opens_on": start,
                "due_date": entry.due_date,
                "locks_on": entry.due_date + dt.timedelta(days=LOCK_AFTER_DAYS),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial"), ("tasks_catalog", "0004_seed_commitments")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
