"""The dashboards' charts, built from selector output (``reporting.insights.dashboards``).

Each function takes figures or rows a selector already computed and returns one inline SVG
(``SafeString``) from ``reporting.insights.charts``; no queries. With a ``scope`` the bars and slices
link to the drill-down pages for the same filters; without one (e.g. in a PDF) they don't.
Labels are translated with ``gettext`` in the active language.
"""

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reporting.insights.charts import (
    REPORT_STATE_COLORS,
    STATUS_COLORS,
    ChartItem,
    DonutSlice,
    LineSeries,
    Series,
    StackRow,
    bar_chart,
    donut_chart,
    line_chart,
    stacked_bar_chart,
)
from reporting.insights.dashboards import Scope
from reporting.periods.models import TaskStatus
from reporting.periods.workflows import ReportState

NOTHING = "nothing_to_report"


def report_state_labels() -> dict[str, str]:
    """Report figure keys → translated labels ("" = not started)."""
    return {"not_started": _("Not started"), **{s.value: str(s.label) for s in ReportState}}


def task_status_labels() -> dict[str, str]:
    return {
        **{s.value: str(s.label) for s in TaskStatus},
        NOTHING: _("Nothing to report"),
        "attention": _("At risk or delayed"),
        "no_report": _("No report handed in"),
    }


def _url(name: str, scope: Scope | None, **overrides) -> str | None:
    if scope is None:
        return None
    query = scope.query(**overrides)
    return reverse(name) + (f"?{query}" if query else "")


def report_state_donut(figures: Mapping, scope: Scope | None = None) -> SafeString:
    """``figures``: ``overview(scope)["reports"]``; a slice per report state."""
    labels = report_state_labels()
    keys = ["not_started", "draft", "returned", "submitted", "confirmed", "accepted"]
    slices = [
        DonutSlice(
            labels[key],
            figures.get(key, 0),
            REPORT_STATE_COLORS[key],
            _url("dashboards:report-rows", scope, flag=key),
        )
        for key in keys
    ]
    return donut_chart(
        slices,
        title=_("Reports by state"),
        center_text=str(figures.get("expected", 0)),
        empty_text=_("No report expected."),
    )


def _status_series() -> list[Series]:
    labels = task_status_labels()
    return [Series(key, labels[key], STATUS_COLORS[key]) for key in [*TaskStatus.values, NOTHING]]


def category_status_chart(rows: Sequence[Mapping], scope: Scope | None = None) -> SafeString:
    """``rows``: ``category_table(scope)``; task statuses stacked per category."""
    series = _status_series()
    stack = [
        StackRow(
            f"{row['category'].number}. {row['category'].name}",
            [row.get(s.key, 0) for s in series],
            _url("dashboards:entry-rows", scope, category=row["category"].number),
        )
        for row in rows
    ]
    return stacked_bar_chart(
        stack,
        series=series,
        title=_("Task status by category"),
        empty_text=_("No task reported yet."),
    )


def trend_chart(rows: Sequence[Mapping]) -> SafeString:
    """``rows``: ``trend(scope)``; handed-in rate, on-time rate and mean % complete per period."""
    labels = [row["period"].name for row in rows]
    series = [
        LineSeries(
            _("Handed in (%)"), [row["reports"]["handed_in_rate"] for row in rows], "#2563eb"
        ),
        LineSeries(_("On time (%)"), [row["reports"]["on_time_rate"] for row in rows], "#16a34a"),
        LineSeries(_("Mean completion"), [row["tasks"]["mean_percent"] for row in rows], "#f59e0b"),
    ]
    return line_chart(
        labels,
        series,
        title=_("Trend across reporting periods"),
        percent=True,
        empty_text=_("No figures yet."),
    )


def datasets_by_industry_chart(rows: Sequence[Mapping], scope: Scope | None = None) -> SafeString:
    """``rows``: ``deliverable_breakdown(scope)["datasets"]``; links filter the dashboard."""
    items = [
        ChartItem(
            str(row["label"]),
            row["count"] or 0,
            _url("dashboards:overview", scope, industry=row["industry"]),
        )
        for row in rows
    ]
    return bar_chart(items, title=_("Datasets by industry"), empty_text=_("No dataset yet."))


def scenarios_by_stage_chart(rows: Sequence[Mapping]) -> SafeString:
    """``rows``: ``deliverable_breakdown(scope)["scenarios"]``."""
    items = [ChartItem(str(row["label"]), row["count"] or 0) for row in rows]
    return bar_chart(
        items, title=_("Application scenarios by stage"), empty_text=_("No scenario yet.")
    )


def province_attention_chart(rows: Sequence[Mapping], scope: Scope | None = None) -> SafeString:
    """``rows``: ``province_table(scope)``; tasks at risk and delayed per province."""
    labels = task_status_labels()
    series = [
        Series("at_risk", labels["at_risk"], STATUS_COLORS["at_risk"]),
        Series("delayed", labels["delayed"], STATUS_COLORS["delayed"]),
    ]
    stack = [
        StackRow(
            row["authority"].region_name or row["authority"].name,
            [row["tasks"]["at_risk"], row["tasks"]["delayed"]],
            _url(
                "dashboards:entry-rows", scope, province=row["authority"].code, status="attention"
            ),
        )
        for row in rows
    ]
    return stacked_bar_chart(
        stack,
        series=series,
        title=_("Tasks at risk or delayed by province"),
        empty_text=_("No task at risk or delayed."),
    )
