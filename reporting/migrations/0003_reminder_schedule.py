"""The report reminders' beat schedule, in the database (django-celery-beat): a Ministry
administrator changes the time or the offsets (kwargs, days before the due date) in the admin
("Periodic tasks") without a deploy. An existing row is left as the administrator set it."""

from django.db import migrations
from django.utils import timezone

NAME = "Report reminders (daily)"
TASK = "reporting.tasks.reminders_send_task"


def seed(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="8", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": morning,
            "kwargs": '{"offsets": [14, 3]}',
            "enabled": True,
            "description": "Reminds consortium leads and their province of progress reports "
            "due in N days (offsets), due today, and overdue.",
        },
    )
    _tell_running_beat(apps)


def _tell_running_beat(apps):
    """A running beat reloads its schedule when this timestamp changes (the admin does the same)."""
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()
    _tell_running_beat(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_periods_from_calendar"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
