"""Exporting a table: checking the request, building the file, and the background export jobs
(``portal.jobs`` runs their lifecycle) with the user's own list and downloads."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.jobs import JobOutput, JobRefused, job_download, job_get_for, job_request, job_run
from portal.spreadsheets import csv_bytes, xlsx_bytes
from reporting.insights import dashboards as d
from reporting.insights.exports.tables import TABLES
from reporting.insights.models import ExportJob

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
RENDER_TASK = "reporting.tasks.export_render_task"


# --- bytes from (headers, rows): portal.spreadsheets ----------------------------------------------


def file_bytes(fmt: str, title: str, headers: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    if fmt == "csv":
        return csv_bytes(headers, rows)
    if fmt == "xlsx":
        return xlsx_bytes(title, headers, rows)
    raise _unknown_format()


# --- checking a request --------------------------------------------------------------------------


def _refusal(field: str, message: str, code: str = "invalid_filter") -> ValidationError:
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
        raise _refusal(unknown[0], _("Unknown filter “%(name)s”.") % {"name": unknown[0]})
    return {k: str(v).strip() for k, v in params.items() if v is not None and str(v).strip()}


def export_scope(*, user, filters: Mapping[str, str]) -> tuple[d.Scope, dict[str, str]]:
    """The user's scope for these filters (``PermissionDenied``/``ValidationError``) and the
    table's own options (a report figure is checked as the dashboard checks it)."""
    options = {k: v for k, v in filters.items() if k not in FILTERS}
    if options.get("flag") and options["flag"] not in d.REPORT_FLAGS:
        raise _refusal("flag", _("Unknown figure."))
    scope = d.scope_for(user=user, params={k: v for k, v in filters.items() if k in FILTERS})
    return scope, options


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


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def export_table(
    *, actor, table: str, fmt: str, params: Mapping[str, Any]
) -> ExportFile | ExportJob:
    """What the export links of the pages and the API answer: the table's file at once, or the
    background job queued for it (the raw entries, or more rows than ``DIRECT_ROW_LIMIT``).

    Raises ``ValidationError`` for a bad table, format or filter and ``PermissionDenied`` for
    a scope the actor may not see.
    """
    filters = export_check(table=table, fmt=fmt, params=params)
    scope, options = export_scope(user=actor, filters=filters)
    if export_needs_job(table=table, scope=scope, options=options):
        return export_request(actor=actor, table=table, params=filters, format=fmt)
    content, _rows = export_build(table=table, scope=scope, fmt=fmt, options=options)
    return ExportFile(content, export_filename(table=table, scope=scope, fmt=fmt), FORMATS[fmt])


# --- background jobs -----------------------------------------------------------------------------


def export_request(*, actor, table: str, params: Mapping[str, str], format: str) -> ExportJob:
    """Queue an export of ``table`` for the actor's scope. ``PermissionDenied``/``ValidationError``.

    Every request is a job of its own (not coalesced): each user lists and downloads their own.
    """
    filters = export_check(table=table, fmt=format, params=params)
    export_scope(user=actor, filters=filters)  # refuses another province's or national rows
    return job_request(
        ExportJob,
        task=RENDER_TASK,
        values={"table": table, "format": format, "params": filters, "requested_by": actor},
    )


def export_render(*, job_id: int) -> ExportJob:
    """Build and store the job's file (``portal.jobs.job_run``). A finished job is left alone;
    a redelivered one redone.

    The scope is checked again with the requesting user: a province whose rights changed, or a
    job written by hand, never yields rows the user may not see (the job fails with the reason).
    """

    def build(job: ExportJob) -> JobOutput:
        try:
            filters = export_check(table=job.table, fmt=job.format, params=job.params or {})
            scope, options = export_scope(user=job.requested_by, filters=filters)
            content, rows = export_build(
                table=job.table, scope=scope, fmt=job.format, options=options
            )
        except ValidationError as exc:
            raise JobRefused("; ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise JobRefused(str(exc) or _("Permission denied.")) from exc
        name = export_filename(table=job.table, scope=scope, fmt=job.format)
        return JobOutput(
            fields={"rows": rows}, content=content, path=f"reporting/exports/{job.pk}/{name}"
        )

    return job_run(ExportJob.objects.select_related("requested_by"), job_id, build)


def export_list_for(*, user) -> QuerySet[ExportJob]:
    """The user's own export jobs, newest first."""
    return ExportJob.objects.filter(requested_by=user).order_by("-requested_at", "-id")


def export_get_for(*, user, pk: int) -> ExportJob:
    """One of the user's own jobs, or ``Http404`` (others' jobs are not theirs to know of)."""
    return job_get_for(export_list_for(user=user), pk=pk)


def export_download(*, user, pk: int):
    """The user's finished export as a download; 404 for another user's job or one not ready."""
    job = export_get_for(user=user, pk=pk)
    return job_download(
        job,
        filename=export_download_name(job),
        content_type=FORMATS.get(job.format, "application/octet-stream"),
    )


def export_download_name(job: ExportJob) -> str:
    return job.file.name.rsplit("/", 1)[-1] if job.file else f"{job.table}.{job.format}"
