"""``manage.py readiness [--only worker,beat]``: the checks of ``/readyz`` from the command line,
for a container's health check (docker-compose.yml) or an operator. Prints the JSON detail;
exits 1 when not ready."""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.health import CHECKS, readiness


class Command(BaseCommand):
    help = "Check the database, Redis, the worker's and beat's heartbeats and the disk."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", default="", help=f"Comma-separated subset of: {', '.join(CHECKS)}."
        )

    def handle(self, *args, only: str = "", **options):
        names = [name for name in only.split(",") if name]
        unknown = sorted(set(names) - set(CHECKS))
        if unknown:
            raise CommandError(f"unknown check(s): {', '.join(unknown)}")
        ready, detail = readiness(only=names or None)
        self.stdout.write(json.dumps(detail, indent=2))
        if not ready:
            raise CommandError("not ready", returncode=1)
