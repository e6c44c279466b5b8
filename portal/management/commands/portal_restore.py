"""Restore a backup made by portal_backup: verified before and after (portal.backup)."""

from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup of portal_backup into the portal's database and media storage (or the "
        "ones given). Every digest is checked before anything changes and every restored file "
        "is read back. Stop the web, worker and beat processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the backup's folder (with manifest.json)")
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of DATABASE_URL (e.g. a scratch one, to drill)",
        )
        parser.add_argument(
            "--media-root",
            help="restore the media files into this local folder instead of the portal's storage",
        )
        parser.add_argument(
            "--verify-only", action="store_true", help="check the backup, change nothing"
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        try:
            if options["verify_only"]:
                manifest = backup_verify(directory=directory)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{directory} is complete and intact: made {manifest['created_at']} by "
                        f"portal {manifest['portal']['version']}, {manifest['media']['count']} "
                        "media file(s)."
                    )
                )
                return
            storage = (
                FileSystemStorage(location=options["media_root"]) if options["media_root"] else None
            )
            result = backup_restore(
                directory=directory,
                database_url=options["database_url"],
                storage=storage,
                log=self.stdout.write,
                confirm=self.confirm if options["interactive"] else None,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {result.manifest['created_at']}: the database and "
                f"{result.files} media file(s), every digest checked again."
            )
        )
        if result.extra_files:
            self.stdout.write(
                f"{result.extra_files} file(s) in the storage are not in the backup; they were "
                "left in place."
            )
        if result.pending_migrations:
            self.stdout.write(
                f"{len(result.pending_migrations)} migration(s) of this version are not applied "
                "yet: run `manage.py migrate` (./dev web does it when it starts)."
            )

    def confirm(self, manifest, target: str) -> bool:
        answer = input(
            f"The backup of {manifest['created_at']} is intact. Restoring it replaces every table "
            f"of {target} and writes back {manifest['media']['count']} media file(s). "
            "Type 'yes' to go on: "
        )
        return answer.strip().lower() == "yes"
