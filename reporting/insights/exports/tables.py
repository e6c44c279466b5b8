"""The exported tables: each built from the ``reporting.insights.dashboards`` selectors the
pages use (figures from the roll-ups, the rows behind a figure from the drill-downs), so a
download equals what the page shows. ``TABLES`` lists them."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.insights import dashboards as d
from reporting.insights.exports.cells import (
    consortium_cells,
    consortium_headers,
    entry_cells,
    entry_headers,
    late_cell,
    local,
    on_time_rate_cell,
    report_cells,
    report_headers,
    state_label,
    status_cells,
    status_headers,
    yes_no,
)
from reporting.insights.rollups import STATUSES
from reporting.periods.models import TaskProgress, TaskStatus
from reporting.periods.workflows import ReportState
from reporting.registry.kinds import KINDS, figure_kinds

Table = tuple[list[str], Iterable[list]]


def overview_figures(scope: d.Scope) -> list[tuple[str, str, Any]]:
    """The key figures as (key, translated name, value) rows, in the order the pages show them."""
    figures = d.overview(scope)
    reports, tasks, plans = figures["reports"], figures["tasks"], figures["plans"]
    deliverables = figures["deliverables"]
    rows: list[tuple[str, str, Any]] = [
        ("reports.expected", _("Reports expected"), reports["expected"]),
        ("reports.handed_in", _("Reports handed in"), reports["handed_in"]),
        ("reports.on_time", _("Handed in on time"), reports["on_time"]),
        ("reports.late", _("Handed in late"), late_cell(reports)),
        ("reports.overdue", _("Overdue"), reports["overdue"]),
        ("reports.not_started", _("Not started"), reports["not_started"]),
    ]
    rows += [
        (f"reports.{state}", str(label), reports[state]) for state, label in ReportState.choices
    ]
    rows += [
        ("reports.handed_in_rate", _("Handed-in rate (%)"), reports["handed_in_rate"]),
        ("reports.on_time_rate", _("On-time rate (%)"), on_time_rate_cell(reports)),
        ("tasks.selected", _("Tasks selected"), tasks["selected"]),
        ("tasks.reported", _("Tasks reported"), tasks["reported"]),
    ]
    rows += [(f"tasks.{s}", str(TaskStatus(s).label), tasks[s]) for s in STATUSES]
    rows += [
        ("tasks.nothing_to_report", _("Nothing to report"), tasks["nothing_to_report"]),
        ("tasks.mean_percent", _("Mean completion"), tasks["mean_percent"]),
    ]
    for kind, spec in figure_kinds(scope.program).items():
        rows.append((f"deliverables.{kind}", str(spec.label), deliverables[kind]["count"]))
    datasets = deliverables["dataset"]
    rows += [
        ("deliverables.dataset.records", _("Dataset records"), datasets["records"]),
        ("deliverables.dataset.size_bytes", _("Dataset size (bytes)"), datasets["size_bytes"]),
        ("deliverables.dataset.open_source", _("Datasets open-sourced"), datasets["open_source"]),
        (
            "deliverables.data_product.listed",
            _("Data products listed or traded"),
            deliverables["data_product"]["listed"],
        ),
        ("plans.recommended", _("Plans recommended"), plans["recommended"]),
        ("plans.in_quota", _("Plans counted against the quota"), plans["in_quota"]),
        ("plans.approved", _("Plans approved"), plans["approved"]),
        ("plans.quota", _("Recommendation quota"), plans["quota"]),
    ]
    return rows


def _overview(scope: d.Scope, options: Mapping[str, str]) -> Table:
    rows = [[key, name, value] for key, name, value in overview_figures(scope)]
    return [_("Key"), _("Figure"), _("Value")], rows


def _provinces(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [
        _("Province code"),
        _("Province"),
        *report_headers(),
        *status_headers(),
        _("Plans recommended"),
        _("Plans counted against the quota"),
        _("Plans approved"),
        _("Recommendation quota"),
        *[str(spec.label) for spec in figure_kinds(scope.program).values()],
    ]
    rows = [
        [
            row["authority"].code,
            row["authority"].region_name,
            *report_cells(row["reports"]),
            *status_cells(row["tasks"]),
            row["plans"]["recommended"],
            row["plans"]["in_quota"],
            row["plans"]["approved"],
            row["plans"]["quota"],
            *row["deliverables"].values(),
        ]
        for row in d.province_table(scope)
    ]
    return headers, rows


def _tasks(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [_("Task number"), _("Task category"), _("Task"), *status_headers()]
    rows = [
        [row["task"].number, row["task"].category.name, row["task"].title, *status_cells(row)]
        for row in d.task_table(scope)
    ]
    return headers, rows


def _categories(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [_("Category number"), _("Task category"), *status_headers()]
    rows = [
        [row["category"].number, row["category"].name, *status_cells(row)]
        for row in d.category_table(scope)
    ]
    return headers, rows


def _entity_types(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [_("Code"), _("Implementing-entity type"), *report_headers(), *status_headers()]
    rows = [
        [
            row["entity_type"].code,
            row["entity_type"].name,
            *report_cells(row["reports"]),
            *status_cells(row["tasks"]),
        ]
        for row in d.entity_type_table(scope)
    ]
    return headers, rows


def _trend(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [
        _("Period code"),
        _("Reporting period"),
        *report_headers(),
        _("Mean completion"),
        _("Tasks at risk or delayed"),
        _("Datasets (cumulative)"),
    ]
    rows = [
        [
            row["period"].code,
            row["period"].name,
            *report_cells(row["reports"]),
            row["tasks"]["mean_percent"],
            row["tasks"]["attention"],
            row["datasets"],
        ]
        for row in d.trend(scope)
    ]
    return headers, rows


def _deliverables(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [
        _("Kind"),
        _("Breakdown"),
        _("Code"),
        _("Label"),
        _("Count"),
        _("Records"),
        _("Size (bytes)"),
        _("Open-sourced"),
    ]
    rows: list[list] = []
    for kind, figures in d.deliverable_figures(scope).items():
        rows.append(
            [
                str(KINDS[kind].label),
                _("Total"),
                kind,
                str(KINDS[kind].label),
                figures["count"],
                figures["records"] if kind == "dataset" else None,
                figures["size_bytes"] if kind == "dataset" else None,
                figures["open_source"] if kind == "dataset" else None,
            ]
        )
    breakdown = d.deliverable_breakdown(scope)
    datasets, standards, scenarios = (
        str(KINDS[k].label) for k in ("dataset", "standard", "scenario")
    )
    for r in breakdown["datasets"]:
        rows.append(
            [
                datasets,
                _("Industry"),
                r["industry"],
                r["label"],
                r["count"],
                r["records"],
                r["size_bytes"],
                r["open_source"],
            ]
        )
    for r in breakdown["standards"]:
        rows.append(
            [
                standards,
                _("Level and stage"),
                f"{r['level']}/{r['stage']}",
                f"{r['level_label']} · {r['stage_label']}",
                r["count"],
                None,
                None,
                None,
            ]
        )
    for r in breakdown["scenarios"]:
        rows.append([scenarios, _("Stage"), r["stage"], r["label"], r["count"], None, None, None])
    return headers, rows


def _overdue(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [*consortium_headers(), _("Report state"), _("Due date")]
    due = scope.period.due_date.isoformat()
    rows = (
        [*consortium_cells(row), state_label(row.report_state), due]
        for row in d.overdue_reports(scope).iterator(chunk_size=2000)
    )
    return headers, rows


def _consortia(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [
        *consortium_headers(),
        _("Report state"),
        _("Handed in"),
        _("First handed in"),
        _("On time"),
        _("Overdue"),
        _("Tasks selected"),
        *[str(TaskStatus(s).label) for s in STATUSES],
        _("Nothing to report"),
        _("Mean completion"),
    ]

    def cells(row) -> list:
        mean = round(row.percent_sum / row.percent_count, 1) if row.percent_count else None
        return [
            *consortium_cells(row),
            state_label(row.report_state),
            yes_no(row.handed_in),
            local(row.first_submitted_at),
            yes_no(row.on_time),
            yes_no(row.overdue),
            row.selected,
            *[getattr(row, s) for s in STATUSES],
            row.nothing_to_report,
            mean,
        ]

    rows = consortia_in_scope(scope, options).iterator(chunk_size=2000)
    return headers, (cells(row) for row in rows)


def _at_risk(scope: d.Scope, options: Mapping[str, str]) -> Table:
    rows = (entry_cells(e) for e in d.at_risk_entries(scope).iterator(chunk_size=2000))
    return entry_headers(), rows


def consortia_in_scope(scope: d.Scope, options: Mapping[str, str]) -> QuerySet:
    """The consortia's roll-up rows; ``flag`` narrows them to a report figure, as the page does."""
    return d.report_rows(scope, flag=options.get("flag") or "expected")


