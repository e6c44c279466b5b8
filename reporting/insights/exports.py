"""Dashboard tables as CSV or Excel: byte builders, the tables, and background export jobs.

Every table is built from the same ``reporting.insights.dashboards`` selectors as the pages, so a
download equals what the page shows. Small tables download at once; the raw report entries
(and any table over ``DIRECT_ROW_LIMIT`` rows) become an ``ExportJob`` run by Celery, which
checks the requesting user's scope again when it runs.

Cells: numbers stay numbers (rates as percentages with one decimal, e.g. 75.0), choices are
their translated labels next to their codes where a code helps, headers are translated.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.jobs import dispatch_on_commit
from portal.spreadsheets import csv_bytes, xlsx_bytes
from portal.uploads import files_cleanup_on_error, store_file, stored_file_response
from reporting.insights import dashboards as d
from reporting.insights.models import ExportJob, JobStatus
from reporting.insights.rollups import STATUSES
from reporting.periods.expectations import expected_q
from reporting.periods.models import TaskProgress, TaskStatus
from reporting.periods.workflows import ReportState
from reporting.registry.kinds import KINDS

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
#: The filters a table export understands (those of the dashboard pages).
FILTERS = ("program", "period", "province", "entity_type", "category", "industry")
#: Tables with more rows than this are exported in the background.
DIRECT_ROW_LIMIT = 5000
#: Tables always exported in the background.
BACKGROUND_TABLES = frozenset({"entries"})
EXCEL_MAX_ROWS = 1_048_575


# --- bytes from (headers, rows): portal.spreadsheets ----------------------------------------------


def file_bytes(fmt: str, title: str, headers: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    if fmt == "csv":
        return csv_bytes(headers, rows)
    if fmt == "xlsx":
        return xlsx_bytes(title, headers, rows)
    raise _unknown_format()


# --- cells ---------------------------------------------------------------------------------------


def _state_label(state: str) -> str:
    return str(ReportState(state).label) if state in ReportState.values else _("Not started")


def _status_label(entry_status: str, nothing_to_report: bool = False) -> str:
    if nothing_to_report:
        return _("Nothing to report")
    return str(TaskStatus(entry_status).label) if entry_status in TaskStatus.values else ""


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _status_headers() -> list[str]:
    return [
        _("Tasks selected"),
        _("Tasks reported"),
        *[str(TaskStatus(s).label) for s in STATUSES],
        _("Nothing to report"),
        _("Mean completion"),
    ]


def _status_cells(tasks: Mapping) -> list:
    return [
        tasks["selected"],
        tasks["reported"],
        *[tasks[s] for s in STATUSES],
        tasks["nothing_to_report"],
        tasks["mean_percent"],
    ]


def _report_headers() -> list[str]:
    return [
        _("Reports expected"),
        _("Reports handed in"),
        _("Handed in on time"),
        _("Overdue"),
        _("Handed-in rate (%)"),
        _("On-time rate (%)"),
    ]


def _on_time_rate_cell(reports: Mapping) -> Any:
    """The rate as a number, or "not yet due" (translated) before the period's due date."""
    if reports["on_time_rate_status"] == d.RATE_NOT_YET_DUE:
        return d.not_yet_due_text()
    return reports["on_time_rate"]


def _late_cell(reports: Mapping) -> Any:
    return d.not_yet_due_text() if reports["late"] is None else reports["late"]


def _report_cells(reports: Mapping) -> list:
    return [
        reports["expected"],
        reports["handed_in"],
        reports["on_time"],
        reports["overdue"],
        reports["handed_in_rate"],
        _on_time_rate_cell(reports),
    ]


