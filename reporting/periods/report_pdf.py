"""A single progress report as PDF (every task entry, its evidence files' names, the reviews),
through the one PDF helper."""

from django.utils import timezone
from django.utils.translation import get_language

from portal.pdf import render_pdf
from reporting.periods.models import ProgressReport
from reporting.periods.workflows import ReportAction


def report_pdf_context(report: ProgressReport) -> dict:
    entries = list(report.entries.select_related("task__category").prefetch_related("evidence"))
    reviews = [
        {
            "action": ReportAction(r.action).label if r.action in ReportAction.values else r.action,
            "stage": r.stage,
            "comment": r.comment,
            "reviewer": r.reviewer.display_name,
            "time": timezone.localtime(r.created_at),
        }
        for r in report.reviews.select_related("reviewer").order_by("created_at")
    ]
    return {
        "report": report,
        "consortium": report.consortium,
        "period": report.period,
        "entries": entries,
        "answered": sum(1 for e in entries if e.answered),
        "reviews": reviews,
        "printed_at": timezone.localtime(),
    }


def render_report_pdf(report: ProgressReport) -> bytes:
    return render_pdf(
        "reporting/pdf/report.html",
        report_pdf_context(report),
        language=get_language() or "zh-hans",
    )


def report_pdf_filename(report: ProgressReport) -> str:
    return f"进展报告-{report.consortium.name}-{report.period.code}.pdf"