def entries_in_scope(
    scope: d.Scope, options: Mapping[str, str] | None = None
) -> QuerySet[TaskProgress]:
    """The task entries behind the dashboard's task figures (``dashboards.entry_rows``: entries
    of the expected reports handed in for the scope's period), grouped by consortium.

    ``task`` (a number) and ``status`` (a task status, "attention" or "nothing_to_report")
    narrow them as on the entries page.
    """
    options = options or {}
    entries = d.entry_rows(
        scope, task=d.task_number(options.get("task")), status=options.get("status") or ""
    )
    return entries.select_related("report__consortium__entity_type").order_by(
        "report__consortium__authority__sort_order", "report_id", "task__number"
    )


def _entries(scope: d.Scope, options: Mapping[str, str]) -> Table:
    entries = entries_in_scope(scope, options).iterator(chunk_size=2000)
    rows = (entry_cells(e) for e in entries)
    return entry_headers(), rows


@dataclass(frozen=True)
class ExportTable:
    key: str
    label: Any  # lazy translated
    build: Callable[[d.Scope, Mapping[str, str]], Table]
    # Only for tables that may grow large: their row count.
    count: Callable[[d.Scope, Mapping[str, str]], int] | None = None
    options: tuple[str, ...] = ()  # filters of this table besides the dashboard's


