"""Home-page items and panels from consortia: plans waiting for each role."""

from typing import NamedTuple

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.i18n import is_english, pick
from portal.inbox import InboxItem, Panel
from portal.permissions import is_ministry
from portal.prepared import Prepared
from portal.reversing import route_filler
from portal.roles import Role
from portal.widgets import template_value as _text

from .models import Plan, PlanReview
from .selectors import (
    amendments_waiting,
    consortium_list_visible_to,
    plan_deadlines_for,
    province_amendments_waiting,
    province_consortia,
    province_plans_waiting,
    quota_statuses,
    quota_summary,
)
from .workflows import AmendmentState, PlanAction, PlanState


def _returned_at(consortia) -> dict[int, object]:
    """When each returned plan was returned (one query; none when no plan is returned)."""
    out: dict[int, object] = {}
    returned = [c for c in consortia if c.plan.state == PlanState.RETURNED]
    if not returned:
        return out
    for plan_id, created_at in (
        PlanReview.objects.filter(
            version__plan__consortium__in=returned, decision=PlanAction.RETURN
        )
        .order_by("created_at")
        .values_list("version__plan_id", "created_at")
    ):
        out[plan_id] = created_at
    return out


def plan_items(user) -> list[InboxItem]:
    """Plans waiting for the user, each with since when it waits and the date it is due by."""
    role = getattr(user, "role", "")
    items = []
    consortia = consortium_list_visible_to(user=user)
    detail_url = route_filler("consortia:consortium-detail")
    if is_ministry(user):
        for c in consortia.filter(plan__state=PlanState.SUBMITTED).order_by(
            "plan__submitted_at", "pk"
        ):
            items.append(
                InboxItem(
                    title=_("Review the plan of “%(name)s” (%(region)s)")
                    % {"name": c.name, "region": c.authority.region_name},
                    url=detail_url(c.pk),
                    since=c.plan.submitted_at,
                    level="warning",
                )
            )
    elif role == Role.PROVINCIAL_AUTHORITY:
        waiting = province_plans_waiting(user=user)
        returned_at = _returned_at(waiting)
        # The user's own authority: its deadline and quota in each active program, as the
        # home's panel shows them (read once for both); a program closed since, on its own.
        terms = {
            row["program"].pk: (row["deadline"], row["full"]) for row in quota_summary(user=user)
        }
        closed = list(
            {c.program_id: c.program for c in waiting if c.program_id not in terms}.values()
        )
        if closed:
            authority_id = waiting[0].authority_id
            deadlines = plan_deadlines_for(programs=closed, authority_id=authority_id)
            quotas = quota_statuses(programs=closed, authority_id=authority_id)
            terms.update({p.pk: (deadlines[p.pk][0], quotas[p.pk]["full"]) for p in closed})
        for c in waiting:
            returned = c.plan.state == PlanState.RETURNED
            due, full = terms[c.program_id]
            # A draft needs a free slot to be submitted; a returned plan keeps its own.
            blocked = not returned and full
            items.append(
                InboxItem(
                    title=(
                        _("Revise and resubmit the plan of “%(name)s”: the Ministry returned it")
                        if returned
                        else _("Finish and submit the plan of “%(name)s”")
                    )
                    % {"name": c.name},
                    detail=_(
                        "Quota full: this draft cannot be submitted until a plan is rejected "
                        "or withdrawn."
                    )
                    if blocked
                    else "",
                    url=detail_url(c.pk),
                    due=due,
                    since=(returned_at.get(c.plan.pk) or c.plan.updated_at)
                    if returned
                    else c.created_at,
                    level="danger" if returned else "info",
                )
            )
    return items + amendment_items(user, consortia)


def amendment_items(user, consortia) -> list[InboxItem]:
    """Amendments waiting: for the Ministry the submitted ones, for the authority its drafts
    and returned ones."""
    if is_ministry(user):
        amendments = amendments_waiting(consortia, [AmendmentState.SUBMITTED])
    elif getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY:
        amendments = province_amendments_waiting(user=user)  # drafts and returned ones
    else:
        return []
    items = []
    amendment_url = route_filler("consortia:amendment-detail", 2)
    for a in amendments:
        c = a.plan.consortium
        if a.state == AmendmentState.SUBMITTED:
            title = _("Review the amendment of the plan of “%(name)s” (%(region)s)") % {
                "name": c.name,
                "region": c.authority.region_name,
            }
        elif a.state == AmendmentState.RETURNED:
            title = _("Revise and resubmit the amendment of the plan of “%(name)s”") % {
                "name": c.name
            }
        else:
            title = _("Finish and submit the amendment of the plan of “%(name)s”") % {
                "name": c.name
            }
        items.append(
            InboxItem(
                title=title,
                url=amendment_url(c.pk, a.number),
                since=a.submitted_at if a.state == AmendmentState.SUBMITTED else a.updated_at,
                level="warning" if a.state == AmendmentState.SUBMITTED else "info",
            )
        )
    return items


