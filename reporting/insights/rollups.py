"""Roll-ups: the summary tables the dashboards and the summary PDF read.

**A change costs the change, not the country.** When a consortium's figures change (a plan or
report transition, its tasks, a deliverable: ``portal.events.FIGURES_CHANGED``), the rows that
change alone are computed again, when the transaction commits (``rollup_apply``): the
consortium's own rows (for the report's period, or every opened period), and the groups it
belongs to, province × entity type (its tasks' rows for that period, its plan, selection and
deliverable rows). The same statements as a full run, narrowed by the same conditions, write
them: a group's rows are computed whole, never adjusted by a difference, so they cannot drift;
on PostgreSQL only those that differ are written (``_rewrite``), so a change does not churn its
group's rows.
A change that moves a consortium between groups (``consortium.update``: its entity type) and a
failed increment ask for a full run of the program instead.

A run recomputes every roll-up row of one program (all its opened periods), or of every active
program at once (the nightly run, the safety net: a test checks that it writes the rows the
increments left), with a statement per table (SELECT … GROUP BY), in one transaction (a
worker's run on PostgreSQL: two, one per half of the tables, at once; ``rollup_compute``). On
PostgreSQL each statement makes the table equal to what it computes: it writes only the rows that
differ (none, when the increments kept up), leaves readers unblocked and logs what it corrected,
a sign of drift (``_replace``); on SQLite the old rows are deleted and the new ones inserted. So:

- **idempotent**: the rows depend only on the data; a second run writes the same rows;
- **concurrent runs** serialise on a lock of the program row and cannot duplicate rows (unique
  constraints on every roll-up table back this up);
- **coalesced**: at most one run per program waits (a partial unique constraint); a burst of
  submissions finds the waiting run and adds nothing (requesting and running: ``portal.jobs``);
- **increments and runs never interleave**: an increment holds a share lock on the program row
  (a run holds it exclusively) and a lock of its province (PostgreSQL advisory lock), so two
  increments of one group, or an increment and a run, follow one another;
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
import hashlib
import logging
import threading
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
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
from portal.prepared import Prepared
from reporting.insights.models import (
    ConsortiumRollup,
    DeliverableRollup,
    PlanRollup,
    RollupRun,
    RollupState,
    SelectionRollup,
    TaskRollup,
)
from reporting.periods.expectations import HANDED_IN, expected_pairs, expected_q, overdue_q
from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress, TaskStatus
from reporting.registry.kinds import KINDS
from tasks_catalog.models import Program

logger = logging.getLogger(__name__)
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


TABLES = frozenset({"consortium", "task", "selection", "deliverable", "plan"})
# Which roll-up tables an action can change, by the action's prefix (the first that matches;
# an action not listed: every table). A plan is approved once, from submitted, before its
# consortium can report: its transitions change no task or deliverable rows. Task selections
# (the plan's, an approved amendment's) change the selection rows and the "selected" count of
# the consortium's rows.
TABLES_OF_ACTION = {
    "report.": frozenset({"consortium", "task"}),
    "deliverable.": frozenset({"deliverable"}),
    "plan.tasks": frozenset({"consortium", "selection"}),
    "amendment.": frozenset({"consortium", "selection"}),
    "plan.": frozenset({"consortium", "selection", "plan"}),
    "consortium.create": frozenset({"plan"}),
}


def tables_for(action: str) -> frozenset[str]:
    return next((t for prefix, t in TABLES_OF_ACTION.items() if action.startswith(prefix)), TABLES)


# Actions that may move a consortium out of its groups: a full run of the program.
FULL_RUN_ACTIONS = frozenset({"consortium.update"})


@dataclass
class Change:
    """What one transaction changed of one consortium: the periods (``None``: every opened
    period) and the roll-up tables concerned."""

    consortium_id: int
    program_id: int
    action: str
    periods: set[int] | None
    tables: set[str]

    def add(self, *, period_id: int | None, tables: frozenset[str]) -> None:
        if period_id is None or self.periods is None:
            self.periods = None
        else:
            self.periods.add(period_id)
        self.tables |= tables


def rollup_on_figures_changed(*, action: str, target, actor=None) -> None:
    """Listener of ``portal.events.FIGURES_CHANGED`` (who announces it: the table in
    ``portal/events.py``): note the consortium's change; when the transaction commits, its rows
    are computed again (``rollup_apply``), once per consortium however many changes it made."""
    consortium = target if isinstance(target, Consortium) else getattr(target, "consortium", None)
    if not isinstance(consortium, Consortium):
        return
    program_id = consortium.program_id
    if action in FULL_RUN_ACTIONS:
        _on_commit_once(
            f"run:{program_id}", lambda: rollup_request(program_id=program_id, reason=action)
        )
        return
    tables = tables_for(action)
    period_id = target.period_id if isinstance(target, ProgressReport) else None
    changes: dict[int, Change] = _on_commit_once("apply", _apply_on_commit, state=dict)
    change = changes.get(consortium.pk)
    if change is None:
        changes[consortium.pk] = Change(
            consortium.pk,
            program_id,
            action,
            None if period_id is None else {period_id},
            set(tables),
        )
    else:
        change.add(period_id=period_id, tables=tables)


def _on_commit_once(key: str, func, *, state=None):
    """Register ``func`` to run when the current transaction commits, once per ``key``; with
    ``state`` (a factory), ``func`` is called with a shared object, which is returned so that
    later calls in the same transaction add to it."""
    connection = transaction.get_connection()
    for _sids, registered, *_rest in connection.run_on_commit:
        if getattr(registered, "rollup_key", None) == key:
            return getattr(registered, "rollup_state", None)
    shared = state() if state is not None else None

    def callback() -> None:
        func(shared) if state is not None else func()

    callback.rollup_key, callback.rollup_state = key, shared
    transaction.on_commit(callback)
    return shared


def _apply_on_commit(changes: dict[int, "Change"]) -> None:
    """The committed changes' increments, each in its own transaction. One that fails (the
    database went away, a bug) is logged and a full run of its program is asked for: the user's
    action has committed and is not reported as failed."""
    today = timezone.localdate()
    for change in changes.values():
        try:
            rollup_apply(change, today=today)
        except Exception:
            logger.exception("roll-up increment of consortium %s failed", change.consortium_id)
            try:
                rollup_request(program_id=change.program_id, reason=f"{change.action} (retry)")
            except Exception:  # the database is down: the nightly run recomputes everything
                logger.exception("could not ask for a roll-up run of %s", change.program_id)


def _group_lock(program_id: int, authority_id: int) -> None:
    """Serialise writers of the program's roll-ups (PostgreSQL; SQLite has one writer at a
    time): a share lock on the program row, which a full run holds exclusively, and an advisory
    lock of the program's province, held until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"rollup:{program_id}:{authority_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    program_table = connection.ops.quote_name(Program._meta.db_table)  # a model's, quoted
    with connection.cursor() as cursor:
        # Derived rows: a crash before the WAL reaches the disk loses only this increment,
        # which the nightly run redoes; the commit does not wait for the disk.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(f"SELECT 1 FROM {program_table} WHERE id = %s FOR SHARE", [program_id])  # noqa: S608
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def rollup_apply(change: Change, *, today: dt.date) -> int:
    """Compute again the roll-up rows one consortium's change touches (see the module's
    docstring); returns how many rows were written. The consortium's province and entity type
    are read now: its rows and its groups' are those of today's data."""
    consortium = next(
        iter(
            Consortium.objects.filter(pk=change.consortium_id)
            .order_by()
            .values("program_id", "authority_id", "entity_type_id")
        ),
        None,
    )
    if consortium is None:  # deleted since: its program's run puts its groups right
        rollup_request(program_id=change.program_id, reason=change.action)
        return 0
    program_id = consortium["program_id"]
    _group_lock(program_id, consortium["authority_id"])
    periods = ReportingPeriod.objects.filter(program=program_id, opens_on__lte=today)
    if change.periods is not None:
        periods = periods.filter(pk__in=change.periods)
    slots = {
        "program_id": program_id,
        "consortium_id": change.consortium_id,
        "group": Group(program_id, consortium["authority_id"], consortium["entity_type_id"]),
        "periods": list(periods.values_list("pk", flat=True)),
        "today": today,
    }
    # The statements depend on the tables, whether every period is covered and how many
    # periods there are: compiled once per such shape (building them with the ORM costs more
    # than running them), run with this change's values.
    shape = (
        "increment",
        tuple(sorted(change.tables)),
        change.periods is None,
        len(slots["periods"]),
    )
    written = _run_compiled(
        shape,
        lambda **values: _increment(change.tables, every_period=change.periods is None, **values),
        slots,
    )
    _changed([program_id])
    return written


