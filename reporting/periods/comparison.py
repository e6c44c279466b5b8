"""A report beside the same consortium's previous one: what carried over unchanged, side by side.

One reading serves the lead's confirmation page (which tasks still read like last period), the
reviewers' comparison page and the API's ``preview`` and ``compare`` endpoints.
"""

from dataclasses import dataclass, field

from consortia.models import Consortium
from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress

OVERALL_TEXT = ["summary", "key_figures", "problems", "requests"]
ENTRY_TEXT = ["work_done", "next_plan", "problems"]


def previous_report(*, consortium: Consortium, period: ReportingPeriod) -> ProgressReport | None:
    """The consortium's latest report for an earlier period of the same program."""
    return (
        ProgressReport.objects.filter(
            consortium=consortium,
            period__program_id=period.program_id,
            period__due_date__lt=period.due_date,
        )
        .select_related("period")
        .order_by("-period__due_date")
        .prefetch_related("entries")
        .first()
    )


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
    return list(report.entries.select_related("task__category").prefetch_related("evidence"))


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
