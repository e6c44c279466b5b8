from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Quarterly reporting")

    def ready(self) -> None:
        from importlib import import_module

        from portal.events import CALENDAR_CHANGED, FIGURES_CHANGED, listen
        from portal.inbox import register, register_panel
        from reporting import demo  # noqa: F401  (registers the demo loader with portal.demo)
        from reporting.evaluation.inbox import evaluation_items
        from reporting.insights.rollups import rollup_on_figures_changed
        from reporting.periods.calendar import period_calendar_problems, period_follow_calendar
        from reporting.periods.inbox import report_items, reports_panel
        from tasks_catalog.services import calendar_check_listen

        # Demo loaders run in the order they register (portal.demo): the progress reports
        # (reporting.demo, imported above), then the final summaries, then the evaluations,
        # which select typical cases of those summaries.
        import_module("reporting.final.demo")
        import_module("reporting.evaluation.demo")

        # Reporting periods follow the programs' calendars (reporting/periods/calendar.py).
        listen(CALENDAR_CHANGED, period_follow_calendar)
        calendar_check_listen(period_calendar_problems)
        register(report_items)
        register(evaluation_items)
        register_panel(reports_panel)
        # Plans, reports and deliverables announce it (the list: portal/events.py).
        listen(FIGURES_CHANGED, rollup_on_figures_changed)
        # The jobs the sweeper looks after (portal/jobs.py), each with the task that runs it.
        from portal.jobs import job_kind_register
        from reporting.closing.models import ClosingDocument
        from reporting.closing.services import RENDER_TASK as CLOSING_TASK
        from reporting.insights.exports.services import RENDER_TASK as EXPORT_TASK
        from reporting.insights.models import ExportJob, RollupRun, SummaryDocument
        from reporting.insights.rollups import RUN_TASK
        from reporting.insights.summaries import RENDER_TASK as SUMMARY_TASK

        job_kind_register(RollupRun, task=RUN_TASK)
        job_kind_register(SummaryDocument, task=SUMMARY_TASK)
        job_kind_register(ExportJob, task=EXPORT_TASK)
        job_kind_register(ClosingDocument, task=CLOSING_TASK)