TABLES: dict[str, ExportTable] = {
    t.key: t
    for t in [
        ExportTable("overview", gettext_lazy("Key figures"), _overview),
        ExportTable("provinces", gettext_lazy("Provinces"), _provinces),
        ExportTable("tasks", gettext_lazy("Reference tasks"), _tasks),
        ExportTable("categories", gettext_lazy("Task categories"), _categories),
        ExportTable("entity_types", gettext_lazy("Implementing-entity types"), _entity_types),
        ExportTable("trend", gettext_lazy("Trend"), _trend),
        ExportTable("deliverables", gettext_lazy("Deliverables"), _deliverables),
        ExportTable(
            "overdue",
            gettext_lazy("Overdue reports"),
            _overdue,
            lambda s, o: d.overdue_reports(s).count(),
        ),
        ExportTable(
            "at_risk",
            gettext_lazy("Tasks at risk or delayed"),
            _at_risk,
            lambda s, o: d.at_risk_entries(s).count(),
        ),
        ExportTable(
            "consortia",
            gettext_lazy("Consortia"),
            _consortia,
            lambda s, o: consortia_in_scope(s, o).count(),
            ("flag",),
        ),
        ExportTable(
            "entries",
            gettext_lazy("Report entries"),
            _entries,
            lambda s, o: entries_in_scope(s, o).count(),
            ("task", "status"),
        ),
    ]
}
