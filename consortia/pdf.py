"""The implementation plan as the official form 附件1 (with 附件2 filled in), rendered to PDF."""

import datetime as dt
import hashlib
import json
import math

from django.core.files.storage import default_storage

from portal.pdf import pdf_page_count, render_pdf
from tasks_catalog.models import Program

from .content import content_digest, plan_content
from .models import Plan

DRAFT_WATERMARK = "草稿"


# The member table of 附件1 (12 pt, line height 1.5) holds about 34 lines of a column on a page under
# its repeated header. A row estimated at most MEMBER_ROW_MAX_LINES tall is kept on one page; a
# taller one (profile and role near their 600-character limits) may split, and the header repeats
# on the next page. Characters per line of the name, profile and role columns (24 %, 42 %, 34 %).
MEMBER_ROW_MAX_LINES = 30
MEMBER_CHARS_PER_LINE = {"name": 8, "profile": 15, "role": 12}


def _member_rows(members: list[dict]) -> list[dict]:
    rows = []
    for member in members:
        tasks = "、".join(str(n) for n in member.get("tasks") or [])
        per_line = MEMBER_CHARS_PER_LINE
        lines = max(
            math.ceil(len(member["name"]) / per_line["name"]),
            math.ceil(len(member["profile"]) / per_line["profile"]),
            math.ceil(len(member["role"]) / per_line["role"])
            + math.ceil(len(tasks) / per_line["role"]),
        )
        rows.append({**member, "tasks_text": tasks, "keep_together": lines <= MEMBER_ROW_MAX_LINES})
    return rows


def _plan_pdf_context(content: dict, program: Program, *, draft: bool) -> dict:
    signing = content["consortium"]["signing_date"]
    signing_zh = "2026 年 月 日"
    compiled_year = program.start_date.year
    if signing:
        day = dt.date.fromisoformat(signing)
        signing_zh = f"{day.year} 年 {day.month} 月 {day.day} 日"
    selected = {t["number"]: t for t in content["tasks"]}
    rows, seen_categories = [], set()
    tasks = list(program.tasks.select_related("category").order_by("number"))
    category_sizes: dict[int, int] = {}
    for task in tasks:
        category_sizes[task.category_id] = category_sizes.get(task.category_id, 0) + 1
    for task in tasks:
        first = task.category_id not in seen_categories
        seen_categories.add(task.category_id)
        rows.append(
            {
                "number": task.number,
                "category": task.category.name_zh,
                "category_rowspan": category_sizes[task.category_id] if first else 0,
                "title": task.title_zh,
                "mandatory": task.mandatory,
                "selected": selected.get(task.number, {}).get("selected", False),
            }
        )
    return {
        "c": content,
        "member_rows": _member_rows(content["members"]),
        "subject": program.plan_form_subject_zh or program.name_zh,
        # The form's wording is the program's (tasks_catalog.Program, edited in the admin).
        "annex_label": program.plan_form_annex_label_zh,
        "issuer_lines": _paragraphs(program.plan_form_issuers_zh),
        "notes": _paragraphs(program.plan_form_notes_zh),
        "sections": {s.key: s for s in program.plan_sections.all()},
        "uses_task_table": program.uses_task_table,
        "task_annex_label": program.task_table_annex_label_zh,
        "task_table_title": program.task_table_title_zh,
        "signing_date_zh": signing_zh,
        "compiled_year": compiled_year,
        "entity_types": list(program.entity_types.all()),
        "commitment_paragraphs": _paragraphs(program.plan_commitment_text_zh),
        "foundation_paragraphs": _paragraphs(content["work_foundation"]),
        "plan_paragraphs": _paragraphs(content["implementation_plan"]),
        "opinion_paragraphs": _paragraphs(content["authority_opinion"]),
        "task_rows": rows,
        "watermark": DRAFT_WATERMARK if draft else "",
    }


def form_digest(program: Program) -> str:
    """A digest of the program's form wording: a cached PDF is redrawn when the wording changes."""
    wording = {
        field: getattr(program, field)
        for field in (
            "plan_form_subject_zh",
            "plan_form_annex_label_zh",
            "plan_form_issuers_zh",
            "plan_form_notes_zh",
            "plan_commitment_text_zh",
            "uses_task_table",
            "task_table_annex_label_zh",
            "task_table_title_zh",
            "start_date",
        )
    }
    wording["sections"] = [
        [s.key, s.heading_zh, s.prompt_zh, s.guidance_chars] for s in program.plan_sections.all()
    ]
    wording["entity_types"] = [[e.code, e.name_zh] for e in program.entity_types.all()]
    wording["tasks"] = [
        [t.number, t.category.name_zh, t.title_zh, t.mandatory]
        for t in program.tasks.select_related("category").order_by("number")
    ]
    return hashlib.sha256(json.dumps(wording, default=str, ensure_ascii=False).encode()).hexdigest()


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def render_plan_pdf(content: dict, program: Program, *, draft: bool) -> bytes:
    return render_pdf("consortia/pdf/plan.html", _plan_pdf_context(content, program, draft=draft))


def plan_pdf(plan: Plan, *, draft: bool, content: dict | None = None) -> tuple[bytes, str]:
    """The current content as PDF, cached in storage by content digest (rendering takes ~0.5 s).

    Pass ``content`` when the caller has already read it. Returns (pdf bytes, content digest).
    """
    content = content if content is not None else plan_content(plan)
    digest = content_digest(content)
    kind = "draft" if draft else "final"
    form = form_digest(plan.consortium.program)[:16]
    name = f"plans/cache/{plan.pk}/{digest}-{form}-{kind}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as fh:
            return fh.read(), digest
    pdf = render_plan_pdf(content, plan.consortium.program, draft=draft)
    default_storage.save(name, _bytes_file(pdf))
    return pdf, digest


def plan_pdf_page_count(plan: Plan) -> int:
    pdf, _digest = plan_pdf(plan, draft=False)
    return pdf_page_count(pdf)


def _bytes_file(content: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(content)
