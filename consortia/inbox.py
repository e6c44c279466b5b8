"""Home-page items and panels from consortia: plans waiting for each role."""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.inbox import InboxItem, Panel
from portal.permissions import is_ministry
from portal.roles import Role

from .selectors import consortium_list_visible_to, quota_summary
from .workflows import PlanState


def plan_items(user) -> list[InboxItem]:
    role = getattr(user, "role", "")
    items = []
    consortia = consortium_list_visible_to(user=user)
    if is_ministry(user):
        for c in consortia.filter(plan__state=PlanState.SUBMITTED):
            items.append(
                InboxItem(
                    title=_("Review the plan of “%(name)s” (%(region)s)")
                    % {"name": c.name, "region": c.authority.region_name},
                    url=reverse("consortia:consortium-detail", args=[c.pk]),
                    level="warning",
                )
            )
    elif role == Role.PROVINCIAL_AUTHORITY:
        for c in consortia.filter(plan__state__in=[PlanState.DRAFT, PlanState.RETURNED]):
            returned = c.plan.state == PlanState.RETURNED
            items.append(
                InboxItem(
                    title=(
                        _("Revise and resubmit the plan of “%(name)s”: the Ministry returned it")
                        if returned
                        else _("Finish and submit the plan of “%(name)s”")
                    )
                    % {"name": c.name},
                    url=reverse("consortia:consortium-detail", args=[c.pk]),
                    level="danger" if returned else "info",
                )
            )
    return items


def consortia_panel(user, area: str) -> Panel | None:
    consortia = list(consortium_list_visible_to(user=user)[:50])
    return Panel(
        template="consortia/panel_consortia.html",
        context={
            "consortia": consortia,
            "quotas": quota_summary(user=user),
            "area": area,
            "can_create": getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY,
        },
        order=20,
    )
