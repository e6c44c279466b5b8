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


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin whose site also asks for the second factor (``portal.otp``)."""

    default = False  # named in INSTALLED_APPS; ``portal`` itself keeps PortalConfig
    default_site = "portal.otp.TwoFactorAdminSite"
