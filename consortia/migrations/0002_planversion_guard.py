"""Submitted versions are insert-only in the database too (PostgreSQL trigger)."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION consortia_planversion_readonly() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'submitted plan versions cannot be changed';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consortia_planversion_no_update BEFORE UPDATE OR DELETE ON consortia_planversion
    FOR EACH ROW EXECUTE FUNCTION consortia_planversion_readonly();
"""
DROP = """
DROP TRIGGER IF EXISTS consortia_planversion_no_update ON consortia_planversion;
DROP FUNCTION IF EXISTS consortia_planversion_readonly();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("consortia", "0001_initial")]

    operations = [migrations.RunPython(guard, unguard)]