def plan_state_labels() -> dict[str, str]:
    """What ``plan.get_state_display()`` gives for each state, in the active language, read once
    (Django reads every label again for each call)."""
    return {value: str(label) for value, label in Plan._meta.get_field("state").flatchoices}


class PanelRow(NamedTuple):
    """What the home page's consortia panel shows of a consortium, in the active language."""

    pk: int
    name: str
    program: str  # its short name
    region: str  # its authority's region
    state: str | None  # its plan's state; None without a plan


# The columns a panel row is read from (``panel_rows``): plain values, no model objects.
PANEL_COLUMNS = (
    "pk",
    "name",
    "program__short_name_zh",
    "program__short_name_en",
    "authority__region_name_zh",
    "authority__region_name_en",
    "plan__state",
)


def panel_rows(values) -> list[PanelRow]:
    """``PANEL_COLUMNS`` tuples as ``PanelRow``s, each name in the active language as
    ``portal.i18n.localized`` picks it (``pick``)."""
    english = is_english()
    return [
        PanelRow(
            pk,
            name,
            pick(program_zh, program_en, english=english),
            pick(region_zh, region_en, english=english),
            state,
        )
        for pk, name, program_zh, program_en, region_zh, region_en, state in values
    ]


def consortium_row_html(row: PanelRow, state_labels: dict[str, str], detail_url=None) -> str:
    """A consortium's row in the home page's panel (``consortia/panel_consortia.html``), with
    the whitespace around it: in Python what this template loop body writes over the consortia
    (``test_home`` compares them)::

        <tr><td><a href="{% url 'consortia:consortium-detail' c.pk %}">{{ c.name }}</a></td>
        <td>{{ c.program.short_name }}</td><td>{{ c.authority.region_name }}</td>
        <td><span class="state state-{{ c.plan.state }}">{{ c.plan.get_state_display }}</span>
        </td></tr>

    ``state_labels``: ``plan_state_labels()``; ``detail_url``: the consortium page's
    ``route_filler`` (made once for the rows). Fifty rows a page: a fraction of the template's
    cost, and of reading them as model objects."""
    if row.state is None:  # the template writes nothing for a missing plan
        state = display = ""
    else:
        state, display = _text(row.state), _text(state_labels.get(row.state, row.state))
    url = _text((detail_url or route_filler("consortia:consortium-detail"))(row.pk))
    return mark_safe(  # noqa: S308 - every value escaped (_text)
        f'\n      <tr><td><a href="{url}">{_text(row.name)}</a></td>'
        f"<td>{_text(row.program)}</td><td>{_text(row.region)}</td>\n"
        f'        <td><span class="state state-{state}">{display}</span></td></tr>\n    '
    )


def _panel_values(consortia):
    """The first 50 of ``consortia`` as ``PANEL_COLUMNS`` tuples."""
    return consortia.select_related(None).values_list(*PANEL_COLUMNS)[:50]


# A province's home shows its panel on every view: prepared (portal.prepared).
_province_panel_values = Prepared(
    lambda authority: _panel_values(province_consortia(authority)), authority=int
)


def consortia_panel(user, area: str) -> Panel | None:
    # What the panel shows of each: its name, program, authority and plan state.
    if getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY:
        values = (
            _province_panel_values.all(authority=user.organisation_id)
            if user.organisation_id is not None
            else []
        )
    else:
        values = _panel_values(consortium_list_visible_to(user=user))
    rows = panel_rows(values)
    labels = plan_state_labels()
    detail_url = route_filler("consortia:consortium-detail")
    return Panel(
        template="consortia/panel_consortia.html",
        context={
            "rows": [consortium_row_html(row, labels, detail_url) for row in rows],
            "quotas": quota_summary(user=user),
            "area": area,
            "can_create": getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY,
        },
        order=20,
    )
