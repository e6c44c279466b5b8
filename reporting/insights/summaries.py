"""The quarterly summary PDF for the Ministry's leadership: requesting, rendering, listing.

One document per program × period × (national | one province). Its figures are read from the
roll-ups through the dashboard selectors (``reporting.insights.dashboards``) for the same scope, so the
PDF shows exactly what the dashboard shows, formatted the same way (integers plain, rates with
one decimal and "%"). The body is written with English msgids and rendered under zh-hans.

Requests are coalesced: while a document for the same program, period and province waits or
renders, asking again returns it. For the national document (province NULL) the partial unique
constraint cannot hold, so requests lock the program row first.
"""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Left
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.jobs import ACTIVE, JobOutput, job_download, job_get_for, job_request, job_run
from portal.pdf import pdf_page_count, render_pdf
from portal.selectors import scoped_to_province
from portal.services import audit_record
from reporting.insights import dashboard_charts
from reporting.insights import dashboards as d
from reporting.insights.models import JobStatus, SummaryDocument
from reporting.insights.permissions import can_view_dashboard
from reporting.insights.rollups import rollup_status
from reporting.periods.expectations import rule_text
from reporting.periods.models import ProgressReport, TaskStatus
from reporting.periods.workflows import ReportState
from reporting.registry.kinds import KINDS
from tasks_catalog.models import Program

PDF_TEMPLATE = "reporting/pdf/summary.html"
PDF_LANGUAGE = "zh-hans"
RENDER_TASK = "reporting.tasks.summary_render_task"
AT_RISK_LIMIT = 200  # task entries listed in the PDF; the rest are counted
EXCERPT_CHARS = 120  # of each report's summary text
NATIONAL_ZH = "全国汇总"  # in file names: the document is Chinese


# --- formatting: as the dashboard pages show figures --------------------------------------------


def fmt_int(value: int | None) -> str:
    return "—" if value is None else str(value)


fmt_rate = d.format_rate


def fmt_size(value: int) -> str:
    return str(filesizeformat(value))


def _excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "MONTH_DAY_FORMAT")


# --- the document's content ----------------------------------------------------------------------


