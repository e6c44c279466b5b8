"""Serving the plan's files (generated forms and stamped scans). Callers check permission first."""

from django.http import FileResponse, HttpResponse

from portal.security_audit import download_of
from portal.uploads import stored_file_response

from .models import Plan, PlanVersion
from .pdf import plan_pdf


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def plan_pdf_response(plan: Plan) -> HttpResponse:
    """The current form: watermarked "草稿" until every section is complete."""
    from .content import content_problems, plan_content

    content = plan_content(plan)
    draft = bool(content_problems(plan, content))
    pdf, digest = plan_pdf(plan, draft=draft, content=content)
    suffix = "草稿" if draft else digest[:8]
    return download_of(_pdf_response(pdf, f"实施方案-{plan.consortium.name}-{suffix}.pdf"), plan)


def amendment_pdf_response(amendment) -> HttpResponse:
    """The amended form: watermarked "草稿" until every section is complete."""
    from .content import content_problems
    from .services import amendment_pdf

    draft = bool(content_problems(amendment.plan, amendment.content))
    pdf, digest = amendment_pdf(amendment, draft=draft)
    suffix = "草稿" if draft else digest[:8]
    name = amendment.plan.consortium.name
    return download_of(
        _pdf_response(pdf, f"实施方案-{name}-修订{amendment.number}-{suffix}.pdf"), amendment
    )


def stored_pdf_response(name: str, filename: str) -> FileResponse:
    return stored_file_response(name=name, filename=filename, content_type="application/pdf")


def plan_scan_response(plan: Plan) -> FileResponse:
    return download_of(
        stored_pdf_response(plan.scan.name, f"盖章扫描件-{plan.consortium.name}.pdf"), plan
    )


def version_file_response(version: PlanVersion, kind: str) -> FileResponse:
    name = version.pdf.name if kind == "pdf" else version.scan.name
    if not name:  # an amendment submitted without a new scan: the earlier scan stands
        from django.http import Http404

        raise Http404
    label = "实施方案" if kind == "pdf" else "盖章扫描件"
    return download_of(
        stored_pdf_response(name, f"{label}-{version.plan.consortium.name}-v{version.number}.pdf"),
        version,
    )
