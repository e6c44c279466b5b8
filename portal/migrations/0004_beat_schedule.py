"""The beat schedule lives in the database (django-celery-beat): the Ministry administrator edits
times in the admin ("Periodic tasks") without a deploy. Later apps add their jobs the same way."""

from django.db import migrations


def seed(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name="Retry failed e-mails (nightly)",
        defaults={"task": "portal.tasks.notification_retry_failed_task", "crontab": nightly, "enabled": True},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="portal.tasks.notification_retry_failed_task"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_notification"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
