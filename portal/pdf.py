"""The one PDF helper: a template and its context in, PDF bytes out (WeasyPrint).

Fonts: Chinese text is set in AR PL UMing (a Ming/Song serif, TrueType outlines, Debian's
fonts-arphic-uming), which WeasyPrint subsets as fast as a Latin-only font (see bench/plan_pdf.py);
the OpenType CJK collections take five to ten times longer.
"""

import io

from django.template.loader import render_to_string
from django.utils import translation

PDF_FONT_STACK = '"AR PL UMing CN", "AR PL UMing TW MBE", "WenQuanYi Zen Hei", serif'


def render_html(template: str, context: dict, *, language: str = "zh-hans") -> str:
    with translation.override(language):
        return render_to_string(template, {**context, "pdf_font_stack": PDF_FONT_STACK})


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=".").write_pdf()


def render_pdf(template: str, context: dict, *, language: str = "zh-hans") -> bytes:
    """Render ``template`` (which extends ``pdf/base.html``) to PDF bytes. Chinese by default."""
    return html_to_pdf(render_html(template, context, language=language))


def pdf_page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def pdf_text(content: bytes) -> str:
    """All the text of a PDF, page after page (used to check generated documents)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def pdf_response(content: bytes, filename: str, *, inline: bool = True):
    """PDF bytes made on request as an HTTP response (shown in the browser unless ``inline``
    is False); callers check permission first."""
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
