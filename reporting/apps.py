from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Quarterly reporting")

    def ready(self) -> None:
        from portal.inbox import register

        from . import demo  # noqa: F401  (registers the demo loader with portal.demo)
        from .inbox import report_items

        register(report_items)