# --- the tables ----------------------------------------------------------------------------------

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
        ("reports.late", _("Handed in late"), _late_cell(reports)),
        ("reports.overdue", _("Overdue"), reports["overdue"]),
        ("reports.not_started", _("Not started"), reports["not_started"]),
    ]
    rows += [
        (f"reports.{state}", str(label), reports[state]) for state, label in ReportState.choices
    ]
    rows += [
        ("reports.handed_in_rate", _("Handed-in rate (%)"), reports["handed_in_rate"]),
        ("reports.on_time_rate", _("On-time rate (%)"), _on_time_rate_cell(reports)),
        ("tasks.selected", _("Tasks selected"), tasks["selected"]),
        ("tasks.reported", _("Tasks reported"), tasks["reported"]),
    ]
    rows += [(f"tasks.{s}", str(TaskStatus(s).label), tasks[s]) for s in STATUSES]
    rows += [
        ("tasks.nothing_to_report", _("Nothing to report"), tasks["nothing_to_report"]),
        ("tasks.mean_percent", _("Mean completion"), tasks["mean_percent"]),
    ]
    for kind, spec in KINDS.items():
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
        *_report_headers(),
        *_status_headers(),
        _("Plans recommended"),
        _("Plans counted against the quota"),
        _("Plans approved"),
        _("Recommendation quota"),
        *[str(spec.label) for spec in KINDS.values()],
    ]
    rows = [
        [
            row["authority"].code,
            row["authority"].region_name,
            *_report_cells(row["reports"]),
            *_status_cells(row["tasks"]),
            row["plans"]["recommended"],
            row["plans"]["in_quota"],
            row["plans"]["approved"],
            row["plans"]["quota"],
            *[row["deliverables"][k] for k in KINDS],
        ]
        for row in d.province_table(scope)
    ]
    return headers, rows


