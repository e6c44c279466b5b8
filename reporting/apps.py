from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Quarterly reporting")

    def ready(self) -> None:
        from portal.inbox import register, register_panel
        from portal.services import audit_listen
        from reporting import demo  # noqa: F401  (registers the demo loader with portal.demo)
        from reporting.insights.rollups import rollup_on_audit
        from reporting.periods.calendar import period_calendar_problems, period_follow_calendar
        from reporting.periods.inbox import report_items, reports_panel
        from tasks_catalog.services import calendar_check_listen

        # Reporting periods follow the programs' calendars (reporting/periods/calendar.py).
        audit_listen(period_follow_calendar)
        calendar_check_listen(period_calendar_problems)
        register(report_items)
        register_panel(reports_panel)
        audit_listen(rollup_on_audit)
