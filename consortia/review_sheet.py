"""A plan's review sheet: its content section by section, each with every review comment on it
(which version, decision, reviewer, time), rendered through the one PDF helper."""

from django.utils import timezone
from django.utils.translation import get_language

from portal.pdf import render_pdf
from tasks_catalog import terms
from tasks_catalog.models import EntityType

from .content import commitment_text, plan_content, section_labels
from .models import Consortium, Plan, PlanVersion
from .selectors import plan_version_list
from .services import CONSORTIUM_FIELDS
from .workflows import PlanAction

# The basic information as the form lays it out: the fields the authority enters, with the
# recommending authority after the name.
BASIC_FIELDS = [CONSORTIUM_FIELDS[0], "authority", *CONSORTIUM_FIELDS[1:]]


def _basic_rows(content: dict, program) -> list[tuple[str, str]]:
    c = content["consortium"]
    entity_types = {e.code: e.name for e in EntityType.objects.filter(program=program)}
    kinds = dict(terms.all_choices(terms.LEAD_UNIT_KIND))
    rows = []
    for key in BASIC_FIELDS:
        value = c.get(key, "")
        if key == "entity_type":
            value = entity_types.get(value, value)
        elif key == "lead_unit_kind":
            value = kinds.get(value, value)
        rows.append((str(Consortium._meta.get_field(key).verbose_name), str(value or "—")))
    return rows


def review_comments(versions: list[PlanVersion]) -> tuple[dict[str, list[dict]], list[dict]]:
    """Every review's comments: per section key, and the decisions with their general comment."""
    by_section: dict[str, list[dict]] = {}
    decisions = []
    for version in versions:
        review = getattr(version, "review", None)
        if review is None:
            continue
        who = {
            "version": version.number,
            "decision": review.decision,
            "decision_label": PlanAction(review.decision).label
            if review.decision in PlanAction.values
            else review.decision,
            "reviewer": review.reviewer.display_name,
            "time": timezone.localtime(review.created_at),
        }
        decisions.append({**who, "comment": review.reason})
        for key, comment in (review.section_comments or {}).items():
            by_section.setdefault(key, []).append({**who, "comment": comment})
    return by_section, decisions


def review_sheet_context(plan: Plan, version: PlanVersion | None = None) -> dict:
    consortium = plan.consortium
    program = consortium.program
    versions = list(plan_version_list(plan=plan).select_related("review__reviewer"))
    if version is None and versions:
        version = versions[-1]
    content = version.content if version is not None else plan_content(plan)
    by_section, decisions = review_comments(versions)
    tasks = {t.number: t for t in program.tasks.all()}
    statements = {s["key"]: s for s in program.plan_commitments}
    labels = section_labels(program)
    bodies = {
        "basic": {"rows": _basic_rows(content, program)},
        "members": {"members": content["members"]},
        "foundation": {"text": content["work_foundation"]},
        "plan": {"text": content["implementation_plan"]},
        "tasks": {
            "tasks": [
                {
                    "number": t["number"],
                    "title": tasks[t["number"]].title if t["number"] in tasks else "",
                    "responsible": t["responsible"],
                    "target": t.get("target", ""),
                }
                for t in content["tasks"]
                if t["selected"]
            ]
        },
        "commitment": {
            "statements": [
                commitment_text(statements[k]) for k in content["commitments"] if k in statements
            ]
        },
        "opinion": {"text": content["authority_opinion"]},
    }
    return {
        "consortium": consortium,
        "plan": plan,
        "version": version,
        "sections": [
            {"key": k, "label": label, **bodies[k], "comments": by_section.get(k, [])}
            for k, label in labels.items()
        ],
        "decisions": decisions,
        "printed_at": timezone.localtime(),
    }


def render_review_sheet(plan: Plan, version: PlanVersion | None = None) -> bytes:
    return render_pdf(
        "consortia/pdf/review_sheet.html",
        review_sheet_context(plan, version),
        language=get_language() or "zh-hans",
    )
