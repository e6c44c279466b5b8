"""Reads of periods, reports and deliverables, scoped to who asks."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from consortia.models import Consortium
from consortia.selectors import consortium_list_visible_to
from portal.prepared import Prepared
from reporting.periods.expectations import HANDED_IN, is_expected, is_overdue, not_expected_reason
from reporting.periods.models import (
    PeriodReopening,
    ProgressReport,
    ReportingPeriod,
    ReportReview,
)
from tasks_catalog.models import CalendarEntry


def period_list(*, program=None) -> QuerySet[ReportingPeriod]:
    qs = ReportingPeriod.objects.select_related("program")
    return qs.filter(program=program) if program is not None else qs


# Asked on every view and save of a report: prepared (portal.prepared).
_reopened_until = Prepared(
    lambda period, consortium: (
        PeriodReopening.objects.filter(period=period, consortium=consortium)
        .order_by("-locks_on")
        .values_list("locks_on", flat=True)[:1]
    ),
    period=int,
    consortium=int,
)


def period_lock_date(*, period: ReportingPeriod, consortium: Consortium) -> dt.date:
    """The period's lock date, or the latest reopening granted to this consortium."""
    reopened = _reopened_until.first(period=period.pk, consortium=consortium.pk)
    if reopened and reopened > period.locks_on:
        return reopened
    return period.locks_on


def period_is_open(
    *,
    period: ReportingPeriod,
    consortium: Consortium,
    today: dt.date | None = None,
    lock_date: dt.date | None = None,
) -> bool:
    """``lock_date``: the consortium's ``period_lock_date`` if the caller has it already."""
    today = today or timezone.localdate()
    if lock_date is None:
        lock_date = period_lock_date(period=period, consortium=consortium)
    return period.opens_on <= today <= lock_date


def pilot_consortia_visible_to(*, user) -> QuerySet[Consortium]:
    return consortium_list_visible_to(user=user).filter(pilot_since__isnull=False)


def report_list_visible_to(*, user) -> QuerySet[ProgressReport]:
    return reports_of(consortium_list_visible_to(user=user))


_reviews = Prepared(
    lambda report: ReportReview.objects.filter(report=report).select_related("reviewer"),
    report=int,
)


def report_reviews(report: ProgressReport) -> list[ReportReview]:
    """The report's reviews with their reviewers, as ``report.reviews`` lists them (the report
    page reads them on every view: prepared)."""
    reviews = _reviews.all(report=report.pk)
    for review in reviews:
        review.report = report
    return reviews


def reports_of(consortia) -> QuerySet[ProgressReport]:
    """The reports of ``consortia``, each with its consortium, authority, program and period."""
    return ProgressReport.objects.filter(consortium__in=consortia).select_related(
        "consortium__authority", "consortium__program", "period"
    )


@dataclass(frozen=True)
class PeriodStatus:
    """One consortium × period as its lead sees it: expected or not (and why), its report,
    overdue, locked (entry closed after the lock date, no reopening)."""

    consortium: Consortium
    period: ReportingPeriod
    report: ProgressReport | None
    expected: bool
    reason: str  # why not expected; "" when expected
    overdue: bool
    lock_date: dt.date
    locked: bool

    @property
    def handed_in(self) -> bool:
        return self.report is not None and self.report.state in HANDED_IN


def period_statuses(
    *, consortia: Iterable[Consortium], today: dt.date | None = None
) -> list[PeriodStatus]:
    """Every consortium × every period of its program, in due-date order, judged by the one
    rule (``reporting.periods.expectations``). Three queries whatever the number of consortia."""
    today = today or timezone.localdate()
    consortia = list(consortia)
    if not consortia:
        return []
    periods: dict[int, list[ReportingPeriod]] = {}
    for period in ReportingPeriod.objects.filter(
        program__in={c.program_id for c in consortia}
    ).order_by("due_date", "pk"):
        periods.setdefault(period.program_id, []).append(period)
    reports = {
        (r.consortium_id, r.period_id): r
        for r in ProgressReport.objects.filter(consortium__in=consortia)
    }
    reopened: dict[tuple[int, int], dt.date] = {}
    for consortium_id, period_id, locks_on in PeriodReopening.objects.filter(
        consortium__in=consortia
    ).values_list("consortium_id", "period_id", "locks_on"):
        key = (consortium_id, period_id)
        reopened[key] = max(locks_on, reopened.get(key, locks_on))
    out = []
    for consortium in consortia:
        for period in periods.get(consortium.program_id, []):
            key = (consortium.pk, period.pk)
            report = reports.get(key)
            lock_date = max(period.locks_on, reopened.get(key, period.locks_on))
            out.append(
                PeriodStatus(
                    consortium=consortium,
                    period=period,
                    report=report,
                    expected=is_expected(consortium=consortium, period=period, today=today),
                    reason=not_expected_reason(consortium=consortium, period=period, today=today),
                    overdue=is_overdue(
                        consortium=consortium,
                        period=period,
                        state=report.state if report else None,
                        today=today,
                    ),
                    lock_date=lock_date,
                    locked=today > lock_date,
                )
            )
    return out


def period_is_final(period: ReportingPeriod) -> bool:
    """The program's final summary period (its calendar entry of kind ``final``): reported with
    the final summary form (``reporting/final/``), not the progress report form."""
    entry = period.calendar_entry
    return entry is not None and entry.kind == CalendarEntry.Kind.FINAL
