"""The commitment statements live in their own table now (0006 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tasks_catalog", "0006_seed_plan_forms")]

    operations = [migrations.RemoveField(model_name="program", name="plan_commitments")]