def _tasks(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [_("Task number"), _("Task category"), _("Task"), *_status_headers()]
    rows = [
        [row["task"].number, row["task"].category.name, row["task"].title, *_status_cells(row)]
        for row in d.task_table(scope)
    ]
    return headers, rows


def _categories(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [_("Category number"), _("Task category"), *_status_headers()]
    rows = [
        [row["category"].number, row["category"].name, *_status_cells(row)]
        for row in d.category_table(scope)
    ]
    return headers, rows


def _entity_types(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [_("Code"), _("Implementing-entity type"), *_report_headers(), *_status_headers()]
    rows = [
        [
            row["entity_type"].code,
            row["entity_type"].name,
            *_report_cells(row["reports"]),
            *_status_cells(row["tasks"]),
        ]
        for row in d.entity_type_table(scope)
    ]
    return headers, rows


def _trend(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [
        _("Period code"),
        _("Reporting period"),
        *_report_headers(),
        _("Mean completion"),
        _("Tasks at risk or delayed"),
        _("Datasets (cumulative)"),
    ]
    rows = [
        [
            row["period"].code,
            row["period"].name,
            *_report_cells(row["reports"]),
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


def _consortium_headers() -> list[str]:
    return [
        _("Consortium ID"),
        _("Consortium"),
        _("Province code"),
        _("Province"),
        _("Implementing-entity type"),
    ]


def _consortium_cells(row) -> list:
    return [
        row.consortium_id,
        row.consortium.name,
        row.authority.code,
        row.authority.region_name,
        row.entity_type.name,
    ]


def _overdue(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [*_consortium_headers(), _("Report state"), _("Due date")]
    due = scope.period.due_date.isoformat()
    rows = (
        [*_consortium_cells(row), _state_label(row.report_state), due]
        for row in d.overdue_reports(scope).iterator(chunk_size=2000)
    )
    return headers, rows


def _consortia(scope: d.Scope, options: Mapping[str, str]) -> Table:
    headers = [
        *_consortium_headers(),
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
            *_consortium_cells(row),
            _state_label(row.report_state),
            _yes_no(row.handed_in),
            _local(row.first_submitted_at),
            _yes_no(row.on_time),
            _yes_no(row.overdue),
            row.selected,
            *[getattr(row, s) for s in STATUSES],
            row.nothing_to_report,
            mean,
        ]

    rows = consortia_in_scope(scope, options).iterator(chunk_size=2000)
    return headers, (cells(row) for row in rows)


def _entry_headers() -> list[str]:
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


def _entry_cells(entry: TaskProgress) -> list:
    report = entry.report
    return [
        report.consortium.name,
        report.consortium.authority.region_name,
        report.consortium.entity_type.name,
        report.period.name,
        _state_label(report.state),
        entry.task.number,
        entry.task.title,
        _yes_no(entry.nothing_to_report),
        _status_label(entry.status),
        entry.percent,
        entry.work_done,
        entry.next_plan,
        entry.problems,
    ]


def _at_risk(scope: d.Scope, options: Mapping[str, str]) -> Table:
    rows = (_entry_cells(e) for e in d.at_risk_entries(scope).iterator(chunk_size=2000))
    return _entry_headers(), rows


def consortia_in_scope(scope: d.Scope, options: Mapping[str, str]) -> QuerySet:
    """The consortia's roll-up rows; ``flag`` narrows them to a report figure, as the page does."""
    return d.report_rows(scope, flag=options.get("flag") or "expected")


def entries_in_scope(
    scope: d.Scope, options: Mapping[str, str] | None = None
) -> QuerySet[TaskProgress]:
    """Every task entry of every expected report of the scope's period, whatever its state.

    ``task`` (a number) and ``status`` (a task status, "attention" or "nothing_to_report")
    narrow them as on the entries page.
    """
    options = options or {}
    qs = TaskProgress.objects.filter(
        expected_q(today=timezone.localdate(), prefix="report__"),
        report__period=scope.period,
        report__consortium__program=scope.program,
    ).select_related(
        "report__consortium__authority",
        "report__consortium__entity_type",
        "report__period",
        "task",
    )
    if scope.authority is not None:
        qs = qs.filter(report__consortium__authority=scope.authority)
    if scope.entity_type is not None:
        qs = qs.filter(report__consortium__entity_type=scope.entity_type)
    if scope.category is not None:
        qs = qs.filter(task__category=scope.category)
    if task := options.get("task"):
        if not task.isdigit():
            raise _refusal("task", _("Unknown task."), "invalid_filter")
        qs = qs.filter(task__number=int(task))
    status = options.get("status") or ""
    if status == "attention":
        qs = qs.filter(nothing_to_report=False, status__in=["at_risk", "delayed"])
    elif status == "nothing_to_report":
        qs = qs.filter(nothing_to_report=True)
    elif status:
        if status not in STATUSES:
            raise _refusal("status", _("Unknown task status."), "invalid_filter")
        qs = qs.filter(nothing_to_report=False, status=status)
    return qs.order_by("report__consortium__authority__sort_order", "report_id", "task__number")


def _entries(scope: d.Scope, options: Mapping[str, str]) -> Table:
    entries = entries_in_scope(scope, options).iterator(chunk_size=2000)
    rows = (_entry_cells(e) for e in entries)
    return _entry_headers(), rows


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


# --- checking a request --------------------------------------------------------------------------


def _refusal(field: str, message: str, code: str) -> ValidationError:
    """A field error that keeps its code (a dict of plain messages would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _unknown_format() -> ValidationError:
    return _refusal("format", _("Unknown format. Choose “csv” or “xlsx”."), "invalid_format")


def export_check(*, table: str, fmt: str, params: Mapping[str, Any]) -> dict[str, str]:
    """The table, format and filters are known; returns the non-empty filters.

    Raises ``ValidationError`` (codes ``invalid_table``, ``invalid_format``, ``invalid_filter``).
    """
    if table not in TABLES:
        raise _refusal("table", _("Unknown table."), "invalid_table")
    if fmt not in FORMATS:
        raise _unknown_format()
    allowed = set(FILTERS) | set(TABLES[table].options)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise _refusal(
            unknown[0],
            _("Unknown filter “%(name)s”.") % {"name": unknown[0]},
            "invalid_filter",
        )
    return {k: str(v).strip() for k, v in params.items() if v is not None and str(v).strip()}


def _split(filters: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The dashboard's filters (for ``scope_for``) and the table's own options."""
    scope = {k: v for k, v in filters.items() if k in FILTERS}
    return scope, {k: v for k, v in filters.items() if k not in FILTERS}


def export_scope(*, user, filters: Mapping[str, str]) -> tuple[d.Scope, dict[str, str]]:
    """The user's scope for these filters (``PermissionDenied``/``ValidationError``) and options."""
    scope_filters, options = _split(filters)
    if options.get("flag") and options["flag"] not in d.REPORT_FLAGS:
        raise _refusal("flag", _("Unknown figure."), "invalid_filter")
    return d.scope_for(user=user, params=scope_filters), options


def export_filename(*, table: str, scope: d.Scope, fmt: str) -> str:
    where = scope.authority.code if scope.authority else "national"
    return f"{table}-{scope.program.code}-{scope.period.code}-{where}-{timezone.localdate():%Y%m%d}.{fmt}"


def export_needs_job(*, table: str, scope: d.Scope, options: Mapping[str, str]) -> bool:
    """Whether the table goes to a background job rather than straight to the browser."""
    spec = TABLES[table]
    if table in BACKGROUND_TABLES:
        return True
    return spec.count is not None and spec.count(scope, options) > DIRECT_ROW_LIMIT


def export_build(
    *, table: str, scope: d.Scope, fmt: str, options: Mapping[str, str] | None = None
) -> tuple[bytes, int]:
    """The file's bytes and its number of data rows."""
    spec = TABLES[table]
    headers, rows = spec.build(scope, options or {})
    counted = [0]

    def counting(rows: Iterable[list]) -> Iterable[list]:
        for row in rows:
            counted[0] += 1
            if fmt == "xlsx" and counted[0] > EXCEL_MAX_ROWS:
                raise ValidationError(
                    _("Too many rows for one Excel sheet: download it as CSV."), code="too_large"
                )
            yield row

    content = file_bytes(fmt, str(spec.label), headers, counting(rows))
    return content, counted[0]


# --- background jobs -----------------------------------------------------------------------------


def export_request(*, actor, table: str, params: Mapping[str, str], format: str) -> ExportJob:
    """Queue an export of ``table`` for the actor's scope. ``PermissionDenied``/``ValidationError``."""
    from reporting.tasks import export_render_task

    filters = export_check(table=table, fmt=format, params=params)
    export_scope(user=actor, filters=filters)  # refuses another province's or national rows
    with transaction.atomic():
        job = ExportJob.objects.create(
            table=table, format=format, params=filters, requested_by=actor
        )
        job_id = job.pk
        dispatch_on_commit(export_render_task, job_id)
    return job


def export_render(*, job_id: int) -> ExportJob:
    """Build and store the job's file. A finished job is left alone; a redelivered one redone.

    The scope is checked again with the requesting user: a province whose rights changed, or a
    job written by hand, never yields rows the user may not see.
    """
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .get(pk=job_id)
        )
        if job.status == JobStatus.DONE:
            return job
        job.status = JobStatus.RUNNING
        job.error = ""
        job.save(update_fields=["status", "error"])
    try:
        filters = export_check(table=job.table, fmt=job.format, params=job.params or {})
        scope, options = export_scope(user=job.requested_by, filters=filters)
        content, rows = export_build(table=job.table, scope=scope, fmt=job.format, options=options)
        path = f"reporting/exports/{job.pk}/{export_filename(table=job.table, scope=scope, fmt=job.format)}"
        with files_cleanup_on_error(), transaction.atomic():
            name = store_file(content=content, path=path)
            ExportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.DONE,
                file=name,
                rows=rows,
                finished_at=timezone.now(),
                error="",
            )
    except Exception as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else repr(exc)
        if isinstance(exc, PermissionDenied):
            message = str(exc) or _("Permission denied.")
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=message[:2000]
        )
        if isinstance(exc, ValidationError | PermissionDenied):
            job.refresh_from_db()
            return job  # a refusal, recorded for the user; nothing to retry
        raise
    job.refresh_from_db()
    return job


def export_list_for(*, user) -> QuerySet[ExportJob]:
    """The user's own export jobs, newest first."""
    return ExportJob.objects.filter(requested_by=user).order_by("-requested_at", "-id")


def export_get_for(*, user, pk: int) -> ExportJob:
    """One of the user's own jobs, or ``Http404`` (others' jobs are not theirs to know of)."""
    job = export_list_for(user=user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def export_download(*, user, pk: int):
    """The user's finished export as a download; 404 for another user's job or one not ready."""
    job = export_get_for(user=user, pk=pk)
    if job.status != JobStatus.DONE:
        raise Http404
    return stored_file_response(
        name=job.file.name,
        filename=export_download_name(job),
        content_type=FORMATS.get(job.format, "application/octet-stream"),
    )


def export_download_name(job: ExportJob) -> str:
    return job.file.name.rsplit("/", 1)[-1] if job.file else f"{job.table}.{job.format}"
