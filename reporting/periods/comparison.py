"""A report beside the same consortium's previous one: what carried over unchanged, side by side.

One reading serves the lead's confirmation page (which tasks still read like last period), the
reviewers' comparison page and the API's ``preview`` and ``compare`` endpoints.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from consortia.models import Consortium
from portal.prepared import Prepared
from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress

OVERALL_TEXT = ["summary", "key_figures", "problems", "requests"]
ENTRY_TEXT = ["work_done", "next_plan", "problems"]


# The report page's reads, made on every view and autosave: prepared (portal.prepared).
_report_with_period = Prepared(
    lambda consortium, program, code: (
        ProgressReport.objects.select_related("period")
        .filter(consortium=consortium, period__program=program, period__code=code)
        .order_by("pk")[:1]
    ),
    consortium=int,
    program=int,
    code=str,
)
_previous_report = Prepared(
    lambda consortium, program, due: (
        ProgressReport.objects.filter(
            consortium=consortium, period__program_id=program, period__due_date__lt=due
        )
        .select_related("period")
        .order_by("-period__due_date")[:1]
    ),
    consortium=int,
    program=int,
    due=dt.date,
)
_entries_with_tasks = Prepared(
    lambda report: TaskProgress.objects.filter(report=report).select_related("task"),
    report=int,
)
_entries_with_categories = Prepared(
    lambda report: TaskProgress.objects.filter(report=report).select_related("task__category"),
    report=int,
)


def report_with_period(*, consortium: int, program: int, code: str) -> ProgressReport | None:
    """The consortium's report of the program's period ``code``, its period read with it."""
    return _report_with_period.first(consortium=consortium, program=program, code=code)


def previous_report(*, consortium: Consortium, period: ReportingPeriod) -> ProgressReport | None:
    """The consortium's latest report for an earlier period of the same program, its entries
    read with it."""
    report = _previous_report.first(
        consortium=consortium.pk, program=period.program_id, due=period.due_date
    )
    if report is not None:
        prefetch_related_objects([report], "entries")
    return report


def _of(report: ProgressReport, entries: list[TaskProgress]) -> list[TaskProgress]:
    """The entries knowing their report, as ``report.entries`` gives them."""
    for entry in entries:
        entry.report = report
    return entries


def entries_with_tasks(report: ProgressReport) -> list[TaskProgress]:
    """The report's task entries with their task, in task order (what an autosave needs)."""
    return _of(report, _entries_with_tasks.all(report=report.pk))


def _same(current: str, previous: str | None) -> bool:
    """Unchanged: the same non-empty text (surrounding whitespace aside)."""
    return (
        previous is not None
        and bool((current or "").strip())
        and ((current or "").strip() == (previous or "").strip())
    )


def entry_unchanged_fields(entry: TaskProgress, previous: TaskProgress | None) -> list[str]:
    if previous is None or entry.nothing_to_report:
        return []
    return [f for f in ENTRY_TEXT if _same(getattr(entry, f), getattr(previous, f))]


@dataclass
class TaskComparison:
    entry: TaskProgress
    previous: TaskProgress | None
    unchanged: list[str] = field(default_factory=list)

    @property
    def task(self):
        return self.entry.task


@dataclass
class ReportComparison:
    report: ProgressReport
    previous: ProgressReport | None
    overall_unchanged: list[str]
    tasks: list[TaskComparison]

    @property
    def flagged(self) -> list[TaskComparison]:
        return [t for t in self.tasks if t.unchanged]

    @property
    def unanswered(self) -> list[int]:
        return [t.task.number for t in self.tasks if not t.entry.answered]

    @property
    def answered_count(self) -> int:
        return sum(1 for t in self.tasks if t.entry.answered)

    def overall_rows(self) -> list[dict]:
        return [
            {
                "field": name,
                "current": getattr(self.report, name),
                "previous": getattr(self.previous, name) if self.previous else None,
                "unchanged": name in self.overall_unchanged,
            }
            for name in OVERALL_TEXT
        ]

    def groups(self) -> list[dict]:
        """The tasks by category, in the order of the reference table."""
        out: list[dict] = []
        for item in self.tasks:
            category = item.task.category
            if not out or out[-1]["category"].pk != category.pk:
                out.append({"category": category, "tasks": []})
            out[-1]["tasks"].append(item)
        return out


def report_entries(report: ProgressReport) -> list[TaskProgress]:
    """The report's task entries with their task, category and evidence files, in task order."""
    entries = _of(report, _entries_with_categories.all(report=report.pk))
    prefetch_related_objects(entries, "evidence")
    return entries


def report_compare(
    *, report: ProgressReport, entries: list[TaskProgress] | None = None
) -> ReportComparison:
    """The report, each task beside the previous period's entry, with its unchanged texts.
    ``entries``: the report's ``report_entries`` if the caller has them already."""
    previous = previous_report(consortium=report.consortium, period=report.period)
    before = {e.task_id: e for e in previous.entries.all()} if previous else {}
    if entries is None:
        entries = report_entries(report)
    tasks = []
    for entry in entries:
        old = before.get(entry.task_id)
        tasks.append(TaskComparison(entry, old, entry_unchanged_fields(entry, old)))
    overall = (
        [f for f in OVERALL_TEXT if _same(getattr(report, f), getattr(previous, f))]
        if previous
        else []
    )
    return ReportComparison(report, previous, overall, tasks)
