"""The plan's content as one document: what is frozen in a version, rendered in the PDF, compared.

``plan_content(plan)`` reads the current draft; a ``PlanVersion.content`` holds the same shape.
Everything the PDF and the comparison show comes from this dict, so a version renders exactly as
it was submitted, whatever changes later.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import (
    FOUNDATION_GUIDE_CHARS,
    FOUNDATION_MAX_CHARS,
    OPINION_MAX_CHARS,
    PLAN_GUIDE_CHARS,
    PLAN_MAX_CHARS,
    TARGET_GUIDE_CHARS,
    TARGET_MAX_CHARS,
    Consortium,
    Plan,
)
from .validators import count_characters

# Sections of the official form, in order: key -> label shown to the reviewer.
SECTIONS = ["basic", "members", "foundation", "plan", "tasks", "commitment", "opinion"]


# The form's text sections: plan field -> section of the program's form.
TEXT_SECTIONS = {"work_foundation": "foundation", "implementation_plan": "plan"}


def section_labels(program=None) -> dict[str, str]:
    """Each section's heading in the active language: the program's form's, else 64号's."""
    labels = {
        "basic": _("1. Basic information"),
        "members": _("2. Consortium members and division of work"),
        "foundation": _("3. Existing work foundation"),
        "plan": _("4. Implementation plan"),
        "tasks": _("Reference tasks (Attachment 2)"),
        "commitment": _("5. Lead unit's commitment"),
        "opinion": _("6. Recommending unit's opinion"),
    }
    if program is not None:
        labels.update({s.key: s.heading for s in program.plan_sections.all()})
    return labels


def text_limits(program) -> dict[str, tuple[int | None, int]]:
    """(guidance, hard limit) in characters of each text field of the form, as the program's form
    words it (“800字左右”: the hard limit is twice the guidance, to keep the form printable)."""
    limits: dict[str, tuple[int | None, int]] = {
        "work_foundation": (FOUNDATION_GUIDE_CHARS, FOUNDATION_MAX_CHARS),
        "implementation_plan": (PLAN_GUIDE_CHARS, PLAN_MAX_CHARS),
    }
    for field, key in TEXT_SECTIONS.items():
        section = program.plan_section(key)
        if section is not None and section.guidance_chars:
            limits[field] = (section.guidance_chars, section.max_chars)
    limits["authority_opinion"] = (None, OPINION_MAX_CHARS)
    return limits


# A selected task's target (预期目标): (guidance, hard limit), counted like the texts above.
TARGET_LIMITS = (TARGET_GUIDE_CHARS, TARGET_MAX_CHARS)


def clean_targets(targets: dict, *, selected) -> dict[int, str]:
    """Targets by task number, stripped, each within the hard limit and for a task taken on; a
    ``ValidationError`` on the ``tasks`` key otherwise (the plan's and the amendment's services)."""
    try:
        cleaned = {int(n): str(text or "").strip() for n, text in targets.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"tasks": _("Task numbers must be numbers.")}) from exc
    if stray := sorted(set(cleaned) - set(selected)):
        raise ValidationError(
            {
                "tasks": _("Targets for tasks not taken on: %(numbers)s.")
                % {"numbers": ", ".join(map(str, stray))}
            }
        )
    if long := [
        n for n, text in sorted(cleaned.items()) if count_characters(text) > TARGET_MAX_CHARS
    ]:
        raise ValidationError(
            {
                "tasks": _(
                    "The target of task %(numbers)s is too long: at most %(max)d characters."
                )
                % {"numbers": ", ".join(map(str, long)), "max": TARGET_MAX_CHARS}
            }
        )
    return cleaned


def commitment_text(statement: dict) -> str:
    """A commitment statement of the program (``{"key", "text_zh", "text_en"}``) in the active language."""
    from portal.i18n import is_english

    if is_english() and statement.get("text_en"):
        return statement["text_en"]
    return statement.get("text_zh", "")


def plan_content(plan: Plan) -> dict:
    consortium: Consortium = plan.consortium
    program = consortium.program
    members = list(consortium.members.all())
    selections = {s.task_id: s for s in plan.selections.prefetch_related("responsible")}
    tasks = []
    for task in program.tasks.select_related("category").order_by("number"):
        selection = selections.get(task.pk)
        tasks.append(
            {
                "number": task.number,
                "selected": selection is not None,
                "responsible": sorted(m.name for m in selection.responsible.all())
                if selection
                else [],
                "target": selection.target if selection else "",
            }
        )
    member_tasks: dict[int, list[int]] = {m.pk: [] for m in members}
    for selection in selections.values():
        for member in selection.responsible.all():
            member_tasks.setdefault(member.pk, []).append(selection.task.number)
    return {
        "program": program.code,
        "consortium": {
            "name": consortium.name,
            "authority": consortium.authority.name_zh,
            "entity_type": consortium.entity_type.code,
            "lead_unit_name": consortium.lead_unit_name,
            "lead_unit_kind": consortium.lead_unit_kind,
            "lead_unit_credit_code": consortium.lead_unit_credit_code,
            "contact_name": consortium.contact_name,
            "contact_title": consortium.contact_title,
            "contact_phone": consortium.contact_phone,
            "contact_email": consortium.contact_email,
            "signing_date": consortium.signing_date.isoformat() if consortium.signing_date else "",
        },
        "members": [
            {
                "name": m.name,
                "profile": m.profile,
                "role": m.role,
                "contact_name": m.contact_name,
                "contact_email": m.contact_email,
                "gets_account": m.gets_account,
                "tasks": sorted(member_tasks.get(m.pk, [])),
            }
            for m in members
        ],
        "work_foundation": plan.work_foundation,
        "implementation_plan": plan.implementation_plan,
        "tasks": tasks,
        "commitments": sorted(plan.commitments or []),
        "authority_opinion": plan.authority_opinion,
    }


def content_digest(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


def scan_digest(content: dict) -> str:
    """The digest a stamped scan is checked against: the content without the tasks' targets,
    which the official form does not print (changing a target needs no new stamp). A content
    without targets (frozen before targets existed) digests as it always did."""
    printed = {
        **content,
        "tasks": [
            {k: v for k, v in task.items() if k != "target"} for task in content.get("tasks", [])
        ],
    }
    return content_digest(printed)


def content_problems(plan: Plan, content: dict | None = None) -> dict[str, list[str]]:
    """What still keeps the plan from being submitted, per section (empty dict: complete)."""
    content = content or plan_content(plan)
    program = plan.consortium.program
    problems: dict[str, list[str]] = {}

    def add(section, message):
        problems.setdefault(section, []).append(message)

    if not content["consortium"]["signing_date"]:
        add("basic", _("Enter the signing date."))
    if not content["members"]:
        add("members", _("Add at least one member unit."))
    limits = text_limits(program)
    (foundation_guide, foundation_max) = limits["work_foundation"]
    foundation = count_characters(content["work_foundation"])
    if not foundation:
        add(
            "foundation",
            _("Describe the existing work foundation (about %(n)s characters).")
            % {"n": foundation_guide},
        )
    elif foundation > foundation_max:
        add(
            "foundation",
            _("The existing work foundation has %(n)d characters; at most %(max)d fit the form.")
            % {"n": foundation, "max": foundation_max},
        )
    (plan_guide, plan_max) = limits["implementation_plan"]
    plan_chars = count_characters(content["implementation_plan"])
    if not plan_chars:
        add(
            "plan",
            _("Write the implementation plan (about %(n)s characters).") % {"n": plan_guide},
        )
    elif plan_chars > plan_max:
        add(
            "plan",
            _("The implementation plan has %(n)d characters; at most %(max)d fit the form.")
            % {"n": plan_chars, "max": plan_max},
        )
    mandatory = set(program.tasks.filter(mandatory=True).values_list("number", flat=True))
    selected = {t["number"] for t in content["tasks"] if t["selected"]}
    if missing := sorted(mandatory - selected):
        add(
            "tasks",
            _("Mandatory tasks not selected: %(numbers)s.")
            % {"numbers": ", ".join(map(str, missing))},
        )
    if unassigned := [
        t["number"] for t in content["tasks"] if t["selected"] and not t["responsible"]
    ]:
        add(
            "tasks",
            _("Tasks without a responsible member unit: %(numbers)s.")
            % {"numbers": ", ".join(map(str, unassigned))},
        )
    # Each task taken on needs its target (预期目标) before a new submission; versions frozen
    # before targets existed have none and stay as they are.
    if untargeted := program.uses_task_table and [
        t["number"]
        for t in content["tasks"]
        if t["selected"] and not count_characters(t.get("target", ""))
    ]:
        add(
            "tasks",
            _("Tasks without a target: %(numbers)s.")
            % {"numbers": ", ".join(map(str, untargeted))},
        )
    if long := [
        t["number"]
        for t in content["tasks"]
        if t["selected"] and count_characters(t.get("target", "")) > TARGET_MAX_CHARS
    ]:
        add(
            "tasks",
            _("The target of task %(numbers)s is too long: at most %(max)d characters.")
            % {"numbers": ", ".join(map(str, long)), "max": TARGET_MAX_CHARS},
        )
    required = {c["key"] for c in program.plan_commitments}
    if required - set(content["commitments"]):
        add("commitment", _("Confirm every statement of the lead unit's commitment."))
    opinion = count_characters(content["authority_opinion"])
    if not opinion:
        add("opinion", _("Enter the recommending authority's opinion."))
    elif opinion > OPINION_MAX_CHARS:
        add(
            "opinion",
            _("The opinion has %(n)d characters; at most %(max)d fit the form.")
            % {"n": opinion, "max": OPINION_MAX_CHARS},
        )
    return problems


def raise_if_incomplete(plan: Plan, content: dict | None = None) -> None:
    problems = content_problems(plan, content)
    if problems:
        labels = section_labels(plan.consortium.program)
        raise ValidationError(
            {key: [f"{labels[key]}: {m}" for m in messages] for key, messages in problems.items()}
        )
