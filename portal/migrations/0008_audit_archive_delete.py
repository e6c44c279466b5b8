"""The audit log's database guard lets a DELETE through only for the archive (portal/audit_archive.py).

The trigger of 0002 refused every UPDATE and DELETE. Now a DELETE passes when the transaction
has ``SET LOCAL portal.audit_archiving = 'on'``, which only the archive service does, after it
has written and verified the archive; UPDATE is refused as before, and so is any other DELETE.
"""

from django.db import migrations

ALLOW_ARCHIVE_SQL = """
CREATE OR REPLACE FUNCTION portal_auditentry_readonly() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('portal.audit_archiving', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are insert-only';
END;
$$ LANGUAGE plpgsql;
"""

REFUSE_ALL_SQL = """
CREATE OR REPLACE FUNCTION portal_auditentry_readonly() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are insert-only';
END;
$$ LANGUAGE plpgsql;
"""


def allow_archive(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_ARCHIVE_SQL)


def refuse_all(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_ALL_SQL)


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_security_passwords_and_tokens")]

    operations = [migrations.RunPython(allow_archive, refuse_all)]
