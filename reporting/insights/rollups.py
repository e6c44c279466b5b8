"""Roll-ups: the summary tables the dashboards and the summary PDF read.

A run recomputes every roll-up row of one program (all its opened periods), or of every active
program at once (the nightly run), with a handful of INSERT … SELECT … GROUP BY statements, and
replaces the old rows in the same transaction. So:

- **idempotent**: the rows depend only on the data; a second run writes the same rows;
- **concurrent runs** serialise on a lock of the program row and cannot duplicate rows (unique
  constraints on every roll-up table back this up);
- **coalesced**: at most one run per program waits (a partial unique constraint); a burst of
  submissions finds the waiting run and adds nothing (requesting and running: ``portal.jobs``);
- **a lost message, a dying worker**: a run holds a lease (``portal.jobs``): a waiting run
  whose message was lost (Redis down) is sent again by the sweeper after the grace period, a
  running one whose worker died (its heartbeat stopped renewing the lease) is started again, or
  failed after ``JOB_MAX_ATTEMPTS`` with a retry offered. The old rows stay readable until a run
  commits its new ones. A run over every program (nightly) that finishes covers the runs of
  single programs that were waiting when it started: they are marked done with it.

Task figures count only reports handed in (submitted, confirmed or accepted): a draft is not
a figure the Ministry can rely on. Rows exist only for the consortium × period pairs that are
expected to report (``reporting.periods.expectations``: a pilot approved before the period's due date,
for a period that has opened); overdue is that module's rule too.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from consortia.models import Consortium, TaskSelection
from portal.jobs import JobOutput, JobStatus, job_is_dead, job_request, job_run
from portal.models import User
from reporting.insights.models import (
    ConsortiumRollup,
    DeliverableRollup,
    PlanRollup,
    RollupRun,
    SelectionRollup,
    TaskRollup,
)
from reporting.periods.expectations import HANDED_IN, expected_pairs, expected_q, overdue_q
from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress, TaskStatus
from reporting.registry.kinds import KINDS
from tasks_catalog.models import Program

STATUSES = [s.value for s in TaskStatus]
COUNTED = [*STATUSES, "nothing_to_report", "percent_sum", "percent_count"]
RUN_TASK = "reporting.tasks.rollup_run_task"
ROLLUP_MODELS = (ConsortiumRollup, TaskRollup, SelectionRollup, DeliverableRollup, PlanRollup)
# Facets stored per deliverable kind: (model field → roll-up column).
DELIVERABLE_FACETS = {
    "dataset": {"industry": "industry", "stage": "stage"},
    "standard": {"level": "level", "stage": "stage"},
    "scenario": {"stage": "stage"},
    "key_technology": {"status": "stage"},
}


# --- requesting and running ----------------------------------------------------------------------


def rollup_request(
    *, program_id: int | None, reason: str, actor: User | None = None, force: bool = False
) -> RollupRun:
    """Ask for a run of the program's roll-ups (``None``: every active program, in one pass).
    A run already waiting covers this request (``portal.jobs.job_request``; a running one does
    not: it may have read the data before this change).

    The task is dispatched when the surrounding transaction commits. A waiting run past its
    grace period (its message lost) is dispatched again; ``force`` dispatches it anyway.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    return job_request(
        RollupRun,
        task=RUN_TASK,
        key={"program_id": program_id},
        values={"reason": reason, "requested_by": actor},
        force=force,
    )


