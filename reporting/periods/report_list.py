"""The reports list: one row per visible pilot × period it is expected to report for, with its
report's state (or none).

Rows are consortia annotated with one of their program's periods (a join, not a loop), so a
not-started report is a row too: it is the one most likely to be overdue. The filters, search
and sort below are one definition for the page (``/reports/``) and the API
(``/api/v1/reporting-status/``).
"""

import datetime as dt

import django_filters
from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from consortia.filters import ConsortiumRowFilter
from consortia.models import Consortium
from reporting.periods.expectations import HANDED_IN, expected_pairs
from reporting.periods.models import ProgressReport, ReportingPeriod
from reporting.periods.selectors import pilot_consortia_visible_to
from reporting.periods.workflows import ReportState

NOT_STARTED = "not_started"


def row_state_choices() -> list[tuple[str, str]]:
    return [(NOT_STARTED, _("Not started")), *ReportState.choices]


def report_rows_visible_to(*, user, today: dt.date | None = None) -> QuerySet[Consortium]:
    """Every pilot the user may see × every period it is expected to report for (the one rule,
    ``reporting/expectations.py``), as consortia annotated with ``period_ref``,
    ``period_code``, ``period_due``, ``report_ref`` (None when not started), ``report_state``
    (``not_started`` or the report's state), ``report_submitted`` and ``overdue``."""
    today = today or timezone.localdate()
    report = ProgressReport.objects.filter(
        consortium=OuterRef("pk"), period=OuterRef("period_ref")
    ).order_by()
    return (
        expected_pairs(pilot_consortia_visible_to(user=user), today=today)
        .annotate(
            period_ref=F("expected_period"),
            period_code=F("program__periods__code"),
            period_due=F("expected_due"),
        )
        .annotate(
            report_ref=Subquery(report.values("pk")[:1]),
            report_state=Coalesce(Subquery(report.values("state")[:1]), Value(NOT_STARTED)),
            report_submitted=Subquery(report.values("submitted_at")[:1]),
        )
        .annotate(
            # Every row is expected: overdue = not handed in and past the due date.
            overdue=Case(
                When(Q(period_due__lt=today) & ~Q(report_state__in=HANDED_IN), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("period_due", "authority__sort_order", "name", "pk")
    )


def report_rows_with_periods(rows) -> list[Consortium]:
    """The rows of one page, each with its ``period`` object attached (one query for the page)."""
    rows = list(rows)
    periods = ReportingPeriod.objects.in_bulk({r.period_ref for r in rows})
    for row in rows:
        row.period = periods[row.period_ref]
    return rows


@extend_schema_field({"type": "string", "enum": [NOT_STARTED, *ReportState.values]})
class RowStateFilter(django_filters.ChoiceFilter):
    """The row's state: ``not_started`` or the report's (an annotation, so typed here)."""


class ReportRowFilter(ConsortiumRowFilter):
    period = django_filters.CharFilter(
        field_name="period_code",
        label=_("Reporting period"),
        help_text="Period code, e.g. 2026-q2.",
    )
    state = RowStateFilter(
        field_name="report_state",
        choices=row_state_choices,
        label=_("State"),
        help_text="not_started, or the report's state.",
    )
    overdue = django_filters.BooleanFilter(
        field_name="overdue",
        label=_("Overdue"),
        help_text="true: only reports past their due date and not handed in.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "consortium"),
            ("authority__sort_order", "authority"),
            ("period_due", "due_date"),
            ("report_state", "state"),
            ("report_submitted", "submitted"),
        ),
        label=_("Sort by"),
        help_text="consortium, authority, due_date, state or submitted; a leading minus sorts "
        "descending.",
    )

    class Meta:
        model = Consortium
        fields = ["program", "period", "authority", "state", "overdue", "search"]

    def filter_queryset(self, queryset):
        # A stable order whatever the column sorted by, so pages neither repeat nor skip rows.
        queryset = super().filter_queryset(queryset)
        order = list(queryset.query.order_by)
        return queryset.order_by(*order, "pk", "period_due") if "pk" not in order else queryset
