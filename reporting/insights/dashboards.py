"""Dashboard reads: figures from the stored roll-ups, scoped to a program, period and filters.

Every function takes a ``Scope`` (built by ``scope_for`` from the request's filters, with the
province forced for a provincial authority) and reads only the roll-up tables, with a fixed
number of queries whatever the number of consortia. The drill-down functions at the end return
the rows behind a figure (reports and task entries), filtered the same way.

Filters: program, period, province, entity type, category (task figures) and industry
(deliverable figures: datasets carry an industry; with an industry chosen, the other kinds,
which have none, are not counted).
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from consortia.models import TaskSelection
from consortia.workflows import QUOTA_STATES, PlanState
from portal.caching import cached
from portal.inputs import is_number
from portal.models import Organisation
from portal.prepared import Prepared
from portal.requestlocal import request_memo
from portal.roles import Role
from portal.selectors import scoped_to_province
from reporting.insights.models import (
    ConsortiumRollup,
    DeliverableRollup,
    PlanRollup,
    TaskRollup,
)
from reporting.insights.permissions import can_view_dashboard
from reporting.insights.rollups import HANDED_IN, STATUSES, deliverable_measures, rollup_status
from reporting.periods.expectations import expected_for_period_q, expected_q, is_due
from reporting.periods.models import ReportingPeriod, TaskProgress
from reporting.periods.workflows import ReportState
from reporting.registry.kinds import KINDS, figure_kinds
from tasks_catalog import terms
from tasks_catalog.models import EntityType, Program, ReferenceTask, TaskCategory

T = TypeVar("T")
TASK_FIGURES = [*STATUSES, "nothing_to_report"]
CACHE_SECONDS = 86400  # figures keyed on the roll-up version: a new version is a new key
#: Report figures a drill-down can list, and the roll-up filter behind each.
REPORT_FLAGS = {
    "expected": Q(),
    "handed_in": Q(handed_in=True),
    "on_time": Q(on_time=True),
    "late": Q(handed_in=True, on_time=False),
    "overdue": Q(overdue=True),
    "not_started": Q(report_state=""),
    "draft": Q(report_state=ReportState.DRAFT),
    "returned": Q(report_state=ReportState.RETURNED),
    "submitted": Q(report_state=ReportState.SUBMITTED),
    "confirmed": Q(report_state=ReportState.CONFIRMED),
    "accepted": Q(report_state=ReportState.ACCEPTED),
}


@dataclass(frozen=True)
class Scope:
    program: Program
    period: ReportingPeriod
    authority: Organisation | None = None  # None: national
    entity_type: EntityType | None = None
    category: TaskCategory | None = None
    industry: str = ""

    @property
    def national(self) -> bool:
        return self.authority is None

    def params(self, **overrides) -> dict[str, str]:
        """The filters as query parameters (codes, never translated text)."""
        values = {
            "program": self.program.code,
            "period": self.period.code,
            "province": self.authority.code if self.authority else "",
            "entity_type": self.entity_type.code if self.entity_type else "",
            "category": str(self.category.number) if self.category else "",
            "industry": self.industry,
        }
        values.update({k: "" if v is None else str(v) for k, v in overrides.items()})
        return {k: v for k, v in values.items() if v}

    def query(self, **overrides) -> str:
        return urlencode(self.params(**overrides))

    def without_period(self, period: ReportingPeriod) -> "Scope":
        return replace(self, period=period)


def _invalid(field: str, message: str):
    return ValidationError({field: ValidationError(message, code="invalid_filter")})


def scope_for(*, user, params: Mapping[str, str]) -> Scope:
    """The scope the user asked for. A provincial authority always gets its own province.

    Raises ``PermissionDenied`` (a province asking for another province or the national figures,
    or a consortium user) and ``ValidationError`` for an unknown filter value.
    """
    province = (params.get("province") or "").strip()
    if getattr(user, "role", "") == Role.PROVINCIAL_AUTHORITY and not province:
        province = user.organisation.code if user.organisation_id else ""
    authority = None
    if province:
        authority = Organisation.objects.filter(
            code=province, kind=Organisation.Kind.PROVINCIAL_AUTHORITY
        ).first()
        if authority is None:
            raise _invalid("province", _("Unknown province."))
    decision = can_view_dashboard(user, authority)
    if not decision:
        raise PermissionDenied(decision.reason)

    code = (params.get("program") or "").strip()
    program = next(
        (p for p in programs_oldest_first() if (p.code == code if code else p.is_active)), None
    )
    if program is None:
        raise _invalid("program", _("Unknown program."))
    periods = periods_of(program)
    code = (params.get("period") or "").strip()
    if code:
        period = next((p for p in periods if p.code == code), None)
        if period is None:
            raise _invalid("period", _("Unknown reporting period."))
    else:
        period = default_period(program=program)
        if period is None:
            raise _invalid("period", _("This program has no reporting periods."))
    entity_type = category = None
    if code := (params.get("entity_type") or "").strip():
        entity_type = EntityType.objects.filter(program=program, code=code).first()
        if entity_type is None:
            raise _invalid("entity_type", _("Unknown implementing-entity type."))
    if number := (params.get("category") or "").strip():
        category = TaskCategory.objects.filter(
            program=program, number=int(number) if is_number(number) else -1
        ).first()
        if category is None:
            raise _invalid("category", _("Unknown task category."))
    industry = (params.get("industry") or "").strip()
    if industry and industry not in {e.code for e in terms.entries(terms.INDUSTRY)}:
        raise _invalid("industry", _("Unknown industry."))
    return Scope(program, period, authority, entity_type, category, industry)


def task_number(value: str | int | None) -> int | None:
    """The reference-task number of a ``?task=`` filter (None: no filter); ``ValidationError``
    (code ``invalid_filter``) when it is not a number."""
    value = str(value if value is not None else "").strip()
    if not value:
        return None
    if not is_number(value):
        raise _invalid("task", _("Unknown reference task."))
    return int(value)


# The scope's and the filter form's reads of a program, on every dashboard view (prepared:
# portal.prepared).
_periods = Prepared(
    lambda program: ReportingPeriod.objects.filter(program=program).order_by("due_date"),
    program=int,
)
_programs = Prepared(lambda: Program.objects.order_by("start_date", "code"))
_entity_types = Prepared(lambda program: EntityType.objects.filter(program=program), program=int)
_categories = Prepared(lambda program: TaskCategory.objects.filter(program=program), program=int)


def programs_oldest_first() -> list[Program]:
    """Every program, the oldest first: the scope's and the filter form's, read once per
    request (``request_memo``)."""
    return request_memo("dashboard_programs", _programs.all)


def periods_of(program: Program) -> list[ReportingPeriod]:
    """The program's reporting periods by due date: the scope's and the filter form's, read
    once per request (``request_memo``)."""
    return request_memo(
        ("dashboard_periods", program.pk),
        lambda: _periods.all(program=program.pk),
    )


def default_period(*, program: Program) -> ReportingPeriod | None:
    """The latest period whose due date has passed (``is_due``); else the first one."""
    periods = periods_of(program)
    today = timezone.localdate()
    due = [p for p in periods if is_due(period=p, today=today)]
    return due[-1] if due else next(iter(periods), None)


def filter_choices(*, scope: Scope, user) -> dict:
    """What the filter form offers: the program's periods, entity types, categories …"""
    provinces = scoped_to_province(
        Organisation.objects.filter(kind=Organisation.Kind.PROVINCIAL_AUTHORITY),
        user=user,
        field="pk",
    )
    return {
        "programs": programs_oldest_first(),
        "periods": periods_of(scope.program),
        "provinces": list(provinces.order_by("sort_order", "code")),
        "entity_types": _entity_types.all(program=scope.program.pk),
        "categories": _categories.all(program=scope.program.pk),
        "industries": terms.all_choices(terms.INDUSTRY),
    }


