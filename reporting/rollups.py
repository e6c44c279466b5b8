"""Roll-ups: the summary tables the dashboards and the summary PDF read.

A run recomputes every roll-up row of one program (all its opened periods) with a handful of
GROUP BY queries, then replaces the program's rows in one transaction. So:

- **idempotent**: the rows depend only on the data; a second run writes the same rows;
- **concurrent runs** serialise on a lock of the program row and cannot duplicate rows (unique
  constraints on every roll-up table back this up);
- **coalesced**: at most one run per program waits (a partial unique constraint); a burst of
  submissions finds the waiting run and adds nothing;
- **a dying worker**: the task is ``acks_late`` and rejected on worker loss, so the broker
  delivers it again and the run (still "running") is redone; the nightly job also fails runs
  stuck for longer than ``STALE_AFTER`` and requests a fresh one. The old rows stay readable
  until a run commits its new ones.

Task figures count only reports handed in (submitted, confirmed or accepted): a draft is not
a figure the Ministry can rely on. Every pilot consortium is expected to report for every
period of its program that has opened.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from consortia.models import Consortium, TaskSelection
from portal.models import User
from tasks_catalog.models import Program, ReferenceTask

from .deliverables import KINDS
from .models import (
    ConsortiumRollup,
    DeliverableRollup,
    PlanRollup,
    ProgressReport,
    ReportingPeriod,
    RollupRun,
    TaskProgress,
    TaskRollup,
    TaskStatus,
)
from .workflows import ReportState

logger = logging.getLogger(__name__)
HANDED_IN = (ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.ACCEPTED)
STATUSES = [s.value for s in TaskStatus]
STALE_AFTER = dt.timedelta(minutes=30)  # a pending or running run older than this is redone
ROLLUP_MODELS = (ConsortiumRollup, TaskRollup, DeliverableRollup, PlanRollup)
# Facets stored per deliverable kind: (model field → roll-up column).
DELIVERABLE_FACETS = {
    "dataset": {"industry": "industry", "stage": "stage"},
    "standard": {"level": "level", "stage": "stage"},
    "scenario": {"stage": "stage"},
    "key_technology": {"status": "stage"},
}


# --- requesting and running ----------------------------------------------------------------------


def rollup_request(
    *, program_id: int, reason: str, actor: User | None = None, force: bool = False
) -> RollupRun:
    """Ask for a run of the program's roll-ups. A run already waiting covers this request.

    The task is dispatched when the surrounding transaction commits. A waiting run older than
    ``STALE_AFTER`` (its message lost) is dispatched again; ``force`` dispatches it anyway.
    """
    from .tasks import rollup_run_task

    actor = actor if actor is not None and actor.is_authenticated else None
    run = RollupRun.objects.filter(program_id=program_id, status=RollupRun.Status.PENDING).first()
    created = False
    if run is None:
        try:
            with transaction.atomic():
                run = RollupRun.objects.create(
                    program_id=program_id, reason=reason, requested_by=actor
                )
                created = True
        except IntegrityError:  # requested a moment ago by another process
            run = RollupRun.objects.get(program_id=program_id, status=RollupRun.Status.PENDING)
    stale = run.requested_at < timezone.now() - STALE_AFTER
    if created or stale or force:
        run_id = run.pk
        transaction.on_commit(lambda: _dispatch(rollup_run_task, run_id))
    return run


def _dispatch(task, run_id: int) -> None:
    try:
        task.delay(run_id)
    except Exception:  # a broker outage (or, eager, a failed run) must not fail the user's action
        logger.exception(
            "Roll-up run %s could not be dispatched; the nightly run redoes it", run_id
        )


# Audit actions that change a figure without a state change.
TRIGGER_ACTIONS = frozenset(
    {"consortium.create", "plan.tasks", "deliverable.save", "deliverable.delete"}
)


def rollup_on_audit(entry, target) -> None:
    """Listener of ``portal.services.audit_record``: a transition or a deliverable changed."""
    if not (entry.to_state or entry.action in TRIGGER_ACTIONS):
        return
    consortium = target if isinstance(target, Consortium) else getattr(target, "consortium", None)
    if not isinstance(consortium, Consortium):
        return
    program_id, action = consortium.program_id, entry.action
    connection = transaction.get_connection()
    if any(
        getattr(func, "rollup_program_id", None) == program_id
        for _sids, func, *_rest in connection.run_on_commit
    ):
        return  # this transaction already asks for the program's run when it commits

    def request() -> None:
        rollup_request(program_id=program_id, reason=action)

    request.rollup_program_id = program_id
    transaction.on_commit(request)


def rollup_execute(*, run_id: int, today: dt.date | None = None) -> RollupRun:
    """Claim the run, compute, record the outcome. A run already done is left as it is."""
    with transaction.atomic():
        run = RollupRun.objects.select_for_update().select_related("program").get(pk=run_id)
        if run.status == RollupRun.Status.DONE:
            return run
        run.status = RollupRun.Status.RUNNING
        run.started_at = timezone.now()
        run.attempts += 1
        run.error = ""
        run.save(update_fields=["status", "started_at", "attempts", "error"])
    today = today or timezone.localdate()
    try:
        rows = rollup_compute(program=run.program, today=today)
    except Exception as exc:
        RollupRun.objects.filter(pk=run.pk).update(
            status=RollupRun.Status.FAILED, finished_at=timezone.now(), error=repr(exc)[:2000]
        )
        raise
    RollupRun.objects.filter(pk=run.pk).update(
        status=RollupRun.Status.DONE, finished_at=timezone.now(), rows=rows, as_of=today
    )
    run.refresh_from_db()
    return run


def rollup_nightly(*, today: dt.date | None = None) -> list[RollupRun]:
    """Fail runs a dead worker left "running", then request a run for every active program."""
    cutoff = timezone.now() - STALE_AFTER
    RollupRun.objects.filter(status=RollupRun.Status.RUNNING, started_at__lt=cutoff).update(
        status=RollupRun.Status.FAILED,
        finished_at=timezone.now(),
        error="Interrupted: the worker stopped before the run finished; redone by a new run.",
    )
    return [
        rollup_request(program_id=pk, reason="nightly")
        for pk in Program.objects.filter(is_active=True).values_list("pk", flat=True)
    ]


def rollup_status(*, program: Program) -> dict:
    """The latest finished run (what the dashboards show) and any run waiting or running."""
    runs = RollupRun.objects.filter(program=program)
    return {
        "last": runs.filter(status=RollupRun.Status.DONE).order_by("-finished_at").first(),
        "active": runs.filter(
            status__in=[RollupRun.Status.PENDING, RollupRun.Status.RUNNING]
        ).first(),
        "failed": runs.filter(status=RollupRun.Status.FAILED).order_by("-finished_at").first(),
    }


# --- computing -----------------------------------------------------------------------------------


def _status_counts(prefix: str = "") -> dict:
    """Conditional counts of task entries by status, as aggregate expressions."""
    live = Q(**{f"{prefix}nothing_to_report": False})
    out = {
        f"n_{status}": Count("id", filter=live & Q(**{f"{prefix}status": status}))
        for status in STATUSES
    }
    out["n_nothing_to_report"] = Count("id", filter=Q(**{f"{prefix}nothing_to_report": True}))
    out["n_percent_sum"] = Sum(f"{prefix}percent", filter=live, default=0)
    out["n_percent_count"] = Count(f"{prefix}percent", filter=live)
    return out


COUNTED = [*STATUSES, "nothing_to_report", "percent_sum", "percent_count"]


def _tally(row: dict | None) -> dict:
    """The counts of one aggregate row (annotations are prefixed: some clash with field names)."""
    return {k: (row or {}).get(f"n_{k}") or 0 for k in COUNTED}


@transaction.atomic
def rollup_compute(*, program: Program, today: dt.date) -> int:
    """Replace the program's roll-up rows with freshly computed ones; returns how many."""
    # Serialise runs of the same program: the second waits here and then recomputes.
    Program.objects.select_for_update().get(pk=program.pk)
    for model in ROLLUP_MODELS:
        model.objects.filter(program=program).delete()
    periods = list(ReportingPeriod.objects.filter(program=program, opens_on__lte=today))
    rows = [
        *_consortium_rows(program, periods, today),
        *_task_rows(program, periods),
        *_deliverable_rows(program),
        *_plan_rows(program),
    ]
    by_model = defaultdict(list)
    for row in rows:
        by_model[type(row)].append(row)
    for model, objs in by_model.items():
        model.objects.bulk_create(objs, batch_size=1000)
    return len(rows)