def _increment(tables, *, every_period, program_id, consortium_id, group, periods, today):
    """The statements of an increment (``rollup_apply``), emitted through ``_emit``."""
    written = 0
    if "consortium" in tables:
        rows = ConsortiumRollup.objects.filter(consortium=consortium_id)
        written += _rewrite(
            rows if every_period else rows.filter(period__in=periods),
            lambda: _consortium_rows([program_id], periods, today, consortium_id=consortium_id),
        )
    if "task" in tables and periods:
        written += _rewrite(
            TaskRollup.objects.filter(period__in=periods, **group.rows()),
            lambda: _task_rows(periods, today, group=group),
        )
    for name, model, rows in (
        ("selection", SelectionRollup, _selection_rows),
        ("deliverable", DeliverableRollup, _deliverable_rows),
        ("plan", PlanRollup, _plan_rows),
    ):
        if name in tables:
            written += _rewrite(
                model.objects.filter(program=program_id, **group.rows()),
                lambda rows=rows: rows([program_id], group=group),
            )
    return written


# --- statements: run at once, or compiled once per shape and run with new values ----------------

_compiling = threading.local()  # .statements while compiling: noted instead of run
_compiled: dict = {}  # shape → [(sql, [slot name or ("=", constant), …]), …]


def _emit(sql: str, params) -> int:
    """Run a statement (or, while compiling, note it); returns the rows it touched. A statement
    of ``_replace`` returns the rows it changed, and leaves its counts (rows computed, updated,
    deleted, inserted) in ``_replacing.last``."""
    collecting = getattr(_compiling, "statements", None)
    if collecting is not None:
        collecting.append((sql, tuple(params)))
        return 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if sql.startswith(REPLACE_PREFIX):
            _replacing.last = cursor.fetchone()
            return sum(_replacing.last[1:])
        return max(cursor.rowcount, 0)


