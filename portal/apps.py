from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="portal.sync_role_groups")

        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .lockouts import record_lockout
        from .passwords import session_start
        from .tokens import revoke_on_logout

        user_locked_out.connect(record_lockout, dispatch_uid="portal.record_lockout")
        user_logged_in.connect(session_start, dispatch_uid="portal.session_start")
        user_logged_out.connect(revoke_on_logout, dispatch_uid="portal.revoke_on_logout")

        # Security audit: auth signals, admin changes, the retention setting's check.
        from . import audit_archive, security_audit

        security_audit.connect_admin_log()
        audit_archive.register_checks()


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin whose site also asks for the second factor (``portal.otp``)."""

    default = False  # named in INSTALLED_APPS; ``portal`` itself keeps PortalConfig
    default_site = "portal.otp.TwoFactorAdminSite"