def rollup_on_figures_changed(*, action: str, target, actor=None) -> None:
    """Listener of ``portal.events.FIGURES_CHANGED`` (who announces it: the table in
    ``portal/events.py``): ask for the program's run once per transaction, when it commits."""
    consortium = target if isinstance(target, Consortium) else getattr(target, "consortium", None)
    if not isinstance(consortium, Consortium):
        return
    program_id = consortium.program_id
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
    """Claim the run, compute, record the outcome (``portal.jobs.job_run``). A run already done
    is left as it is; a failed one keeps the previous figures and records the error."""
    today = today or timezone.localdate()

    def compute(run: RollupRun) -> JobOutput:
        programs = (
            [run.program]
            if run.program_id
            else list(Program.objects.filter(is_active=True).order_by("pk"))
        )
        return JobOutput(
            fields={"rows": rollup_compute(programs=programs, today=today), "as_of": today}
        )

    run = job_run(RollupRun.objects.all(), run_id, compute)
    if run.status == JobStatus.DONE and run.program_id is None:
        # Every program was computed from data committed before this run started: the single
        # programs' runs waiting since then are covered (no lost request keeps one "waiting").
        RollupRun.objects.filter(
            status=JobStatus.PENDING, program__isnull=False, requested_at__lte=run.started_at
        ).update(
            status=JobStatus.DONE,
            started_at=run.started_at,
            finished_at=run.finished_at,
            as_of=run.as_of,
            lease_expires_at=None,
            error="",
        )
    return run


def rollup_nightly(*, today: dt.date | None = None) -> list[RollupRun]:
    """Request one run over every active program (runs a dead worker left are the sweeper's)."""
    return [rollup_request(program_id=None, reason="nightly")]


def rollup_status(*, program: Program) -> dict:
    """What the status line says, truthfully: ``last``, the newest finished run (its time is the
    figures' time); ``active``, a run waiting or running (not one whose worker died); ``failed``,
    the newest failed run, a dead one included (shown failed, with "Refresh figures")."""
    runs = RollupRun.objects.filter(Q(program=program) | Q(program__isnull=True))
    now = timezone.now()
    active = list(
        runs.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).order_by(
            "-requested_at", "-id"
        )
    )
    dead = [run for run in active if job_is_dead(run, now=now)]
    failed = runs.filter(status=JobStatus.FAILED).order_by("-finished_at").first()
    for run in dead:
        run.status, run.finished_at = JobStatus.FAILED, run.finished_at or run.lease_expires_at
        run.error = run.error or "Interrupted: the worker stopped before the run finished."
    if dead and (failed is None or (dead[0].finished_at or now) > (failed.finished_at or now)):
        failed = dead[0]
    return {
        "last": runs.filter(status=JobStatus.DONE).order_by("-finished_at", "-id").first(),
        "active": next((run for run in active if run not in dead), None),
        "failed": failed,
    }


# --- computing -----------------------------------------------------------------------------------
#
# Each roll-up table is filled by INSERT … SELECT … GROUP BY: the database aggregates and writes
# in one statement, nothing crosses the wire row by row. The SELECTs are built with the ORM (so
# they run on PostgreSQL and SQLite alike) and ``_insert_select`` puts the INSERT in front.


def _status_counts(*, only: Q | None = None) -> dict:
    """Conditional counts of task entries by status (of the entries meeting ``only``)."""
    live = Q(nothing_to_report=False) & (only or Q())
    out = {status: Count("id", filter=live & Q(status=status)) for status in STATUSES}
    out["nothing_to_report"] = Count("id", filter=Q(nothing_to_report=True) & (only or Q()))
    out["percent_sum"] = Sum("percent", filter=live, default=0)
    out["percent_count"] = Count("percent", filter=live)
    return out


def _insert_select(model, qs: QuerySet, columns: dict, *, group_by: tuple[str, ...] = ()) -> int:
    """``INSERT INTO model (columns) SELECT …``: ``columns`` maps each column to a field path,
    an expression or an aggregate of ``qs``'s model. With aggregates, the GROUP BY is
    ``group_by`` plus the plain columns (Django's rule); columns that only depend on the group
    are better given as ``Max(…)``, so the database groups on fewer keys."""
    aliases = {f"x_{name}": value for name, value in columns.items()}
    plain = {
        k: F(v) if isinstance(v, str) else v
        for k, v in aliases.items()
        if isinstance(v, str) or not getattr(v, "contains_aggregate", False)
    }
    aggregates = {k: v for k, v in aliases.items() if k not in plain}
    if aggregates:
        grouped = {f"g_{i}": F(path) for i, path in enumerate(group_by)}
        grouped |= {k: v for k, v in plain.items() if not isinstance(v, Value)}
        constants = {k: v for k, v in plain.items() if isinstance(v, Value)}
        qs = qs.values(**grouped).annotate(**constants, **aggregates)
    else:
        qs = qs.annotate(**plain)
    sql, params = qs.order_by().values_list(*aliases).query.sql_with_params()
    quote = connection.ops.quote_name
    target = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({target}) {sql}", params)
        return max(cursor.rowcount, 0)


