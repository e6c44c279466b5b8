"""The closing document: requested by Ministry staff, rendered by Celery (``portal.jobs``),
listed and downloaded by the Ministry. Its figures are ``selectors.closing_overview`` over every
pilot, the same reading as the dashboard's final view for the Ministry."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.jobs import ACTIVE, JobOutput, job_download, job_get_for, job_request, job_run
from portal.pdf import pdf_page_count, render_pdf
from portal.permissions import is_ministry
from portal.services import audit_record
from reporting.closing.models import ClosingDocument
from reporting.closing.selectors import closing_catalogue, closing_overview
from reporting.insights.models import JobStatus
from tasks_catalog.models import Program

PDF_TEMPLATE = "reporting/pdf/closing.html"
PDF_LANGUAGE = "zh-hans"
RENDER_TASK = "reporting.tasks.closing_render_task"


def closing_pdf(*, program: Program) -> bytes:
    with translation.override(PDF_LANGUAGE):
        overview = closing_overview(user=None, program=program)
        context = {
            **overview,
            "catalogue": closing_catalogue(program=program, pilots=overview["pilot_list"]),
            "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        }
        return render_pdf(PDF_TEMPLATE, context, language=PDF_LANGUAGE)


def closing_request(*, actor, program: Program) -> ClosingDocument:
    """Ask for the program's closing document (Ministry staff). One waiting or rendering for the
    program is returned instead of a second."""
    if not is_ministry(actor):
        raise PermissionDenied(_("Only Ministry staff generate the closing document."))

    def audit(document: ClosingDocument) -> None:
        audit_record(
            actor=actor,
            action="closing.request",
            target=document,
            to_state=JobStatus.PENDING,
            data={"program": program.code},
        )

    return job_request(
        ClosingDocument,
        task=RENDER_TASK,
        key={"program": program},
        values={"requested_by": actor},
        waiting=ACTIVE,
        on_create=audit,
    )


def closing_render(*, document_id: int) -> ClosingDocument:
    def render(document: ClosingDocument) -> JobOutput:
        content = closing_pdf(program=document.program)
        return JobOutput(
            fields={"size": len(content), "pages": pdf_page_count(content)},
            content=content,
            path=lambda sha256: f"reporting/closing/{document.program.code}-{sha256[:12]}.pdf",
        )

    return job_run(ClosingDocument.objects.select_related("program"), document_id, render)


def closing_list_for(*, user, program: Program | None = None) -> QuerySet[ClosingDocument]:
    """The Ministry's closing documents (others: none)."""
    documents = ClosingDocument.objects.select_related("program", "requested_by")
    if program is not None:
        documents = documents.filter(program=program)
    return documents if is_ministry(user) else documents.none()


def closing_download(*, user, pk: int):
    document = job_get_for(closing_list_for(user=user), pk=pk)
    return job_download(
        document,
        filename=f"{document.program.short_name_zh}-先行先试工作总结.pdf",
        content_type="application/pdf",
    )