def _delete(qs: QuerySet) -> int:
    """``DELETE FROM`` the queryset's table ``WHERE`` its conditions (no cascade, no signals:
    roll-up rows have neither)."""
    query = qs.query
    where, params = query.get_compiler(connection=connection).compile(query.where)
    table = connection.ops.quote_name(qs.model._meta.db_table)
    return _emit(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608 (a model's table)


def _sentinels(values: dict) -> tuple[dict, dict]:
    """Stand-ins for the values, unlike any constant of the statements, and what each stands
    for (as the database adapter may pass it: a date also as its ISO text)."""
    stand_in, means, n = {}, {}, 0

    def new_int(name, index=None) -> int:
        nonlocal n
        n += 1
        means[-(10**9) - n] = (name, index)
        return -(10**9) - n

    for name, value in values.items():
        if isinstance(value, Group):
            stand_in[name] = Group(*(new_int(name, i) for i in range(3)))
        elif isinstance(value, list):
            stand_in[name] = [new_int(name, i) for i in range(len(value))]
        elif isinstance(value, dt.date):
            n += 1
            day = dt.date(1000 + n, 1, 1)
            stand_in[name] = day
            means[day] = means[day.isoformat()] = (name, None)
        else:
            stand_in[name] = new_int(name)
    return stand_in, means


def _run_compiled(shape, build, values: dict) -> int:
    """Run the statements ``build(**values)`` emits; compiled once per ``shape`` with stand-ins
    for ``values`` (ints, lists of ints, ``Group``, a date), then run with the real ones."""
    template = _compiled.get(shape)
    if template is None:
        stand_in, means = _sentinels(values)
        _compiling.statements = statements = []
        try:
            build(**stand_in)
        finally:
            _compiling.statements = None
        template = [
            (sql, [means.get(p, ("=", p)) if _hashable(p) else ("=", p) for p in params])
            for sql, params in statements
        ]
        _compiled[shape] = template
    written = 0
    for sql, slots in template:
        params = [_slot_value(values, slot) for slot in slots]
        written += _emit(sql, params)
    return written


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _slot_value(values: dict, slot):
    name, index = slot
    if name == "=":
        return index  # a constant of the statement
    value = values[name]
    if isinstance(value, Group):
        return (value.program_id, value.authority_id, value.entity_type_id)[index]
    if isinstance(value, list):
        return value[index]
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _changed(program_ids) -> None:
    """Bump the programs' roll-up version (``rollup_version``), in the writing transaction."""
    now = timezone.now()
    table = connection.ops.quote_name(RollupState._meta.db_table)  # a model's, quoted
    upsert = (
        f"INSERT INTO {table} (program_id, version, changed_at) VALUES (%s, 1, %s) "  # noqa: S608
        "ON CONFLICT (program_id) DO UPDATE "
        f"SET version = {table}.version + 1, changed_at = excluded.changed_at"
    )
    with connection.cursor() as cursor:
        for program_id in sorted(program_ids):
            cursor.execute(upsert, [program_id, now])


def rollup_version(program_id: int) -> str:
    """Changes whenever the program's roll-up rows change (an increment or a run): the key of
    figures cached from them."""
    state = RollupState.objects.filter(program=program_id).values("version").first()
    return str(state["version"] if state else 0)


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


def _status_runs_of(program):
    """One read: the runs waiting or running, the newest failed run and the newest finished
    one, of the program or of every program."""
    runs = RollupRun.objects.filter(Q(program=program) | Q(program__isnull=True))
    newest_failed = runs.filter(status=JobStatus.FAILED).order_by("-finished_at").values("pk")[:1]
    newest_done = (
        runs.filter(status=JobStatus.DONE).order_by("-finished_at", "-id").values("pk")[:1]
    )
    return runs.filter(
        Q(status__in=[JobStatus.PENDING, JobStatus.RUNNING])
        | Q(pk=Subquery(newest_failed))
        | Q(pk=Subquery(newest_done))
    ).order_by("-requested_at", "-id")


# Every dashboard view asks the status: prepared (portal.prepared).
_status_runs = Prepared(_status_runs_of, program=int)
_rollup_state = Prepared(
    lambda program: RollupState.objects.filter(program=program).order_by("pk")[:1], program=int
)


def rollup_status(*, program: Program) -> dict:
    """What the status line says, truthfully: ``last``, the newest finished run; ``changed_at``,
    when the figures last changed (that run or a later increment: the figures' time) and
    ``version`` (``rollup_version``); ``active``, a run waiting or running (not one whose worker died); ``failed``,
    the newest failed run, a dead one included (shown failed, with "Refresh figures")."""
    now = timezone.now()
    read = _status_runs.all(program=program.pk)
    active = [run for run in read if run.status in (JobStatus.PENDING, JobStatus.RUNNING)]
    failed = next((run for run in read if run.status == JobStatus.FAILED), None)
    last = next((run for run in read if run.status == JobStatus.DONE), None)
    dead = [run for run in active if job_is_dead(run, now=now)]
    for run in dead:
        run.status, run.finished_at = JobStatus.FAILED, run.finished_at or run.lease_expires_at
        run.error = run.error or "Interrupted: the worker stopped before the run finished."
    if dead and (failed is None or (dead[0].finished_at or now) > (failed.finished_at or now)):
        failed = dead[0]
    state = _rollup_state.first(program=program.pk)
    changed_at = state.changed_at if state else None
    if last is not None and (changed_at is None or last.finished_at > changed_at):
        changed_at = last.finished_at
    return {
        "last": last,
        "active": next((run for run in active if run not in dead), None),
        "failed": failed,
        # When the figures last changed: a run, or a consortium's change (an increment).
        "changed_at": changed_at,
        "version": str(state.version if state else 0),
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
    return _insert(model, list(columns), [_select(qs, columns, group_by=group_by)])


def _select(qs: QuerySet, columns: dict, *, group_by: tuple[str, ...] = ()) -> tuple[str, tuple]:
    """The SQL of ``_insert_select``'s SELECT and its parameters."""
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
    return qs.order_by().values_list(*aliases).query.sql_with_params()


def _insert(model, columns: list[str], selects: list[tuple[str, tuple]]) -> int:
    """``INSERT INTO model (columns)`` the rows of the SELECTs, one statement (UNION ALL); in a
    full run on PostgreSQL, the table made equal to them instead (``_replace``)."""
    sql = " UNION ALL ".join(select for select, _params in selects)
    params = tuple(p for _select_sql, params in selects for p in params)
    scope = getattr(_replacing, "scope", None)
    if scope is not None:  # a table of a run or an increment, on PostgreSQL (``_rewrite``)
        if scope.model is not model:
            raise AssertionError(f"{model.__name__} written while replacing {scope.model}")
        return _replace(model, columns, sql, params, scope=scope)
    quote = connection.ops.quote_name
    target = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    return _emit(f"INSERT INTO {quote(model._meta.db_table)} ({target}) {sql}", params)


# On PostgreSQL, the rows ``_insert`` makes equal to the rows it computes (``.scope``, a
# queryset: ``_rewrite``); in a run, what it corrected (``.changed``: ``rollup_compute``).
_replacing = threading.local()
REPLACE_PREFIX = "WITH n ("


def _replace(model, columns: list[str], select: str, params, *, scope: QuerySet) -> int:
    """Make the rows of ``scope`` (of ``model``) equal to the rows of ``select`` in one statement
    (PostgreSQL): rows whose key (the model's unique constraint) is new are inserted, rows whose
    figures differ are updated, rows no longer computed are deleted, and the rows that are
    already right (all of them, when the increments kept up) are not written at all. Returns the
    rows computed; in a full run the rows changed are noted in ``_replacing.changed`` (a sign of
    drift)."""
    _replacing.wrote = True
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    unique = next(c for c in model._meta.constraints if getattr(c, "fields", None))
    keys = [quote(model._meta.get_field(name).column) for name in unique.fields]
    cols = [quote(model._meta.get_field(name).column) for name in columns]
    values = [c for c in cols if c not in keys]
    pk = quote(model._meta.pk.column)
    query = scope.query
    where, where_params = query.get_compiler(connection=connection).compile(query.where)
    old = f"SELECT * FROM {table} WHERE {where}"  # noqa: S608
    differ = " OR ".join(f"t.{v} IS DISTINCT FROM n.{v}" for v in values)
    # One join classifies every row: new (no old row), gone (no new row) or changed.
    # The models' own names, quoted; the values are parameters.
    sql = (
        f"{REPLACE_PREFIX}{', '.join(cols)}) AS MATERIALIZED ({select}), "  # noqa: S608
        f"d AS MATERIALIZED (SELECT t.{pk} AS old_id, n.{keys[0]} IS NULL AS gone, "
        f"{', '.join(f'n.{c}' for c in cols)} FROM n FULL JOIN ({old}) t "
        f"ON {' AND '.join(f't.{k} = n.{k}' for k in keys)} "
        f"WHERE t.{pk} IS NULL OR n.{keys[0]} IS NULL OR {differ}), "
        f"upd AS (UPDATE {table} t SET {', '.join(f'{v} = d.{v}' for v in values)} FROM d "
        f"WHERE t.{pk} = d.old_id AND NOT d.gone RETURNING 1), "
        f"del AS (DELETE FROM {table} t USING d WHERE t.{pk} = d.old_id AND d.gone RETURNING 1), "
        f"ins AS (INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM d "
        "WHERE d.old_id IS NULL RETURNING 1) "
        "SELECT (SELECT count(*) FROM n), (SELECT count(*) FROM upd), "
        "(SELECT count(*) FROM del), (SELECT count(*) FROM ins)"
    )
    _replacing.last = None
    _emit(sql, (*params, *where_params))
    if _replacing.last is None:  # compiled, not run
        return 0
    computed, *changed = _replacing.last
    _note_changed(model, changed)
    return computed


def _note_changed(model, changed: list[int]) -> None:
    """In a run (``rollup_compute``): the rows of ``model`` it updated, deleted, inserted."""
    noted = getattr(_replacing, "changed", None)
    if noted is not None:
        noted[model._meta.model_name] = changed


def _rewrite(scope: QuerySet, build) -> int:
    """A table of a run or an increment: the rows of ``scope`` replaced with what ``build()``
    computes (into ``scope``'s table). On PostgreSQL only the rows that differ are written
    (``_replace``: readers never blocked, no churn for autovacuum); elsewhere the rows are
    deleted, then inserted."""
    if connection.vendor != "postgresql":
        _delete(scope)
        return build()
    _replacing.scope, _replacing.wrote = scope, False
    try:
        written = build()
    finally:
        _replacing.scope = None
    if not _replacing.wrote:  # nothing computed (no opened period): nothing may remain
        _note_changed(scope.model, [0, _delete(scope), 0])
    return written


@dataclass(frozen=True)
class Group:
    """A province × entity type of one program: the rows an increment computes again."""

    program_id: int
    authority_id: int
    entity_type_id: int

    def rows(self) -> dict:
        """Condition on roll-up rows (their program is given apart)."""
        return {"authority": self.authority_id, "entity_type": self.entity_type_id}

    def members(self, prefix: str = "") -> Q:
        """Condition on source rows: their consortium (reached through ``prefix``) is in it."""
        return Q(
            **{
                f"{prefix}program": self.program_id,
                f"{prefix}authority": self.authority_id,
                f"{prefix}entity_type": self.entity_type_id,
            }
        )


def _members(group: Group | None, prefix: str = "") -> Q:
    return Q() if group is None else group.members(prefix)


def _in_reports(periods, consortium_id: int | None) -> Q:
    """Condition on task entries: of a report of these periods (and of this consortium)."""
    q = Q(report__period__in=periods)
    return q if consortium_id is None else q & Q(report__consortium=consortium_id)


def _joined_select(rows: QuerySet, columns: dict, counts: QuerySet, counted: dict):
    """A SELECT of the ``columns`` of ``rows`` (one output row each, no
    grouping), each joined on its id to ``counts``, an aggregate query grouped by
    ``report_key`` alone. ``counted`` maps each further column to a count's alias, or to
    ``(alias, flag)``: the count where that column of ``columns`` is true, else 0. A row with no
    counts gets zeros."""
    aliases = {f"x_{name}": F(v) if isinstance(v, str) else v for name, v in columns.items()}
    outer_sql, outer_params = (
        rows.order_by().annotate(x_key=F("pk"), **aliases).values_list("x_key", *aliases)
    ).query.sql_with_params()
    inner_sql, inner_params = counts.query.sql_with_params()
    quote = connection.ops.quote_name
    selected = [f"o.{quote(alias)}" for alias in aliases]
    for alias in counted.values():
        if isinstance(alias, tuple):
            alias, flag = alias
            selected.append(
                f"CASE WHEN o.{quote('x_' + flag)} THEN COALESCE(c.{quote(alias)}, 0) ELSE 0 END"
            )
        else:
            selected.append(f"COALESCE(c.{quote(alias)}, 0)")
    sql = (
        f"SELECT {', '.join(selected)} FROM ({outer_sql}) o "  # noqa: S608 (aliases, quoted)
        f"LEFT JOIN ({inner_sql}) c ON c.{quote('report_key')} = o.{quote('x_key')}"
    )
    return sql, (*outer_params, *inner_params)


def _const(value, field) -> Value:
    return Value(value, output_field=field)


def _int(value: int = 0) -> Value:
    return _const(value, IntegerField())


def _bool(value: bool) -> Value:
    return _const(value, BooleanField())


def _text(value: str) -> Value:
    return _const(value, CharField())


def rollup_compute(
    *, today: dt.date, program: Program | None = None, programs: list[Program] | None = None
) -> int:
    """Make the roll-up rows of ``program`` (or of every program in ``programs``, in one pass
    over the data) those computed from the data now; returns how many rows that is.

    A run on PostgreSQL outside any transaction (a worker's) computes its tables in two halves
    at once, the second on a connection of its own (``_SECOND_HALF``): the statements are
    independent and the database has more than one core. The program rows stay locked by the
    first half's transaction until both halves are done, so no increment or other run comes
    between; the second half commits first (a failure of the first after that leaves the
    second's tables current, which a run may: the next run, or the retry, redoes the rest).
    Inside a transaction (tests, a caller's atomic block) and on SQLite, one after the other.
    """
    ids = sorted({p.pk for p in ([program] if program is not None else programs or [])})
    if not ids:
        return 0
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        # Serialise runs over the same programs: the second waits here and then recomputes.
        list(Program.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        _tune_run()
        periods = list(
            ReportingPeriod.objects.filter(program__in=ids, opens_on__lte=today).values_list(
                "pk", flat=True
            )
        )
        tables = {
            ConsortiumRollup: lambda: _consortium_rows(ids, periods, today),
            TaskRollup: lambda: _task_rows(periods, today),
            SelectionRollup: lambda: _selection_rows(ids),
            DeliverableRollup: lambda: _deliverable_rows(ids),
            PlanRollup: lambda: _plan_rows(ids),
        }
        second = {m: b for m, b in tables.items() if parallel and m in _SECOND_HALF}
        first = {m: b for m, b in tables.items() if m not in second}
        changed: dict = {}
        half = _Half(ids, second, changed) if second else None
        try:
            written = _write_tables(ids, first, changed)
        finally:
            if half is not None:
                half.join()
        if half is not None:
            if half.error is not None:
                raise half.error
            written += half.written
        corrected = {name: n for name, n in changed.items() if sum(n)}
        if corrected:  # on PostgreSQL, what the increments left wrong: (updated, deleted, inserted)
            logger.info("roll-up run of programs %s corrected %s", ids, corrected)
        _changed(ids)
    return written


#: The tables a parallel run computes on its second connection: about half of the run's time
#: (bench/dashboards.py prints each statement's), the task rows being the largest.
_SECOND_HALF = frozenset({ConsortiumRollup, DeliverableRollup})


def _tune_run() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Group in memory, not in temporary files; a crash before the WAL is flushed loses
            # only this run, which the next one redoes.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")


def _write_tables(ids, tables: dict, changed: dict) -> int:
    """Each table of ``tables`` (model -> what computes its rows) made what it computes; what a
    run corrected is noted in ``changed``."""
    _replacing.changed = changed
    try:
        return sum(
            _rewrite(model.objects.filter(program__in=ids), build)
            for model, build in tables.items()
        )
    finally:
        _replacing.changed = None


class _Half(threading.Thread):
    """The second half of a parallel run: its tables in a transaction on this thread's own
    connection, started at once; ``join()``, then ``written`` or ``error``."""

    def __init__(self, ids, tables: dict, changed: dict):
        super().__init__(name="rollup-second-half", daemon=True)
        self.ids, self.tables, self.changed = ids, tables, changed
        self.written, self.error = 0, None
        self.start()

    def run(self) -> None:
        mine: dict = {}
        try:
            with transaction.atomic():
                _tune_run()
                self.written = _write_tables(self.ids, self.tables, mine)
            self.changed.update(mine)
        except BaseException as exc:  # raised again by the run, in its own thread
            self.error = exc
        finally:
            connection.close()


def _consortium_rows(ids, periods, today, *, consortium_id: int | None = None) -> int:
    """One row per expected consortium × opened period, in two statements: the reports (their
    entries counted, grouped by report) and the expected pairs that have not started the
    period's report. Who is expected and what is overdue: ``reporting.periods.expectations``.
    ``consortium_id``: that consortium's rows only (an increment)."""
    if not periods:
        return 0
    one = Q() if consortium_id is None else Q(consortium=consortium_id)
    handed_in = Q(state__in=HANDED_IN)

    def flag(condition: Q) -> Case:
        return Case(When(condition, then=True), default=False, output_field=BooleanField())

    # On time: first handed in on or before the due date, as a date in Beijing time.
    on_time = flag(handed_in & Q(first_submitted_at__date__lte=F("period__due_date")))
    reports = ProgressReport.objects.filter(one, expected_q(today=today), period__in=periods)
    # The entries counted per report in one narrow GROUP BY (the report's id alone), then joined
    # to the reports' own columns: grouping on those too would hash every entry's wide key.
    live = Q(nothing_to_report=False)
    counts = {
        "selected": Count("id"),
        **{status: Count("id", filter=live & Q(status=status)) for status in STATUSES},
        "nothing_to_report": Count("id", filter=Q(nothing_to_report=True)),
        "percent_sum": Sum("percent", filter=live, default=0),
        "percent_count": Count("percent", filter=live),
    }
    # A run counts every report's entries without joining the reports (the LEFT JOIN below
    # keeps the expected ones); an increment only its consortium's, of its periods.
    entries = (
        TaskProgress.objects.filter(
            Q() if consortium_id is None else _in_reports(periods, consortium_id)
        )
        .order_by()
        .values(report_key=F("report"))
        .annotate(**{f"n_{name}": value for name, value in counts.items()})
    )
    started_columns = {
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
    }
    # Task figures count handed-in reports only: the others' counts are zero.
    counted = {
        name: f"n_{name}" if name == "selected" else (f"n_{name}", "handed_in") for name in counts
    }
    # Counted on the plan's index alone: no ordering (it would join the tasks), no other join.
    selections = (
        TaskSelection.objects.filter(plan=OuterRef("plan"))
        .order_by()
        .values("plan")
        .annotate(n=Count("id"))
        .values("n")
    )
    # Expected pairs: consortia × their program's periods, the period joined once.
    consortia = Consortium.objects.filter(program__in=ids)
    if consortium_id is not None:
        consortia = consortia.filter(pk=consortium_id)
    not_started = expected_pairs(consortia, today=today, periods=list(periods)).filter(
        ~Exists(
            ProgressReport.objects.filter(
                consortium=OuterRef("pk"), period=OuterRef("expected_period")
            )
        )
    )
    not_started_columns = {
        "program": "program",
        "period": "expected_period",
        "consortium": "id",
        "authority": "authority",
        "entity_type": "entity_type",
        "report_state": _text(""),
        "handed_in": _bool(False),
        "first_submitted_at": Value(None, output_field=DateTimeField()),
        "on_time": _bool(False),
        "overdue": flag(Q(expected_due__lt=today)),
        "selected": Coalesce(Subquery(selections), 0),
        **{k: _int() for k in COUNTED},
    }
    # Both SELECTs give the columns in the order of the first: one statement writes them.
    if list(not_started_columns) != [*started_columns, *counted]:
        raise AssertionError("the consortium rows' two SELECTs disagree on their columns")
    return _insert(
        ConsortiumRollup,
        list(not_started_columns),
        [
            _joined_select(reports, started_columns, entries, counted),
            _select(not_started, not_started_columns),
        ],
    )


def _task_rows(periods, today, *, group: Group | None = None) -> int:
    """Entries of handed-in reports that are expected (``reporting.periods.expectations``)."""
    return _insert_select(
        TaskRollup,
        TaskProgress.objects.filter(
            _members(group, "report__consortium__"),
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


def _selection_rows(ids, *, group: Group | None = None) -> int:
    return _insert_select(
        SelectionRollup,
        TaskSelection.objects.filter(
            _members(group, "plan__consortium__"),
            plan__consortium__program__in=ids,
            plan__consortium__pilot_since__isnull=False,
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


def _deliverable_rows(ids, *, group: Group | None = None) -> int:
    """Every kind's rows in one statement (a SELECT per kind, UNION ALL)."""
    selects, names = [], []
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
        names = names or list(columns)
        rows = spec.model.objects.filter(
            _members(group, "consortium__"), consortium__program__in=ids
        )
        selects.append(_select(rows, {name: columns[name] for name in names}))
    return _insert(DeliverableRollup, names, selects)


def _plan_rows(ids, *, group: Group | None = None) -> int:
    return _insert_select(
        PlanRollup,
        Consortium.objects.filter(_members(group), program__in=ids, plan__isnull=False),
        {
            "program": "program",
            "authority": "authority",
            "entity_type": "entity_type",
            "state": "plan__state",
            "count": Count("id"),
        },
    )
