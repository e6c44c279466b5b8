"""A single report as PDF (page and API share ``report_pdf_response``)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views import View

from consortia.selectors import consortium_get_for
from portal.pdf import pdf_response
from portal.security_audit import download_of
from reporting.periods.models import ProgressReport, ReportingPeriod
from reporting.periods.report_pdf import render_report_pdf, report_pdf_filename


def report_pdf_response(*, user, consortium_pk, period):
    """Whoever may see the report may print it (404 for anyone else, and before it is started)."""
    consortium = consortium_get_for(user=user, pk=consortium_pk)
    period_obj = get_object_or_404(ReportingPeriod, program=consortium.program, code=period)
    report = (
        ProgressReport.objects.select_related("consortium__authority", "period")
        .filter(consortium=consortium, period=period_obj)
        .first()
    )
    if report is None:
        raise Http404
    return download_of(pdf_response(render_report_pdf(report), report_pdf_filename(report)), report)


class ReportPdfView(LoginRequiredMixin, View):
    def get(self, request, consortium_pk, period):
        return report_pdf_response(user=request.user, consortium_pk=consortium_pk, period=period)