def cached_figures(
    name: str,
    scope: Scope,
    compute: Callable[[], T],
    *,
    variant: str = "",
    status: Mapping | None = None,
) -> T:
    """``compute()``, cached per roll-up version (``rollup_version``, as ``rollup_status`` gives
    it with the time the rows last changed: a restored database or a test's fresh one counts
    versions again), scope, language and day (a period becomes due, and gets its on-time rate,
    at midnight). ``variant``: whatever else the value depends on (e.g. the viewer's role);
    ``status``: the program's ``rollup_status`` when the caller has it. Nothing computed yet:
    not cached.

    The value must pickle cheaply: turn lazy translations into text before returning it."""
    status = status or rollup_status(program=scope.program)
    if status["changed_at"] is None:
        return compute()
    key = "|".join(
        [
            get_language() or "",
            scope.query(),
            status["version"],
            status["changed_at"].isoformat(),
            timezone.localdate().isoformat(),
            variant,
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()
    return cached(f"dashboard:{name}:{digest}", compute, CACHE_SECONDS)


# --- figures -------------------------------------------------------------------------------------


def _where(qs: QuerySet, scope: Scope, *, period: bool = True) -> QuerySet:
    qs = qs.filter(program=scope.program)
    if period:
        qs = qs.filter(period=scope.period)
    if scope.authority is not None:
        qs = qs.filter(authority=scope.authority)
    if scope.entity_type is not None:
        qs = qs.filter(entity_type=scope.entity_type)
    return qs


def _tasks_qs(scope: Scope, *, period: bool = True) -> QuerySet[TaskRollup]:
    qs = _where(TaskRollup.objects.all(), scope, period=period)
    return qs.filter(category=scope.category) if scope.category is not None else qs


#: ``_selected``'s ``by`` → the task selection's path to it.
SELECTION_BY = {
    "authority": "plan__consortium__authority",
    "entity_type": "plan__consortium__entity_type",
    "task": "task",
    "category": "task__category",
}


def _selections_qs(scope: Scope) -> QuerySet[TaskSelection]:
    """Task selections of the consortia in scope (province, entity type, category)."""
    qs = TaskSelection.objects.filter(plan__consortium__program=scope.program)
    if scope.authority is not None:
        qs = qs.filter(plan__consortium__authority=scope.authority)
    if scope.entity_type is not None:
        qs = qs.filter(plan__consortium__entity_type=scope.entity_type)
    if scope.category is not None:
        qs = qs.filter(task__category=scope.category)
    return qs


def _selected(scope: Scope, by: str | None = None):
    """Tasks selected by the pilots expected to report for the scope's period (the one rule,
    ``reporting.periods.expectations``): a total, or a dict per ``by`` (one query).

    Read from the selections themselves (one GROUP BY, whatever the number of consortia): the
    selection roll-up has no period, and a pilot approved after the due date must not count."""
    qs = _selections_qs(scope).filter(
        expected_for_period_q(
            period=scope.period, today=timezone.localdate(), prefix="plan__consortium__"
        )
    )
    if by is None:
        return qs.count()
    path = SELECTION_BY[by]
    return dict(qs.values_list(path).annotate(n=Count("id")).order_by())


def _selected_per_period(scope: Scope, periods: list[ReportingPeriod]) -> dict[int, int]:
    """``_selected(scope)`` for each period, in one query."""
    if not periods:
        return {}
    today = timezone.localdate()
    counts = {
        f"p{period.pk}": Count(
            "id",
            filter=expected_for_period_q(period=period, today=today, prefix="plan__consortium__"),
        )
        for period in periods
    }
    row = _selections_qs(scope).aggregate(**counts)
    return {period.pk: row[f"p{period.pk}"] or 0 for period in periods}


def _deliverables_qs(scope: Scope, *, cumulative: bool = True) -> QuerySet[DeliverableRollup]:
    """Deliverables reported up to and including the scope's period."""
    qs = _where(DeliverableRollup.objects.all(), scope, period=False)
    qs = (
        qs.filter(period__due_date__lte=scope.period.due_date)
        if cumulative
        else qs.filter(period=scope.period)
    )
    return qs.filter(industry=scope.industry) if scope.industry else qs


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def format_rate(value: float | None) -> str:
    """A rate as pages, exports and the summary PDF print it: 75.0%; "—" with nothing to divide."""
    return "—" if value is None else f"{value:.1f}%"


def not_yet_due_text() -> str:
    """What pages, exports and the summary PDF show instead of an on-time rate (or a count of
    late reports) for a period whose due date has not passed."""
    return _("Not yet due")


def format_on_time_rate(reports: Mapping) -> str:
    """The on-time rate of ``_report_figures`` as printed: "75.0%", "—" or "Not yet due"."""
    if reports["on_time_rate_status"] == RATE_NOT_YET_DUE:
        return not_yet_due_text()
    return format_rate(reports["on_time_rate"])


def format_late(reports: Mapping) -> str:
    if reports["late"] is None:
        return not_yet_due_text()
    return str(reports["late"])


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 1) if count else None


#: ``on_time_rate_status``: the rate is computed; the period is not due yet (no rate); or the
#: period is due but no report was expected (nothing to divide).
RATE_COMPUTED = "computed"
RATE_NOT_YET_DUE = "not_yet_due"
RATE_NOTHING_EXPECTED = "nothing_expected"
RATE_STATUSES = (RATE_COMPUTED, RATE_NOT_YET_DUE, RATE_NOTHING_EXPECTED)

REPORT_COUNTS = {
    "expected": Count("id"),
    "handed_in": Count("id", filter=Q(handed_in=True)),
    "on_time": Count("id", filter=Q(on_time=True)),
    "overdue": Count("id", filter=Q(overdue=True)),
    "not_started": Count("id", filter=Q(report_state="")),
    "draft": Count("id", filter=Q(report_state=ReportState.DRAFT)),
    "returned": Count("id", filter=Q(report_state=ReportState.RETURNED)),
    "submitted": Count("id", filter=Q(report_state=ReportState.SUBMITTED)),
    "confirmed": Count("id", filter=Q(report_state=ReportState.CONFIRMED)),
    "accepted": Count("id", filter=Q(report_state=ReportState.ACCEPTED)),
}
#: Counts restricted to due periods: rates (on time, late) are over these only.
DUE_COUNTS = ("due_expected", "due_handed_in", "due_on_time", "due_periods")


def report_sums(*, today=None) -> dict:
    """Aggregates of ``ConsortiumRollup`` rows: the counts, and the same over due periods only
    (``today > due_date``), so that a rate over several periods counts the due ones alone."""
    due = Q(period__due_date__lt=today or timezone.localdate())
    # First: a filter naming a column resolves to an aggregate of that name defined before it.
    return {
        "due_expected": Count("id", filter=due),
        "due_handed_in": Count("id", filter=due & Q(handed_in=True)),
        "due_on_time": Count("id", filter=due & Q(on_time=True)),
        "due_periods": Count("period", filter=due, distinct=True),
        **REPORT_COUNTS,
    }


TASK_SUMS = {
    "reported": Sum("reported", default=0),
    **{k: Sum(k, default=0) for k in TASK_FIGURES},
    "percent_sum": Sum("percent_sum", default=0),
    "percent_count": Sum("percent_count", default=0),
}


def _report_figures(row: Mapping, *, due: bool | None = None) -> dict:
    """Figures from ``report_sums``. ``due``: whether the period (or, aggregated, any of the
    periods) is past its due date; None: whether any counted row is in a due period.

    The on-time rate and the late count exist only over due periods: before its due date a
    period has ``on_time_rate`` None, ``late`` None and ``on_time_rate_status`` "not_yet_due".
    """
    out = {k: row.get(k) or 0 for k in REPORT_COUNTS}
    due_expected, due_handed_in, due_on_time, due_periods = (row.get(k) or 0 for k in DUE_COUNTS)
    due = bool(due_periods) if due is None else due
    out["due"] = due
    out["handed_in_rate"] = _rate(out["handed_in"], out["expected"])
    out["late"] = due_handed_in - due_on_time if due else None
    out["on_time_rate"] = _rate(due_on_time, due_expected) if due else None
    out["on_time_rate_status"] = (
        RATE_NOT_YET_DUE
        if not due
        else RATE_COMPUTED
        if out["on_time_rate"] is not None
        else RATE_NOTHING_EXPECTED
    )
    return out


def _task_figures(row: Mapping, selected: int = 0) -> dict:
    out = {"selected": selected or 0, **{k: row.get(k) or 0 for k in TASK_SUMS}}
    out["mean_percent"] = _mean(out.pop("percent_sum"), out.pop("percent_count"))
    out["attention"] = out["at_risk"] + out["delayed"]
    return out


def period_is_due(scope: Scope) -> bool:
    """The scope's period is past its due date: it has an on-time rate (``expectations``)."""
    return is_due(period=scope.period)


def report_figures(scope: Scope) -> dict:
    return _report_figures(
        _where(ConsortiumRollup.objects.all(), scope).aggregate(**report_sums()),
        due=period_is_due(scope),
    )


def task_figures(scope: Scope) -> dict:
    return _task_figures(_tasks_qs(scope).aggregate(**TASK_SUMS), _selected(scope))


def deliverable_figures(scope: Scope) -> dict[str, dict]:
    rows = (
        _deliverables_qs(scope)
        .values("kind")
        .annotate(
            count=Sum("count"),
            records=Sum("records"),
            size_bytes=Sum("size_bytes"),
            open_source=Sum("open_source"),
            listed=Sum("listed"),
        )
        .order_by()
    )
    found = {r["kind"]: r for r in rows}
    out = {}
    for kind, spec in figure_kinds(scope.program).items():
        r = found.get(kind, {})
        out[kind] = {
            "kind": kind,
            "label": str(spec.label),
            **{
                k: r.get(k) or 0
                for k in ("count", "records", "size_bytes", "open_source", "listed")
            },
        }
    return out


FIGURE_FIELDS = ("count", "records", "size_bytes", "open_source", "listed")


def consortium_deliverable_figures(*, consortium, period: ReportingPeriod) -> dict[str, dict]:
    """One consortium's deliverables reported up to and including ``period``, in the shape of
    ``deliverable_figures`` and counted by the roll-up's own measures (``deliverable_measures``):
    for a province with one pilot, the two are equal."""
    out = {}
    for kind, spec in figure_kinds(consortium.program).items():
        # The measures a kind does not have are constants (0) in the roll-up: left out here.
        measures = {k: m for k, m in deliverable_measures(kind).items() if m.contains_aggregate}
        row = (
            spec.model.objects.filter(consortium=consortium, period__due_date__lte=period.due_date)
            .order_by()
            .aggregate(**measures)
        )
        out[kind] = {
            "kind": kind,
            "label": str(spec.label),
            **{k: row.get(k) or 0 for k in FIGURE_FIELDS},
        }
    return out


def plan_figures(scope: Scope) -> dict:
    rows = (
        _where(PlanRollup.objects.all(), scope, period=False)
        .values("state")
        .annotate(n=Sum("count"))
    )
    by_state = {r["state"]: r["n"] for r in rows}
    provinces = (
        1
        if scope.authority is not None
        else Organisation.objects.filter(kind=Organisation.Kind.PROVINCIAL_AUTHORITY).count()
    )
    return {
        "recommended": sum(by_state.values()),
        "in_quota": sum(by_state.get(s, 0) for s in QUOTA_STATES),
        "approved": by_state.get(PlanState.APPROVED, 0),
        "quota": scope.program.recommendation_quota * provinces,
        "by_state": [
            {"state": state, "label": label, "count": by_state.get(state, 0)}
            for state, label in PlanState.choices
        ],
    }


def overview(scope: Scope) -> dict:
    """The key figures: reports, tasks, deliverables (cumulative) and the plan pipeline."""
    return {
        "reports": report_figures(scope),
        "tasks": task_figures(scope),
        "deliverables": deliverable_figures(scope),
        "plans": plan_figures(scope),
    }


def province_table(scope: Scope) -> list[dict]:
    """One row per province with consortia in the program (just the one for a province)."""
    due = period_is_due(scope)
    reports = {
        r["authority"]: r
        for r in _where(ConsortiumRollup.objects.all(), scope)
        .values("authority")
        .annotate(**report_sums())
        .order_by()
    }
    tasks = {
        r["authority"]: r
        for r in _tasks_qs(scope).values("authority").annotate(**TASK_SUMS).order_by()
    }
    selected = _selected(scope, "authority")
    plans = defaultdict(dict)
    for r in (
        _where(PlanRollup.objects.all(), scope, period=False)
        .values("authority", "state")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        plans[r["authority"]][r["state"]] = r["n"]
    deliverables = defaultdict(dict)
    for r in (
        _deliverables_qs(scope).values("authority", "kind").annotate(n=Sum("count")).order_by()
    ):
        deliverables[r["authority"]][r["kind"]] = r["n"]
    ids = set(reports) | set(plans) | set(deliverables)
    authorities = Organisation.objects.filter(pk__in=ids).order_by("sort_order", "code")
    rows = []
    kinds = list(figure_kinds(scope.program))
    for authority in authorities:
        by_state = plans.get(authority.pk, {})
        rows.append(
            {
                "authority": authority,
                "reports": _report_figures(reports.get(authority.pk, {}), due=due),
                "tasks": _task_figures(tasks.get(authority.pk, {}), selected.get(authority.pk)),
                "plans": {
                    "recommended": sum(by_state.values()),
                    "in_quota": sum(by_state.get(s, 0) for s in QUOTA_STATES),
                    "approved": by_state.get(PlanState.APPROVED, 0),
                    "quota": scope.program.recommendation_quota,
                },
                "deliverables": {k: deliverables[authority.pk].get(k, 0) for k in kinds},
            }
        )
    return rows


def task_table(scope: Scope) -> list[dict]:
    rows = {r["task"]: r for r in _tasks_qs(scope).values("task").annotate(**TASK_SUMS).order_by()}
    tasks = ReferenceTask.objects.filter(program=scope.program).select_related("category")
    if scope.category is not None:
        tasks = tasks.filter(category=scope.category)
    selected = _selected(scope, "task")
    return [{"task": t, **_task_figures(rows.get(t.pk, {}), selected.get(t.pk))} for t in tasks]


def category_table(scope: Scope) -> list[dict]:
    rows = {
        r["category"]: r
        for r in _tasks_qs(scope).values("category").annotate(**TASK_SUMS).order_by()
    }
    categories = TaskCategory.objects.filter(program=scope.program)
    if scope.category is not None:
        categories = categories.filter(pk=scope.category.pk)
    selected = _selected(scope, "category")
    return [
        {"category": c, **_task_figures(rows.get(c.pk, {}), selected.get(c.pk))} for c in categories
    ]


def entity_type_table(scope: Scope) -> list[dict]:
    due = period_is_due(scope)
    reports = {
        r["entity_type"]: r
        for r in _where(ConsortiumRollup.objects.all(), scope)
        .values("entity_type")
        .annotate(**report_sums())
        .order_by()
    }
    tasks = {
        r["entity_type"]: r
        for r in _tasks_qs(scope).values("entity_type").annotate(**TASK_SUMS).order_by()
    }
    selected = _selected(scope, "entity_type")
    types = EntityType.objects.filter(program=scope.program)
    if scope.entity_type is not None:
        types = types.filter(pk=scope.entity_type.pk)
    return [
        {
            "entity_type": t,
            "reports": _report_figures(reports.get(t.pk, {}), due=due),
            "tasks": _task_figures(tasks.get(t.pk, {}), selected.get(t.pk)),
        }
        for t in types
    ]


def trend(scope: Scope) -> list[dict]:
    """Per period up to the scope's: reports handed in, on time, mean progress, attention, datasets.

    A period not yet due has no on-time rate (a gap in the chart)."""
    today = timezone.localdate()
    periods = list(
        ReportingPeriod.objects.filter(
            program=scope.program, due_date__lte=scope.period.due_date
        ).order_by("due_date")
    )
    reports = {
        r["period"]: r
        for r in _where(ConsortiumRollup.objects.all(), scope, period=False)
        .values("period")
        .annotate(**report_sums(today=today))
        .order_by()
    }
    tasks = {
        r["period"]: r
        for r in _tasks_qs(scope, period=False).values("period").annotate(**TASK_SUMS).order_by()
    }
    datasets = {
        r["period"]: r["n"]
        for r in _deliverables_qs(scope)
        .filter(kind="dataset")
        .values("period")
        .annotate(n=Sum("count"))
        .order_by()
    }
    selected = _selected_per_period(scope, periods)
    out, cumulative = [], 0
    for period in periods:
        cumulative += datasets.get(period.pk, 0)
        out.append(
            {
                "period": period,
                "reports": _report_figures(
                    reports.get(period.pk, {}), due=is_due(period=period, today=today)
                ),
                "tasks": _task_figures(tasks.get(period.pk, {}), selected[period.pk]),
                "datasets": cumulative,
            }
        )
    return out


def deliverable_breakdown(scope: Scope) -> dict:
    """Datasets by industry, standards by level × stage, scenarios by stage (cumulative)."""
    qs = _deliverables_qs(scope)
    industries = dict(terms.all_choices(terms.INDUSTRY))
    datasets = [
        {"industry": r["industry"], "label": industries.get(r["industry"], r["industry"]), **r}
        for r in qs.filter(kind="dataset")
        .values("industry")
        .annotate(
            count=Sum("count"),
            records=Sum("records"),
            size_bytes=Sum("size_bytes"),
            open_source=Sum("open_source"),
        )
        .order_by("-count", "industry")
    ]
    standard = KINDS["standard"]
    levels, stages = dict(standard.choices("level")), dict(standard.choices("stage"))
    standards = [
        {**r, "level_label": levels.get(r["level"], ""), "stage_label": stages.get(r["stage"], "")}
        for r in qs.filter(kind="standard")
        .values("level", "stage")
        .annotate(count=Sum("count"))
        .order_by("level", "stage")
    ]
    scenario_stages = dict(KINDS["scenario"].choices("stage"))
    scenarios = [
        {**r, "label": scenario_stages.get(r["stage"], r["stage"])}
        for r in qs.filter(kind="scenario").values("stage").annotate(count=Sum("count")).order_by()
    ]
    return {"datasets": datasets, "standards": standards, "scenarios": scenarios}


def consortium_rows(scope: Scope) -> QuerySet[ConsortiumRollup]:
    """Every consortium in scope with its report and task figures for the period."""
    return _where(ConsortiumRollup.objects.all(), scope).select_related(
        "consortium", "authority", "entity_type"
    )


def overdue_reports(scope: Scope) -> QuerySet[ConsortiumRollup]:
    return consortium_rows(scope).filter(overdue=True)


# --- the rows behind a figure --------------------------------------------------------------------


def report_rows(scope: Scope, *, flag: str = "expected") -> QuerySet[ConsortiumRollup]:
    """The consortia (and their reports' state) behind a report figure."""
    if flag not in REPORT_FLAGS:
        raise _invalid("flag", _("Unknown figure."))
    return consortium_rows(scope).filter(REPORT_FLAGS[flag])


def entry_rows(
    scope: Scope, *, task: int | None = None, status: str = ""
) -> QuerySet[TaskProgress]:
    """The task entries of handed-in, expected reports behind a task figure (``status``
    "attention": at risk or delayed)."""
    qs = TaskProgress.objects.filter(
        expected_q(today=timezone.localdate(), prefix="report__"),
        report__period=scope.period,
        report__state__in=HANDED_IN,
    ).select_related("report__consortium__authority", "task", "report__period")
    if scope.authority is not None:
        qs = qs.filter(report__consortium__authority=scope.authority)
    if scope.entity_type is not None:
        qs = qs.filter(report__consortium__entity_type=scope.entity_type)
    if scope.category is not None:
        qs = qs.filter(task__category=scope.category)
    if task is not None:
        qs = qs.filter(task__number=task, task__program=scope.program)
    if status == "attention":
        qs = qs.filter(nothing_to_report=False, status__in=["at_risk", "delayed"])
    elif status == "nothing_to_report":
        qs = qs.filter(nothing_to_report=True)
    elif status:
        if status not in STATUSES:
            raise _invalid("status", _("Unknown task status."))
        qs = qs.filter(nothing_to_report=False, status=status)
    return qs.order_by("task__number", "report__consortium__authority__sort_order", "report_id")


def at_risk_entries(scope: Scope) -> QuerySet[TaskProgress]:
    return entry_rows(scope, status="attention")


def heatmap(scope: Scope, *, consortia: list[ConsortiumRollup]) -> dict:
    """Consortium × task status for the given page of consortia (two queries).

    Cell values: a task status, "nothing_to_report", "no_report" (selected, no report handed
    in) or None (the task is not selected).
    """
    tasks = list(
        ReferenceTask.objects.filter(program=scope.program)
        .select_related("category")
        .order_by("number")
    )
    if scope.category is not None:
        tasks = [t for t in tasks if t.category_id == scope.category.pk]
    ids = [row.consortium_id for row in consortia]
    selected = set(
        TaskSelection.objects.filter(plan__consortium__in=ids).values_list(
            "plan__consortium_id", "task_id"
        )
    )
    statuses = {
        (e["report__consortium_id"], e["task_id"]): (
            "nothing_to_report" if e["nothing_to_report"] else e["status"]
        )
        for e in TaskProgress.objects.filter(
            report__consortium__in=ids, report__period=scope.period, report__state__in=HANDED_IN
        ).values("report__consortium_id", "task_id", "status", "nothing_to_report")
    }
    rows = []
    for row in consortia:
        cells = []
        for task in tasks:
            key = (row.consortium_id, task.pk)
            cells.append(statuses.get(key) or ("no_report" if key in selected else None))
        rows.append({"rollup": row, "cells": cells})
    return {"tasks": tasks, "rows": rows}
