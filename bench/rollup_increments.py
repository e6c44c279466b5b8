"""The incremental roll-up of one consortium's change (``reporting.insights.rollups.rollup_apply``),
timed at the sizes of ``bench/dashboards.py`` (which calls ``measure`` and prints ``lines``).

Three kinds of change, each applied once untimed, then RUNS times timed, each in its own
transaction (commit included), for a pilot of the busiest province × entity type (the largest
group an increment computes again):

- a report transition: the consortium's row for the period, its group's task rows of the period;
- a plan transition (its approval): the consortium's rows of every opened period, its group's
  selection and plan rows;
- a deliverable saved or deleted: its group's deliverable rows.

Goal (issue 15): p95 ≤ 30 ms for a transition, at 2,000 and at 20,000 consortia.
"""

import statistics
import time

GOAL_MS = 30.0
RUNS = 30


def _busiest_pilot():
    """A handed-in report of a pilot in the province × entity type with the most pilots."""
    from django.db.models import Count

    from consortia.models import Consortium
    from reporting.periods.models import ProgressReport

    group = (
        Consortium.objects.filter(pilot_since__isnull=False)
        .values("program", "authority", "entity_type")
        .annotate(n=Count("id"))
        .order_by("-n", "program", "authority", "entity_type")
        .first()
    )
    report = (
        ProgressReport.objects.filter(
            consortium__program=group["program"],
            consortium__authority=group["authority"],
            consortium__entity_type=group["entity_type"],
            state__in=["submitted", "confirmed", "accepted"],
        )
        .order_by("-period__due_date", "pk")
        .first()
    )
    return report, group["n"]


def measure(today, *, runs: int = RUNS) -> dict:
    from reporting.insights.rollups import Change, rollup_apply, tables_for

    report, group_size = _busiest_pilot()
    consortium = report.consortium
    cases = {
        "report transition": Change(
            consortium.pk,
            consortium.program_id,
            "report.confirm",
            {report.period_id},
            {"consortium", "task"},
        ),
        "plan transition": Change(
            consortium.pk, consortium.program_id, "plan.approve", None, set(tables_for("plan."))
        ),
        "deliverable saved": Change(
            consortium.pk, consortium.program_id, "deliverable.save", None, {"deliverable"}
        ),
    }
    out = {"group_size": group_size}
    for name, change in cases.items():
        # Untimed first: its statements are compiled once per process (a web worker has them
        # from its first change on) and its group's pages read into the buffer cache.
        rollup_apply(change, today=today)
        samples = []
        for _ in range(max(runs, 1)):
            start = time.perf_counter()
            rollup_apply(change, today=today)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        out[name] = {
            "p50_ms": statistics.median(samples),
            "p95_ms": samples[min(len(samples) - 1, int(len(samples) * 0.95))],
        }
    return out


def lines(results: dict[int, dict]) -> list[tuple[str, dict, str, bool | None]]:
    """(figure, {size: value}, goal, met) for the final table of bench/dashboards.py."""
    out = []
    sizes = sorted(results)
    out.append(
        (
            "increment: pilots in its group",
            {s: results[s]["group_size"] for s in sizes},
            "(largest group)",
            None,
        )
    )
    for name in ("report transition", "plan transition", "deliverable saved"):
        values = {s: f"{results[s][name]['p95_ms']:.1f}" for s in sizes}
        met = all(results[s][name]["p95_ms"] <= GOAL_MS for s in sizes)
        out.append((f"increment, {name} p95 ms", values, f"≤ {GOAL_MS:g} ms", met))
    return out