def _consortium_rows(program, periods, today):
    pilots = list(
        Consortium.objects.filter(program=program, pilot_since__isnull=False).values(
            "id", "authority_id", "entity_type_id"
        )
    )
    selected = dict(
        TaskSelection.objects.filter(plan__consortium__in=[c["id"] for c in pilots])
        .values_list("plan__consortium_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    reports = {
        (r["consortium_id"], r["period_id"]): r
        for r in ProgressReport.objects.filter(period__in=periods).values(
            "id", "consortium_id", "period_id", "state", "first_submitted_at"
        )
    }
    counts = {
        r["report_id"]: r
        for r in TaskProgress.objects.filter(
            report__period__in=periods, report__state__in=HANDED_IN
        )
        .values("report_id")
        .annotate(**_status_counts())
        .order_by()
    }
    for period in periods:
        for c in pilots:
            report = reports.get((c["id"], period.pk))
            state = report["state"] if report else ""
            handed_in = state in HANDED_IN
            first = report["first_submitted_at"] if report else None
            on_time = bool(first and timezone.localtime(first).date() <= period.due_date)
            tally = _tally(counts.get(report["id"]) if handed_in else None)
            yield ConsortiumRollup(
                program=program,
                period=period,
                consortium_id=c["id"],
                authority_id=c["authority_id"],
                entity_type_id=c["entity_type_id"],
                report_state=state,
                handed_in=handed_in,
                first_submitted_at=first,
                on_time=on_time and handed_in,
                overdue=not handed_in and today > period.due_date,
                selected=selected.get(c["id"], 0),
                **tally,
            )


def _task_rows(program, periods):
    categories = dict(ReferenceTask.objects.filter(program=program).values_list("id", "category"))
    selected = {
        (
            r["task_id"],
            r["plan__consortium__authority_id"],
            r["plan__consortium__entity_type_id"],
        ): r["n"]
        for r in TaskSelection.objects.filter(
            plan__consortium__program=program, plan__consortium__pilot_since__isnull=False
        )
        .values("task_id", "plan__consortium__authority_id", "plan__consortium__entity_type_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    reported = {
        (
            r["report__period_id"],
            r["task_id"],
            r["report__consortium__authority_id"],
            r["report__consortium__entity_type_id"],
        ): r
        for r in TaskProgress.objects.filter(
            report__period__in=periods,
            report__state__in=HANDED_IN,
            report__consortium__pilot_since__isnull=False,
        )
        .values(
            "report__period_id",
            "task_id",
            "report__consortium__authority_id",
            "report__consortium__entity_type_id",
        )
        .annotate(reported=Count("id"), **_status_counts())
        .order_by()
    }
    for period in periods:
        keys = set(selected) | {k[1:] for k in reported if k[0] == period.pk}
        for task_id, authority_id, entity_type_id in sorted(keys):
            row = reported.get((period.pk, task_id, authority_id, entity_type_id))
            yield TaskRollup(
                program=program,
                period=period,
                task_id=task_id,
                category_id=categories[task_id],
                authority_id=authority_id,
                entity_type_id=entity_type_id,
                selected=selected.get((task_id, authority_id, entity_type_id), 0),
                reported=row["reported"] if row else 0,
                **_tally(row),
            )


def _deliverable_rows(program):
    for kind, spec in KINDS.items():
        facets = DELIVERABLE_FACETS.get(kind, {})
        aggregates = {"count": Count("id")}
        if kind == "dataset":
            aggregates |= {
                "records": Sum("records", default=0),
                "size_bytes": Sum("size_bytes", default=0),
                "open_source": Count("id", filter=Q(openness="open_source")),
            }
        if kind == "data_product":
            aggregates["listed"] = Count("id", filter=Q(listed_or_traded=True))
        rows = (
            spec.model.objects.filter(consortium__program=program)
            .values("period_id", "consortium__authority_id", "consortium__entity_type_id", *facets)
            .annotate(**aggregates)
            .order_by()
        )
        for r in rows:
            yield DeliverableRollup(
                program=program,
                period_id=r["period_id"],
                authority_id=r["consortium__authority_id"],
                entity_type_id=r["consortium__entity_type_id"],
                kind=kind,
                **{column: r[field] for field, column in facets.items()},
                **{k: r[k] for k in aggregates},
            )


def _plan_rows(program):
    rows = (
        Consortium.objects.filter(program=program, plan__isnull=False)
        .values("authority_id", "entity_type_id", "plan__state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        yield PlanRollup(
            program=program,
            authority_id=r["authority_id"],
            entity_type_id=r["entity_type_id"],
            state=r["plan__state"],
            count=r["n"],
        )