def _const(value, field) -> Value:
    return Value(value, output_field=field)


def _int(value: int = 0) -> Value:
    return _const(value, IntegerField())


def _bool(value: bool) -> Value:
    return _const(value, BooleanField())


def _text(value: str) -> Value:
    return _const(value, CharField())


@transaction.atomic
def rollup_compute(
    *, today: dt.date, program: Program | None = None, programs: list[Program] | None = None
) -> int:
    """Replace the roll-up rows of ``program`` (or of every program in ``programs``, in one pass
    over the data) with freshly computed ones; returns how many rows were written."""
    ids = sorted({p.pk for p in ([program] if program is not None else programs or [])})
    if not ids:
        return 0
    # Serialise runs over the same programs: the second waits here and then recomputes.
    list(Program.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    every = set(ids) >= set(Program.objects.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Group in memory, not in temporary files; a crash before the WAL is flushed loses
            # only this run, which the next one redoes.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            if every:  # the nightly run over every program: empty the tables at once
                tables = ", ".join(
                    connection.ops.quote_name(m._meta.db_table) for m in ROLLUP_MODELS
                )
                cursor.execute(f"TRUNCATE {tables}")
    if not (every and connection.vendor == "postgresql"):
        for model in ROLLUP_MODELS:
            model.objects.filter(program__in=ids).delete()
    periods = list(ReportingPeriod.objects.filter(program__in=ids, opens_on__lte=today))
    return (
        _consortium_rows(ids, periods, today)
        + _task_rows(periods, today)
        + _selection_rows(ids)
        + _deliverable_rows(ids)
        + _plan_rows(ids)
    )


def _consortium_rows(ids, periods, today) -> int:
    """One row per expected consortium × opened period, in two statements: the reports (their
    entries counted, grouped by report) and the expected pairs that have not started the
    period's report. Who is expected and what is overdue: ``reporting.periods.expectations``."""
    if not periods:
        return 0
    handed_in = Q(state__in=HANDED_IN)

    def flag(condition: Q) -> Case:
        return Case(When(condition, then=True), default=False, output_field=BooleanField())

    # On time: first handed in on or before the due date, as a date in Beijing time.
    on_time = flag(handed_in & Q(first_submitted_at__date__lte=F("period__due_date")))
    counted = {
        key: Count("entries", filter=Q(entries__nothing_to_report=False, entries__status=key))
        for key in STATUSES
    }
    live = Q(entries__nothing_to_report=False)
    written = _insert_select(
        ConsortiumRollup,
        ProgressReport.objects.filter(expected_q(today=today), period__in=periods),
        {
            "program": "period__program",
            "period": "period",
            "consortium": "consortium",
            "authority": "consortium__authority",
            "entity_type": "consortium__entity_type",
            "report_state": "state",
            "handed_in": flag(handed_in),
            "first_submitted_at": "first_submitted_at",
            "on_time": on_time,
            "overdue": flag(overdue_q(today=today)),
            "selected": Count("entries"),
            # Task figures count handed-in reports only: zero the others' counts.
            **{
                key: Case(When(handed_in, then=value), default=0)
                for key, value in {
                    **counted,
                    "nothing_to_report": Count(
                        "entries", filter=Q(entries__nothing_to_report=True)
                    ),
                    "percent_sum": Sum("entries__percent", filter=live, default=0),
                    "percent_count": Count("entries__percent", filter=live),
                }.items()
            },
        },
        group_by=("id",),
    )
    selections = (
        TaskSelection.objects.filter(plan__consortium=OuterRef("pk"))
        .values("plan__consortium")
        .annotate(n=Count("id"))
        .values("n")
    )
    # Expected pairs: consortia × their program's periods, the period joined once.
    not_started = expected_pairs(
        Consortium.objects.filter(program__in=ids), today=today, periods=[p.pk for p in periods]
    ).filter(
        ~Exists(
            ProgressReport.objects.filter(
                consortium=OuterRef("pk"), period=OuterRef("expected_period")
            )
        )
    )
    written += _insert_select(
        ConsortiumRollup,
        not_started,
        {
            "program": "program",
            "period": "expected_period",
            "consortium": "id",
            "authority": "authority",
            "entity_type": "entity_type",
            "report_state": _text(""),
            "handed_in": _bool(False),
            "on_time": _bool(False),
            "overdue": flag(Q(expected_due__lt=today)),
            "selected": Coalesce(Subquery(selections), 0),
            **{k: _int() for k in COUNTED},
        },
    )
    return written


def _task_rows(periods, today) -> int:
    """Entries of handed-in reports that are expected (``reporting.periods.expectations``)."""
    return _insert_select(
        TaskRollup,
        TaskProgress.objects.filter(
            expected_q(today=today, prefix="report__"),
            report__period__in=periods,
            report__state__in=HANDED_IN,
        ),
        {
            "program": Max("report__period__program"),
            "period": "report__period",
            "task": "task",
            "category": Max("task__category"),
            "authority": "report__consortium__authority",
            "entity_type": "report__consortium__entity_type",
            "reported": Count("id"),
            **_status_counts(),
        },
    )


def _selection_rows(ids) -> int:
    return _insert_select(
        SelectionRollup,
        TaskSelection.objects.filter(
            plan__consortium__program__in=ids, plan__consortium__pilot_since__isnull=False
        ),
        {
            "program": Max("plan__consortium__program"),
            "task": "task",
            "category": Max("task__category"),
            "authority": "plan__consortium__authority",
            "entity_type": "plan__consortium__entity_type",
            "selected": Count("id"),
        },
    )


def deliverable_measures(kind: str) -> dict:
    """What the dashboards count of each deliverable kind, as aggregates over its registry rows:
    the roll-up (per province) and a consortium's own figures (``consortium_deliverable_figures``,
    the final summary's pulled figures) both use these, so they cannot count differently."""
    return {
        "count": Count("id"),
        "records": Sum("records", default=0) if kind == "dataset" else _int(),
        "size_bytes": Sum("size_bytes", default=0) if kind == "dataset" else _int(),
        "open_source": Count("id", filter=Q(openness="open_source"))
        if kind == "dataset"
        else _int(),
        "listed": Count("id", filter=Q(listed_or_traded=True))
        if kind == "data_product"
        else _int(),
    }


def _deliverable_rows(ids) -> int:
    written = 0
    for kind, spec in KINDS.items():
        facets = DELIVERABLE_FACETS.get(kind, {})
        columns = {
            "program": "consortium__program",
            "period": "period",
            "authority": "consortium__authority",
            "entity_type": "consortium__entity_type",
            "kind": _text(kind),
            **{column: _text("") for column in ("industry", "level", "stage")},
            **{column: field for field, column in facets.items()},
            **deliverable_measures(kind),
        }
        written += _insert_select(
            DeliverableRollup, spec.model.objects.filter(consortium__program__in=ids), columns
        )
    return written


def _plan_rows(ids) -> int:
    return _insert_select(
        PlanRollup,
        Consortium.objects.filter(program__in=ids, plan__isnull=False),
        {
            "program": "program",
            "authority": "authority",
            "entity_type": "entity_type",
            "state": "plan__state",
            "count": Count("id"),
        },
    )
