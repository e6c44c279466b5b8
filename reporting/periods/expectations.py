"""Who is expected to report for a period, and when a report is overdue: the one rule.

A consortium is **expected** to report for a reporting period when

1. it is an approved pilot (``Consortium.pilot_since`` is set),
2. it became one on a day strictly before the period's due date (``pilot_since < due_date``;
   both are Beijing local dates), and
3. the period has opened (``opens_on <= today``).

A pilot approved on or after a period's due date is not expected for that period: it neither
counts in "expected" nor becomes overdue, and it cannot start that report.

A report is **overdue** when it is expected, not handed in (submitted, confirmed or accepted)
and ``today > due_date``. A period is **due** when ``today > due_date``: only then has an
on-time rate (or a "late" count) a meaning; before, figures say "not yet due".

Everything that counts expected or overdue reports (roll-ups, dashboards, exports, the summary
PDF, reminders, home pages, the reports list, the report service) asks this module, as a Python
predicate for one consortium × period or as ORM conditions for many.
"""

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.models import Consortium
from reporting.periods.models import ProgressReport, ReportingPeriod
from reporting.periods.workflows import ReportState

#: States of a report that has been handed in (what "not handed in" is the opposite of).
HANDED_IN = (ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.ACCEPTED)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- one consortium × one period ------------------------------------------------------------------


def is_due(*, period: ReportingPeriod, today: dt.date | None = None) -> bool:
    """The period's due date has passed (``today > due_date``)."""
    return _today(today) > period.due_date


def became_pilot_in_time(*, consortium: Consortium, period: ReportingPeriod) -> bool:
    """An approved pilot since a day strictly before the period's due date."""
    return consortium.pilot_since is not None and consortium.pilot_since < period.due_date


def is_expected(
    *, consortium: Consortium, period: ReportingPeriod, today: dt.date | None = None
) -> bool:
    """The consortium has to report for the period (see the module's rule)."""
    return (
        period.program_id == consortium.program_id
        and became_pilot_in_time(consortium=consortium, period=period)
        and period.opens_on <= _today(today)
    )


def is_overdue(
    *,
    consortium: Consortium,
    period: ReportingPeriod,
    state: str | None,
    today: dt.date | None = None,
) -> bool:
    """Expected, not handed in (``state`` None or "" when not started), and past its due date."""
    today = _today(today)
    return (
        is_expected(consortium=consortium, period=period, today=today)
        and state not in HANDED_IN
        and today > period.due_date
    )


def not_expected_reason(
    *, consortium: Consortium, period: ReportingPeriod, today: dt.date | None = None
) -> str:
    """Why the consortium is not expected to report for the period (translated); "" if it is."""
    if is_expected(consortium=consortium, period=period, today=today):
        return ""
    if consortium.pilot_since is None:
        return _("Only approved pilot consortia report.")
    if period.program_id != consortium.program_id:
        return _("This period belongs to another program.")
    if not became_pilot_in_time(consortium=consortium, period=period):
        return _("Not required: the consortium became a pilot on or after this period's due date.")
    return _("This reporting period has not opened yet.")


def rule_text() -> str:
    """The rule in words, for the dashboard's help text and the summary PDF (translated)."""
    return _(
        "A consortium is expected to report for a period if it became an approved pilot before "
        "the period's due date and the period has opened; a pilot approved on or after the due "
        "date is not expected for that period. A report is overdue when it is expected, not "
        "handed in and its due date has passed. The on-time rate counts reports first handed "
        "in by the due date, out of those expected, and is shown only once the due date has "
        "passed (before that: “Not yet due”)."
    )


# --- many: ORM conditions -------------------------------------------------------------------------


def period_due_q(*, today: dt.date, prefix: str = "") -> Q:
    """Condition on ``ReportingPeriod`` (or through ``prefix``): past its due date."""
    return Q(**{f"{prefix}due_date__lt": today})


def expected_for_period_q(*, period: ReportingPeriod, today: dt.date, prefix: str = "") -> Q:
    """Condition on ``Consortium`` (or a model reaching it through ``prefix``, e.g.
    ``"plan__consortium__"`` for task selections): expected to report for this one period."""
    if period.opens_on > today:
        return Q(pk__in=[])
    return Q(
        **{
            f"{prefix}program_id": period.program_id,
            f"{prefix}pilot_since__isnull": False,
            f"{prefix}pilot_since__lt": period.due_date,
        }
    )


def expected_q(*, today: dt.date, prefix: str = "") -> Q:
    """Condition on ``ProgressReport`` (or a model reaching it through ``prefix``, e.g.
    ``"report__"`` for task entries): the report's consortium is expected for its period."""
    p = prefix
    return Q(
        **{
            f"{p}consortium__pilot_since__isnull": False,
            f"{p}consortium__pilot_since__lt": F(f"{p}period__due_date"),
            f"{p}period__opens_on__lte": today,
        }
    )


def handed_in_q(*, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state__in": HANDED_IN})


def overdue_q(*, today: dt.date, prefix: str = "") -> Q:
    """Condition on ``ProgressReport``: expected, not handed in, past its due date."""
    return (
        expected_q(today=today, prefix=prefix)
        & ~handed_in_q(prefix=prefix)
        & Q(**{f"{prefix}period__due_date__lt": today})
    )


def expected_reports(
    qs: QuerySet[ProgressReport] | None = None, *, today: dt.date | None = None
) -> QuerySet[ProgressReport]:
    """The reports (of ``qs``, default all) whose consortium is expected for their period."""
    qs = ProgressReport.objects.all() if qs is None else qs
    return qs.filter(expected_q(today=_today(today)))


def overdue_reports(
    qs: QuerySet[ProgressReport] | None = None, *, today: dt.date | None = None
) -> QuerySet[ProgressReport]:
    """Started reports that are overdue (a not-started one has no row: see ``expected_pairs``)."""
    qs = ProgressReport.objects.all() if qs is None else qs
    return qs.filter(overdue_q(today=_today(today)))


def expected_periods(
    *, consortium: Consortium, today: dt.date | None = None
) -> QuerySet[ReportingPeriod]:
    """The periods of the consortium's program it is expected to report for, by due date."""
    if consortium.pilot_since is None:
        return ReportingPeriod.objects.none()
    return ReportingPeriod.objects.filter(
        program_id=consortium.program_id,
        due_date__gt=consortium.pilot_since,
        opens_on__lte=_today(today),
    ).order_by("due_date", "pk")


def expected_pairs(
    consortia: QuerySet[Consortium] | None = None,
    *,
    today: dt.date | None = None,
    periods=None,
) -> QuerySet[Consortium]:
    """Consortium × period, one row per expected pair: consortia (of ``consortia``, default all)
    annotated with ``expected_period`` (the period's id) and ``expected_due`` (its due date).

    The period is joined once (one ``filter`` call, which the annotations reuse); ``periods``
    (ids or a queryset) narrows the periods.
    """
    qs = Consortium.objects.all() if consortia is None else consortia
    conditions = {
        "pilot_since__isnull": False,
        "program__periods__due_date__gt": F("pilot_since"),
        "program__periods__opens_on__lte": _today(today),
    }
    if periods is not None:
        conditions["program__periods__in"] = periods
    return qs.filter(**conditions).annotate(
        expected_period=F("program__periods"), expected_due=F("program__periods__due_date")
    )
