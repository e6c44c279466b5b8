"""Home-page items from reporting: reports to write, to confirm, to accept."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.inbox import InboxItem
from portal.permissions import is_ministry
from portal.roles import Role

from .models import ProgressReport
from .selectors import period_list, pilot_consortia_visible_to, report_list_visible_to
from .workflows import ReportState


def report_items(user) -> list[InboxItem]:
    role = getattr(user, "role", "")
    items: list[InboxItem] = []
    if role == Role.CONSORTIUM_LEAD:
        today = timezone.localdate()
        consortia = list(pilot_consortia_visible_to(user=user))
        done = {
            (r.consortium_id, r.period_id)
            for r in ProgressReport.objects.filter(consortium__in=consortia).exclude(
                state__in=[ReportState.DRAFT, ReportState.RETURNED]
            )
        }
        for consortium in consortia:
            for period in period_list(program=consortium.program).filter(
                opens_on__lte=today, locks_on__gte=today
            ):
                if (consortium.pk, period.pk) in done:
                    continue
                days = (period.due_date - today).days
                items.append(
                    InboxItem(
                        title=_("Write and submit the “%(period)s” of “%(name)s”")
                        % {"period": period.name, "name": consortium.name},
                        detail=_("due %(date)s") % {"date": period.due_date.isoformat()},
                        url=reverse("reporting:report-detail", args=[consortium.pk, period.code]),
                        due=period.due_date,
                        level="danger" if days < 0 else "warning" if days <= 14 else "info",
                    )
                )
    waiting = None
    if role == Role.PROVINCIAL_AUTHORITY:
        waiting, verb = ReportState.SUBMITTED, _("Confirm the “%(period)s” of “%(name)s”")
    elif is_ministry(user):
        waiting, verb = ReportState.CONFIRMED, _("Review the “%(period)s” of “%(name)s”")
    if waiting:
        for report in report_list_visible_to(user=user).filter(state=waiting)[:50]:
            items.append(
                InboxItem(
                    title=verb % {"period": report.period.name, "name": report.consortium.name},
                    url=reverse(
                        "reporting:report-detail", args=[report.consortium_id, report.period.code]
                    ),
                    level="warning",
                )
            )
    return items
