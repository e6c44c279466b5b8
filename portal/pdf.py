"""The one PDF helper: a template and its context in, PDF bytes out (WeasyPrint).

Fonts, in the look of GB/T 9704-2012 (党政机关公文格式): body text in 仿宋 (FandolFang), headings in
黑体 (FandolHei) and 楷体 (FandolKai), titles in a bold 宋体 standing in for 小标宋 (FandolSong Bold).
The Fandol faces (GPL v3 with the font exception) are installed by portal/fonts/install.sh from
Debian's texlive-lang-chinese. Single OpenType fonts, not collections: WeasyPrint subsets them
nearly as fast as a Latin-only font (bench/plan_pdf.py); the big CJK collections (Noto CJK .ttc)
take five to ten times longer. Each stack falls back to AR PL UMing and WenQuanYi Zen Hei for a
character the Fandol faces lack.
"""

import io

from django.template.loader import render_to_string
from django.utils import translation

_FALLBACK = '"AR PL UMing CN", "AR PL UMing TW MBE", "WenQuanYi Zen Hei"'
PDF_FONTS = {
    "body": f'"FandolFang", {_FALLBACK}, serif',  # 仿宋
    "hei": f'"FandolHei", "WenQuanYi Zen Hei", {_FALLBACK}, sans-serif',  # 黑体
    "kai": f'"FandolKai", {_FALLBACK}, serif',  # 楷体
    "title": f'"FandolSong", {_FALLBACK}, serif',  # 宋体加粗, for 小标宋
}
PDF_FONT_STACK = PDF_FONTS["body"]
# The faces a PDF of the portal is set in (what the PDF's font list shows, subset prefixes aside).
PDF_FACES = ("FandolFang", "FandolHei", "FandolKai", "FandolSong")


def render_html(template: str, context: dict, *, language: str = "zh-hans") -> str:
    with translation.override(language):
        return render_to_string(
            template, {**context, "pdf_font_stack": PDF_FONT_STACK, "pdf_fonts": PDF_FONTS}
        )


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


def pdf_fonts(content: bytes) -> list[str]:
    """The names of the fonts a PDF embeds, without their subset prefix (``ABCDEF+``)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            names.add(str(font.get_object().get("/BaseFont", "?")).split("+")[-1])
    return sorted(names)


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
