"""The final summary as its official PDF (工作总结报告), in Chinese, through the one PDF helper.

Rendered from the content document (``content.py``): the draft's current content, or a frozen
version's, which therefore prints exactly as it was submitted.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from portal.pdf import pdf_page_count, render_pdf
from reporting.final.content import content_digest, final_content
from reporting.final.models import Completion, FinalReport
from reporting.registry.kinds import KINDS
from tasks_catalog import terms

DRAFT_WATERMARK = "草稿"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _pdf_context(content: dict, report: FinalReport, *, draft: bool) -> dict:
    completion = dict(Completion.choices)
    stages = dict(terms.all_choices(terms.STAGE))
    return {
        "c": content,
        "period": report.period,
        "program": report.consortium.program,
        "outcomes": [
            {**o, "completion_label": completion.get(o["completion"], "")}
            for o in content["outcomes"]
        ],
        "figures": [
            {**f, "label": KINDS[f["kind"]].label if f["kind"] in KINDS else f["kind"]}
            for f in content["figures"]
        ],
        "cases": [{**c, "stage_label": stages.get(c["stage"], "")} for c in content["cases"]],
        "paths_paragraphs": _paragraphs(content["paths_mechanisms"]),
        "problem_paragraphs": _paragraphs(content["problems"]),
        "suggestion_paragraphs": _paragraphs(content["suggestions"]),
        "watermark": DRAFT_WATERMARK if draft else "",
    }


def render_final_pdf(content: dict, report: FinalReport, *, draft: bool) -> bytes:
    """Always Chinese: the official document the lead unit stamps."""
    return render_pdf("reporting/final/pdf/final.html", _pdf_context(content, report, draft=draft))


def final_pdf(
    report: FinalReport, *, draft: bool, content: dict | None = None
) -> tuple[bytes, str]:
    """The current content as PDF, cached in storage by content digest; (pdf, digest)."""
    content = content if content is not None else final_content(report)
    digest = content_digest(content)
    name = f"final/cache/{report.pk}/{digest}-{'draft' if draft else 'final'}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as fh:
            return fh.read(), digest
    pdf = render_final_pdf(content, report, draft=draft)
    default_storage.save(name, ContentFile(pdf))
    return pdf, digest


def final_pdf_page_count(report: FinalReport) -> int:
    pdf, _digest = final_pdf(report, draft=False)
    return pdf_page_count(pdf)


def final_pdf_filename(report: FinalReport, *, suffix: str = "") -> str:
    return f"工作总结报告-{report.consortium.name}{'-' + suffix if suffix else ''}.pdf"
