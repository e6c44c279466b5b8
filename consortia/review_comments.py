"""The Ministry's comments per section, where the plan is edited and where versions are compared."""

from django.utils import timezone

from .models import Plan, PlanVersion
from .workflows import PlanAction, PlanState

# Plan form fields → the section of the official form they belong to.
FIELD_SECTIONS = {
    "work_foundation": "foundation",
    "implementation_plan": "plan",
    "commitments": "commitment",
    "authority_opinion": "opinion",
}


def _comment(version: PlanVersion, section: str, text: str) -> dict:
    review = version.review
    return {
        "section": section,
        "text": text,
        "version": version.number,
        "reviewer": review.reviewer.display_name,
        "time": timezone.localtime(review.created_at),
    }


def returned_comments(plan: Plan) -> dict[str, dict]:
    """While the plan is returned: the return's comment on each section, by section key."""
    if plan.state != PlanState.RETURNED:
        return {}
    version = plan.versions.select_related("review__reviewer").order_by("-number").first()
    review = getattr(version, "review", None) if version is not None else None
    if review is None or review.decision != PlanAction.RETURN:
        return {}
    return {k: _comment(version, k, v) for k, v in (review.section_comments or {}).items() if v}


def comments_between(versions: dict[int, PlanVersion], a: int, b: int) -> dict[str, list[dict]]:
    """The comments made on the versions from ``a`` up to (not including) ``b``: what the newer
    version was asked to change, by section key, oldest first."""
    low, high = sorted((a, b))
    out: dict[str, list[dict]] = {}
    for number in sorted(versions):
        version = versions[number]
        if not (low <= number < high) or not hasattr(version, "review"):
            continue
        for key, text in (version.review.section_comments or {}).items():
            if text:
                out.setdefault(key, []).append(_comment(version, key, text))
    return out
