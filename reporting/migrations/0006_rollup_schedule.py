"""The nightly roll-up's beat schedule (django-celery-beat, editable in the admin), and the first
hand-in time of reports submitted before the field existed."""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

NAME = "Dashboard roll-ups (nightly)"
TASK = "reporting.tasks.rollup_nightly_task"


def seed(apps, schema_editor):
    apps.get_model("reporting", "ProgressReport").objects.filter(
        first_submitted_at__isnull=True, submitted_at__isnull=False
    ).update(first_submitted_at=F("submitted_at"))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    night, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": night,
            "enabled": True,
            "description": "Recomputes every active program's dashboard roll-ups, and redoes "
            "runs left unfinished by a worker that died.",
        },
    )
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_rollups_summaries_exports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
