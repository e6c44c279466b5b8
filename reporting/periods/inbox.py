"""Home-page items from reporting: reports to write, to confirm, to accept; the lead's panel of
overdue and locked reports. Who has to report, and what is overdue: ``reporting.periods.expectations``."""

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.selectors import province_consortia
from portal.inbox import InboxItem, Panel
from portal.permissions import is_ministry
from portal.prepared import Prepared
from portal.reversing import route_filler
from portal.roles import Role
from reporting.periods.models import ReportReview
from reporting.periods.selectors import (
    period_statuses,
    pilot_consortia_visible_to,
    report_list_visible_to,
    reports_of,
)
from reporting.periods.workflows import ReportAction, ReportState

SOON_DAYS = 14
WAITING_SHOWN = 50


def _report_url():
    """The report pages' addresses, ``(consortium_id, period_code)`` → path, for many rows."""
    return route_filler("reporting:report-detail", 2)


def _returned_at(reports) -> dict[int, object]:
    """When each report was last returned for revision (one query)."""
    ids = [r.pk for r in reports if r is not None and r.state == ReportState.RETURNED]
    out: dict[int, object] = {}
    for report_id, created_at in (
        ReportReview.objects.filter(report_id__in=ids, action=ReportAction.RETURN)
        .order_by("created_at")
        .values_list("report_id", "created_at")
    ):
        out[report_id] = created_at
    return out


def _lead_items(user) -> list[InboxItem]:
    """Reports the lead has to write: expected, not handed in, entry still open."""
    today = timezone.localdate()
    statuses = [
        s
        for s in period_statuses(consortia=pilot_consortia_visible_to(user=user), today=today)
        if s.expected and not s.handed_in and not s.locked
    ]
    returned = _returned_at([s.report for s in statuses])
    items = []
    report_url = _report_url()
    for s in statuses:
        names = {"period": s.period.name, "name": s.consortium.name}
        days = (s.period.due_date - today).days
        if s.report is not None and s.report.state == ReportState.RETURNED:
            title = _("Revise and resubmit the “%(period)s” of “%(name)s”: it was returned") % names
            since = returned.get(s.report.pk) or s.period.opens_on
        else:
            title = _("Write and submit the “%(period)s” of “%(name)s”") % names
            since = s.period.opens_on
        detail = (
            _("Overdue: entry closes after %(date)s.") % {"date": s.lock_date.isoformat()}
            if s.overdue
            else ""
        )
        items.append(
            InboxItem(
                title=title,
                detail=detail,
                url=report_url(s.consortium.pk, s.period.code),
                due=s.period.due_date,
                since=since,
                level="danger" if s.overdue else "warning" if days <= SOON_DAYS else "info",
            )
        )
    return items


def _waiting(reports, waiting: str):
    """The first ``WAITING_SHOWN`` of ``reports`` in the state ``waiting``, oldest first: since
    submitted (province) or since the province confirmed them (Ministry), with what an item
    shows (the period's name, code and due date, the consortium's name)."""
    reports = (
        reports.filter(state=waiting)
        .select_related(None)
        .select_related("consortium", "period")
        .only(
            "consortium__name",
            "period__name_zh",
            "period__name_en",
            "period__code",
            "period__due_date",
            "submitted_at",
        )
    )
    if waiting == ReportState.SUBMITTED:
        reports = reports.annotate(waiting_since=F("submitted_at"))
    else:
        confirmed = (
            ReportReview.objects.filter(report=OuterRef("pk"), action=ReportAction.CONFIRM)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        reports = reports.annotate(waiting_since=Subquery(confirmed))
    return reports.order_by("waiting_since", "period__due_date", "pk")[:WAITING_SHOWN]


# A province's home lists them on every view: prepared (portal.prepared).
_province_waiting = Prepared(
    lambda authority: _waiting(reports_of(province_consortia(authority)), ReportState.SUBMITTED),
    authority=int,
)


def _review_items(user, *, waiting: str, verb: str) -> list[InboxItem]:
    """Reports waiting for the user's review (``_waiting``)."""
    if getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY and waiting == ReportState.SUBMITTED:
        reports = (
            _province_waiting.all(authority=user.organisation_id)
            if user.organisation_id is not None
            else []
        )
    else:
        reports = _waiting(report_list_visible_to(user=user), waiting)
    items = []
    report_url = _report_url()
    for report in reports:
        items.append(
            InboxItem(
                title=verb % {"period": report.period.name, "name": report.consortium.name},
                url=report_url(report.consortium_id, report.period.code),
                due=report.period.due_date,
                since=report.waiting_since or report.submitted_at,
                level="warning",
            )
        )
    return items


def report_items(user) -> list[InboxItem]:
    role = getattr(user, "role", "")
    if role == Role.CONSORTIUM_LEAD:
        return _lead_items(user)
    if role == Role.PROVINCIAL_AUTHORITY:
        return _review_items(
            user,
            waiting=ReportState.SUBMITTED,
            verb=_("Confirm the “%(period)s” of “%(name)s”"),
        )
    if is_ministry(user):
        return _review_items(
            user,
            waiting=ReportState.CONFIRMED,
            verb=_("Review the “%(period)s” of “%(name)s”"),
        )
    return []


def reports_panel(user, area: str) -> Panel | None:
    """The consortium's home: its overdue reports and its locked ones (entry closed after the
    lock date and not reopened: only the Ministry administrator can reopen them)."""
    if area != "consortium":
        return None
    statuses = period_statuses(consortia=pilot_consortia_visible_to(user=user))
    if not statuses:
        return None
    overdue = [s for s in statuses if s.overdue and not s.locked]
    locked = [s for s in statuses if s.expected and not s.handed_in and s.locked]
    return Panel(
        template="reporting/panel_reports.html",
        context={"overdue": overdue, "locked": locked, "area": area},
        order=10,
    )
