"""Load demo users for every role (idempotent). Refuses to run with production settings.

Later apps extend the demo through ``portal.demo.register``: each registered loader runs
after the users exist and adds its own data (consortia, plans, reports …).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_loaders, ensure_demo_users


class Command(BaseCommand):
    help = "Load demo users for every role and demo data for every app. Never in production."

    def handle(self, *args, **options):
        if getattr(settings, "PORTAL_ENVIRONMENT", "production") == "production":
            raise CommandError("Demo data is never loaded with production settings.")
        with transaction.atomic():
            users = ensure_demo_users()
            for loader in demo_loaders():
                loader(users=users, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for user in users.values():
            self.stdout.write(
                f"  {user.username:<12} {user.get_role_display()} — {user.organisation.name_zh}"
            )
        state = "on" if settings.OTP_REQUIRED else "off (OTP_REQUIRED=1 turns it on)"
        self.stdout.write(
            f"Two factors for {', '.join(settings.OTP_REQUIRED_ROLES)}: {state}. "
            f"Their demo authenticator secret (TOTP, 6 digits, 30 s): {DEMO_TOTP_SECRET}"
        )
