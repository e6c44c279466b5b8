"""The cells of the exported tables: translated headers, labels next to codes, numbers kept
numbers (rates as percentages with one decimal, e.g. 75.0)."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.insights import dashboards as d
from reporting.insights.rollups import STATUSES
from reporting.periods.models import TaskProgress, TaskStatus
from reporting.periods.workflows import ReportState


def state_label(state: str) -> str:
    return str(ReportState(state).label) if state in ReportState.values else _("Not started")


def status_label(entry_status: str, nothing_to_report: bool = False) -> str:
    if nothing_to_report:
        return _("Nothing to report")
    return str(TaskStatus(entry_status).label) if entry_status in TaskStatus.values else ""


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def status_headers() -> list[str]:
    return [
        _("Tasks selected"),
        _("Tasks reported"),
        *[str(TaskStatus(s).label) for s in STATUSES],
        _("Nothing to report"),
        _("Mean completion"),
    ]


def status_cells(tasks: Mapping) -> list:
    return [
        tasks["selected"],
        tasks["reported"],
        *[tasks[s] for s in STATUSES],
        tasks["nothing_to_report"],
        tasks["mean_percent"],
    ]


def report_headers() -> list[str]:
    return [
        _("Reports expected"),
        _("Reports handed in"),
        _("Handed in on time"),
        _("Overdue"),
        _("Handed-in rate (%)"),
        _("On-time rate (%)"),
    ]


def on_time_rate_cell(reports: Mapping) -> Any:
    """The rate as a number, or "not yet due" (translated) before the period's due date."""
    if reports["on_time_rate_status"] == d.RATE_NOT_YET_DUE:
        return d.not_yet_due_text()
    return reports["on_time_rate"]


def late_cell(reports: Mapping) -> Any:
    return d.not_yet_due_text() if reports["late"] is None else reports["late"]


def report_cells(reports: Mapping) -> list:
    return [
        reports["expected"],
        reports["handed_in"],
        reports["on_time"],
        reports["overdue"],
        reports["handed_in_rate"],
        on_time_rate_cell(reports),
    ]


def consortium_headers() -> list[str]:
    return [
        _("Consortium ID"),
        _("Consortium"),
        _("Province code"),
        _("Province"),
        _("Implementing-entity type"),
    ]


def consortium_cells(row) -> list:
    return [
        row.consortium_id,
        row.consortium.name,
        row.authority.code,
        row.authority.region_name,
        row.entity_type.name,
    ]


def entry_headers() -> list[str]:
    return [
        _("Consortium"),
        _("Province"),
        _("Implementing-entity type"),
        _("Reporting period"),
        _("Report state"),
        _("Task number"),
        _("Task"),
        _("Nothing to report"),
        _("Status"),
        _("Percent complete"),
        _("Work done this period"),
        _("Plan for the next period"),
        _("Problems and support needed"),
    ]


def entry_cells(entry: TaskProgress) -> list:
    report = entry.report
    return [
        report.consortium.name,
        report.consortium.authority.region_name,
        report.consortium.entity_type.name,
        report.period.name,
        state_label(report.state),
        entry.task.number,
        entry.task.title,
        yes_no(entry.nothing_to_report),
        status_label(entry.status),
        entry.percent,
        entry.work_done,
        entry.next_plan,
        entry.problems,
    ]
