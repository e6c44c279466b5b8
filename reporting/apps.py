from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Quarterly reporting")

    def ready(self) -> None:
        from portal.inbox import register, register_panel
        from portal.services import audit_listen

        from . import demo  # noqa: F401  (registers the demo loader with portal.demo)
        from .inbox import report_items, reports_panel
        from .rollups import rollup_on_audit

        register(report_items)
        register_panel(reports_panel)
        audit_listen(rollup_on_audit)
