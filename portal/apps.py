from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="portal.sync_role_groups")

        # Security audit: auth signals, admin changes, the retention setting's check.
        from . import audit_archive, security_audit

        security_audit.connect_admin_log()
        audit_archive.register_checks()
