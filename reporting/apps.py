from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Quarterly reporting")

    def ready(self) -> None:
        from portal.events import FIGURES_CHANGED, listen
        from portal.inbox import register, register_panel
        from reporting import demo  # noqa: F401  (registers the demo loader with portal.demo)
        from reporting.insights.rollups import rollup_on_figures_changed
        from reporting.periods.inbox import report_items, reports_panel

        register(report_items)
        register_panel(reports_panel)
        # Plans, reports and deliverables announce it (the list: portal/events.py).
        listen(FIGURES_CHANGED, rollup_on_figures_changed)
