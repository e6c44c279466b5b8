"""Back up the database and the media files with a manifest of SHA-256 digests (portal.backup)."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or SQLite's online backup) and every media "
        "file, with a manifest of SHA-256 digests, into a new folder (default var/backups/<time>)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="a new or empty folder for the backup")

    def handle(self, *args, **options):
        directory = options["directory"] or (
            Path(settings.BASE_DIR)
            / "var"
            / "backups"
            / dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        )
        try:
            manifest = backup_create(directory=Path(directory), log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = manifest["media"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {directory}: the {manifest['database']['engine']} database "
                f"({manifest['database']['size']} bytes) and {media['count']} media file(s) "
                f"({media['bytes']} bytes)."
            )
        )
        self.stdout.write(
            "Check it with `manage.py portal_restore --verify-only DIR`; keep a copy off-site."
        )