def _pairs(items: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Two figures a table row; the last row padded."""
    padded = items + [("", "")] * (len(items) % 2)
    return [padded[i : i + 2] for i in range(0, len(padded), 2)]


def _key_figures(figures: dict) -> list[dict]:
    groups = _figure_groups(figures)
    return [{**group, "rows": _pairs(group["items"])} for group in groups]


def _figure_groups(figures: dict) -> list[dict]:
    reports, tasks, plans = figures["reports"], figures["tasks"], figures["plans"]
    deliverables = figures["deliverables"]
    datasets = deliverables["dataset"]
    return [
        {
            "title": _("Progress reports"),
            "items": [
                (_("Reports expected"), fmt_int(reports["expected"])),
                (_("Reports handed in"), fmt_int(reports["handed_in"])),
                (_("Confirmed by the province"), fmt_int(reports["confirmed"])),
                (_("Accepted by the Ministry"), fmt_int(reports["accepted"])),
                (_("Overdue"), fmt_int(reports["overdue"])),
                (_("Handed-in rate"), fmt_rate(reports["handed_in_rate"])),
                (_("On-time rate"), d.format_on_time_rate(reports)),
            ],
        },
        {
            "title": _("Reference tasks"),
            "items": [
                (_("Tasks selected"), fmt_int(tasks["selected"])),
                (_("Tasks reported"), fmt_int(tasks["reported"])),
                (str(TaskStatus.ON_TRACK.label), fmt_int(tasks["on_track"])),
                (str(TaskStatus.AT_RISK.label), fmt_int(tasks["at_risk"])),
                (str(TaskStatus.DELAYED.label), fmt_int(tasks["delayed"])),
                (str(TaskStatus.COMPLETED.label), fmt_int(tasks["completed"])),
                (_("Mean completion"), fmt_rate(tasks["mean_percent"])),
            ],
        },
        {
            "title": _("Deliverables (cumulative)"),
            "items": [
                (str(KINDS["dataset"].label), fmt_int(datasets["count"])),
                (_("Dataset records"), fmt_int(datasets["records"])),
                (_("Dataset size"), fmt_size(datasets["size_bytes"])),
                (_("Datasets open-sourced"), fmt_int(datasets["open_source"])),
                *(
                    (str(KINDS[kind].label), fmt_int(deliverables[kind]["count"]))
                    for kind in ("standard", "data_product", "scenario", "industry_model")
                    if kind in deliverables
                ),
            ],
        },
        {
            "title": _("Implementation plans"),
            "items": [
                (_("Plans recommended"), fmt_int(plans["recommended"])),
                (_("Recommendation quota"), fmt_int(plans["quota"])),
                (_("Plans counted against the quota"), fmt_int(plans["in_quota"])),
                (_("Plans approved"), fmt_int(plans["approved"])),
            ],
        },
    ]


def _charts(figures: dict, categories: list[dict], trend: list[dict], breakdown: dict) -> dict:
    """The dashboard pages' own charts (``reporting.insights.dashboard_charts``), without links."""
    return {
        "states": dashboard_charts.report_state_donut(figures["reports"]),
        "categories": dashboard_charts.category_status_chart(categories),
        "trend": dashboard_charts.trend_chart(trend),
        "datasets": dashboard_charts.datasets_by_industry_chart(breakdown["datasets"]),
    }


def _province_rows(scope: d.Scope) -> list[list[str]]:
    rows = []
    for row in d.province_table(scope):
        reports, tasks, plans = row["reports"], row["tasks"], row["plans"]
        rows.append(
            [
                row["authority"].region_name,
                fmt_int(reports["expected"]),
                fmt_int(reports["handed_in"]),
                fmt_int(reports["overdue"]),
                d.format_on_time_rate(reports),
                fmt_int(tasks["attention"]),
                fmt_rate(tasks["mean_percent"]),
                f"{plans['in_quota']}/{plans['quota']}",
                fmt_int(row["deliverables"]["dataset"]),
            ]
        )
    return rows


def consortium_paragraphs(scope: d.Scope) -> list[dict]:
    """One status paragraph per consortium: its roll-up row and its report's summary (one query)."""
    summary = ProgressReport.objects.filter(
        consortium=OuterRef("consortium_id"), period=OuterRef("period_id")
    ).values("summary")[:1]
    rows = d.consortium_rows(scope).annotate(
        report_summary=Left(Subquery(summary), EXCERPT_CHARS + 1)
    )
    period = scope.period.name
    out = []
    for row in rows:
        state = row.report_state
        values = {"period": period, "date": _day(row.first_submitted_at)}
        if not row.handed_in:
            if state == ReportState.DRAFT:
                text = (
                    _("The report is being drafted and is overdue.")
                    if row.overdue
                    else _("The report is being drafted.")
                )
            elif state == ReportState.RETURNED:
                text = (
                    _("The report was returned for revision and is overdue.")
                    if row.overdue
                    else _("The report was returned for revision.")
                )
            else:
                text = _("Not yet handed in; overdue.") if row.overdue else _("Not yet handed in.")
        else:
            if state == ReportState.SUBMITTED:
                text = _(
                    "The %(period)s was handed in on %(date)s and awaits the "
                    "province's confirmation"
                )
            elif state == ReportState.CONFIRMED:
                text = _("The %(period)s was handed in on %(date)s and confirmed by the province")
            else:
                text = _("The %(period)s was handed in on %(date)s and accepted by the Ministry")
            text = text % values
            mean = round(row.percent_sum / row.percent_count, 1) if row.percent_count else None
            text += _(
                "; of the %(selected)s tasks selected, %(on_track)s are on track, "
                "%(at_risk)s at risk, %(delayed)s delayed and %(completed)s completed, "
                "mean completion %(mean)s."
            ) % {
                "selected": row.selected,
                "on_track": row.on_track,
                "at_risk": row.at_risk,
                "delayed": row.delayed,
                "completed": row.completed,
                "mean": fmt_rate(mean),
            }
        out.append(
            {
                "name": row.consortium.name,
                "heading": _("%(name)s (recommended by %(authority)s)")
                % {"name": row.consortium.name, "authority": row.authority.name},
                "text": text,
                "excerpt": _excerpt(row.report_summary) if row.handed_in else "",
                "overdue": row.overdue,
            }
        )
    return out


def _overdue_groups(scope: d.Scope) -> list[dict]:
    """Overdue reports grouped by province: one line each (cheaper to lay out than a table)."""
    groups: dict[int, dict] = {}
    for row in d.overdue_reports(scope):
        group = groups.setdefault(
            row.authority_id, {"province": row.authority.region_name, "names": []}
        )
        state = (
            str(ReportState(row.report_state).label)
            if row.report_state in ReportState.values
            else _("Not started")
        )
        group["names"].append(f"{row.consortium.name}（{state}）")
    return [{**g, "count": len(g["names"]), "text": "、".join(g["names"])} for g in groups.values()]


def _at_risk_rows(scope: d.Scope) -> tuple[list[list[str]], int]:
    entries = d.at_risk_entries(scope)
    total = entries.count()
    rows = [
        [
            e.report.consortium.name,
            e.report.consortium.authority.region_name,
            str(e.task.number),
            str(TaskStatus(e.status).label),
            fmt_rate(e.percent) if e.percent is not None else "—",
            _excerpt(e.problems, 60),
        ]
        for e in entries[:AT_RISK_LIMIT]
    ]
    return rows, total


def summary_context(
    *,
    scope: d.Scope,
    rollup_run=None,
    generated: dt.datetime | None = None,
    figures_at: dt.datetime | None = None,
):
    """Everything the PDF template shows, as text formatted for print (call under zh-hans).
    ``figures_at``: when the roll-up rows last changed (default: the run's time)."""
    figures = d.overview(scope)
    categories = d.category_table(scope)
    trend = d.trend(scope)
    breakdown = d.deliverable_breakdown(scope)
    at_risk, at_risk_total = _at_risk_rows(scope)
    overdue = _overdue_groups(scope)
    program = scope.program
    generated = generated or timezone.now()
    as_of = figures_at or (rollup_run.finished_at if rollup_run is not None else None)
    return {
        "program": program,
        "period": scope.period,
        "authority": scope.authority,
        "scope_name": scope.authority.name if scope.authority else _("National summary"),
        "generated": date_format(timezone.localtime(generated).date(), "DATE_FORMAT"),
        "as_of": date_format(timezone.localtime(as_of), "DATETIME_FORMAT") if as_of else "",
        "key_figures": _key_figures(figures),
        "rule": rule_text(),
        "charts": _charts(figures, categories, trend, breakdown),
        "provinces": _province_rows(scope),
        "consortia": consortium_paragraphs(scope),
        "overdue": overdue,
        "overdue_total": sum(g["count"] for g in overdue),
        "at_risk": at_risk,
        "at_risk_total": at_risk_total,
        "at_risk_more": max(0, at_risk_total - len(at_risk)),
        "breakdown": {
            "datasets": [
                [
                    r["label"],
                    fmt_int(r["count"]),
                    fmt_int(r["records"]),
                    fmt_size(r["size_bytes"]),
                    fmt_int(r["open_source"]),
                ]
                for r in breakdown["datasets"]
            ],
            "standards": [
                [r["level_label"], r["stage_label"], fmt_int(r["count"])]
                for r in breakdown["standards"]
            ],
            "scenarios": [[r["label"], fmt_int(r["count"])] for r in breakdown["scenarios"]],
            "kinds": [
                [str(KINDS[k].label), fmt_int(v["count"])]
                for k, v in figures["deliverables"].items()
            ],
        },
    }


def summary_pdf(*, scope: d.Scope, rollup_run=None, figures_at=None) -> bytes:
    with translation.override(PDF_LANGUAGE):
        context = summary_context(scope=scope, rollup_run=rollup_run, figures_at=figures_at)
        return render_pdf(PDF_TEMPLATE, context, language=PDF_LANGUAGE)


# --- services ------------------------------------------------------------------------------------


def summary_request(*, actor, scope: d.Scope) -> SummaryDocument:
    """Ask for the summary of the scope's program, period and province (None: national).

    A document already waiting or rendering for the same program, period and province is
    returned and nothing new is dispatched (unless it went stale: then it is dispatched again).
    Raises ``PermissionDenied`` if the actor may not see that scope.
    """
    decision = can_view_dashboard(actor, scope.authority)
    if not decision:
        raise PermissionDenied(decision.reason)

    def audit(document: SummaryDocument) -> None:
        audit_record(
            actor=actor,
            action="summary.request",
            target=document,
            to_state=JobStatus.PENDING,
            data={
                "program": scope.program.code,
                "period": scope.period.code,
                "province": scope.authority.code if scope.authority else "",
            },
        )

    return job_request(
        SummaryDocument,
        task=RENDER_TASK,
        key={"program": scope.program, "period": scope.period, "authority": scope.authority},
        values={"requested_by": actor},
        waiting=ACTIVE,
        # Serialises requests for the program: the national document has no unique constraint.
        lock=Program.objects.filter(pk=scope.program.pk),
        on_create=audit,
    )


def summary_render(*, document_id: int) -> SummaryDocument:
    """Render and store the document (``portal.jobs.job_run``). One already done is left alone;
    a redelivery renders again. On an error the document is marked failed with the error, and
    the error is raised again.
    """

    def render(document: SummaryDocument) -> JobOutput:
        scope = d.Scope(document.program, document.period, document.authority)
        status = rollup_status(program=document.program)
        run = status["last"]
        content = summary_pdf(scope=scope, rollup_run=run, figures_at=status["changed_at"])
        where = document.authority.code if document.authority else "national"
        prefix = f"reporting/summaries/{document.program.code}-{document.period.code}-{where}"
        return JobOutput(
            fields={"size": len(content), "pages": pdf_page_count(content), "rollup_run": run},
            content=content,
            path=lambda sha256: f"{prefix}-{sha256[:12]}.pdf",
        )

    jobs = SummaryDocument.objects.select_related("program", "period", "authority")
    return job_run(jobs, document_id, render)


# --- selectors -----------------------------------------------------------------------------------


def summary_list_for(*, user) -> QuerySet[SummaryDocument]:
    """Ministry staff: every document; a provincial authority: its own province's; others: none."""
    documents = SummaryDocument.objects.select_related(
        "program", "period", "authority", "requested_by"
    ).order_by("-requested_at", "-id")
    return scoped_to_province(documents, user=user)


def summary_get_for(*, user, pk: int) -> SummaryDocument:
    """The document, or ``Http404`` when the user may not see it."""
    return job_get_for(summary_list_for(user=user), pk=pk)


def summary_filename(document: SummaryDocument) -> str:
    where = document.authority.region_name_zh if document.authority else NATIONAL_ZH
    return f"{document.program.short_name_zh}-{document.period.name_zh}-{where}.pdf"


def summary_download(*, user, pk: int):
    """The finished PDF as a download; 404 unless the user may see it and it is ready."""
    document = summary_get_for(user=user, pk=pk)
    return job_download(
        document, filename=summary_filename(document), content_type="application/pdf"
    )
