"""Reads of periods, reports and deliverables, scoped to who asks."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from consortia.models import Consortium
from consortia.selectors import consortium_list_visible_to

from .models import PeriodReopening, ProgressReport, ReportingPeriod


def period_list(*, program=None) -> QuerySet[ReportingPeriod]:
    qs = ReportingPeriod.objects.select_related("program")
    return qs.filter(program=program) if program is not None else qs


def period_lock_date(*, period: ReportingPeriod, consortium: Consortium) -> dt.date:
    """The period's lock date, or the latest reopening granted to this consortium."""
    reopening = (
        PeriodReopening.objects.filter(period=period, consortium=consortium)
        .order_by("-locks_on")
        .first()
    )
    if reopening and reopening.locks_on > period.locks_on:
        return reopening.locks_on
    return period.locks_on


def period_is_open(
    *, period: ReportingPeriod, consortium: Consortium, today: dt.date | None = None
) -> bool:
    today = today or timezone.localdate()
    return period.opens_on <= today <= period_lock_date(period=period, consortium=consortium)


def pilot_consortia_visible_to(*, user) -> QuerySet[Consortium]:
    return consortium_list_visible_to(user=user).filter(pilot_since__isnull=False)


def report_list_visible_to(*, user) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(
        consortium__in=consortium_list_visible_to(user=user)
    ).select_related("consortium__authority", "consortium__program", "period")
