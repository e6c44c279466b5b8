"""Side-by-side comparison of two versions' content, with the differences marked."""

import difflib

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .content import section_labels


def _flatten(content: dict) -> dict[str, list[tuple[str, str]]]:
    """Content as (section -> [(field label, text)]) so any two versions line up field by field."""
    c = content["consortium"]
    members = [
        (m["name"], f"{m['profile']}\n{m['role']}\n{', '.join(map(str, m['tasks']))}")
        for m in content["members"]
    ]
    tasks = [(str(t["number"]), _task_text(t)) for t in content["tasks"]]
    return {
        "basic": [(k, str(v)) for k, v in c.items()],
        "members": members,
        "foundation": [("", content["work_foundation"])],
        "plan": [("", content["implementation_plan"])],
        "tasks": tasks,
        "commitment": [("", ", ".join(content["commitments"]))],
        "opinion": [("", content["authority_opinion"])],
    }


def _task_text(task: dict) -> str:
    """A task's row: its responsible units, then its target on a line of its own (versions
    frozen before targets existed have none)."""
    if not task["selected"]:
        return "—"
    text = ", ".join(task["responsible"])
    if task.get("target"):
        text += f"\n{task['target']}"
    return text


def _mark(a: str, b: str) -> tuple[str, str]:
    """HTML of a and b with deleted / inserted runs of characters wrapped in <del> / <ins>."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(a[i1:i2]))
            right.append(escape(b[j1:j2]))
        else:
            if i2 > i1:
                left.append(f"<del>{escape(a[i1:i2])}</del>")
            if j2 > j1:
                right.append(f"<ins>{escape(b[j1:j2])}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - every piece is escaped


def compare_versions(old: dict, new: dict, program=None) -> list[dict]:
    """Section by section, headed as the program's form heads them."""
    labels = section_labels(program)
    a, b = _flatten(old), _flatten(new)
    sections = []
    for key, label in labels.items():
        left = dict(a.get(key, []))
        right = dict(b.get(key, []))
        rows = []
        for field in list(dict.fromkeys([*left, *right])):
            old_text, new_text = left.get(field, ""), right.get(field, "")
            marked_old, marked_new = _mark(old_text, new_text)
            rows.append(
                {
                    "field": field,
                    "old": marked_old,
                    "new": marked_new,
                    "changed": old_text != new_text,
                }
            )
        sections.append(
            {"key": key, "label": label, "rows": rows, "changed": any(r["changed"] for r in rows)}
        )
    return sections


def compare_summary(old: dict, new: dict) -> dict[str, bool]:
    """Which sections changed (for the API)."""
    return {s["key"]: s["changed"] for s in compare_versions(old, new)}
