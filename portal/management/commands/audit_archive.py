"""Move audit entries older than ``AUDIT_RETENTION_DAYS`` into a verified archive.

    manage.py audit_archive            # only says what it would archive
    manage.py audit_archive --commit   # writes the archive and manifest, verifies, then deletes

A thin caller of ``portal.audit_archive.audit_archive``; see there for the archive's format.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.audit_archive import ArchiveError, audit_archive, result_dict


class Command(BaseCommand):
    help = (
        "Archive audit entries older than AUDIT_RETENTION_DAYS to AUDIT_ARCHIVE_DIR (gzip JSON "
        "lines + SHA-256 manifest), verify the archive, then delete them. Dry run unless --commit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--commit", action="store_true", help="Write the archive and delete the rows."
        )
        parser.add_argument("--archive-dir", default=None, help="Instead of AUDIT_ARCHIVE_DIR.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, commit=False, archive_dir=None, json=False, **options):
        try:
            result = audit_archive(commit=commit, archive_dir=archive_dir)
        except ArchiveError as exc:
            raise CommandError(f"Nothing deleted: {exc}") from exc
        if json:
            self.stdout.write(_dumps(result_dict(result)))
            return
        if not result.entries:
            self.stdout.write(f"No audit entry older than {result.cutoff}.")
        elif not result.committed:
            self.stdout.write(
                f"Would archive {result.entries} audit entries (ids {result.first_id}–"
                f"{result.last_id}, {result.oldest} to {result.newest}), older than "
                f"{result.cutoff}. Run with --commit to archive and delete them."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Archived {result.entries} audit entries to {result.archive} "
                    f"(SHA-256 {result.sha256}, manifest {result.manifest}); deleted "
                    f"{result.deleted}."
                )
            )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
