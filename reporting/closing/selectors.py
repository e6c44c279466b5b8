"""The program at its close (成效总结): one reading of its final summaries, evaluations, promoted
cases and deliverables, for the dashboard's final view, its API and (next) the closing PDF."""

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection
from django.utils.translation import get_language

from consortia.models import Consortium
from consortia.selectors import consortium_list_visible_to
from consortia.workflows import PlanState
from portal.caching import cached
from portal.models import AuditEntry, Organisation
from reporting.evaluation.selectors import closing_evaluation_ranking, promoted_cases
from reporting.final.models import FinalReport
from reporting.final.selectors import final_period_for
from reporting.final.workflows import FinalState
from reporting.insights.models import RollupState
from reporting.registry.kinds import kinds_for
from tasks_catalog.models import EntityType, Program

T = TypeVar("T")


@dataclass
class GroupRow:
    """One province or one implementing-entity type."""

    label: str
    pilots: int = 0
    accepted: int = 0
    published: int = 0
    grades: Counter = field(default_factory=Counter)

    @property
    def grade_counts(self) -> list[tuple[str, int]]:
        return sorted(self.grades.items())


CACHE_SECONDS = 300  # the longest a cached body lives: see closing_cached


def closing_cached(name: str, *, user, program: Program, compute: Callable[[], T]) -> T:
    """``compute()`` (the final view's figures, rendered or serialised), cached per program,
    language, the viewer's role and organisation (their scope), and the state of what the figures
    read: the program's roll-up version (plans approved, deliverables: every such change bumps
    it) and the newest audit entry (every final summary, evaluation and case transition writes
    one, as does every change in the admin). A change is seen at once; at worst, a transition
    whose entry took its number before one already committed is seen ``CACHE_SECONDS`` later.
    Before any roll-up of the program: not cached."""
    state = RollupState.objects.filter(program=program).values_list("version", "changed_at").first()
    if state is None or state[1] is None:
        return compute()
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    scope = "everyone" if user is None else f"{user.role}:{user.organisation_id}"
    key = "|".join(
        [name, program.code, get_language() or "", scope, str(state[0]), state[1].isoformat()]
        + [str(last_entry)]
    )
    return cached(f"closing:{hashlib.sha256(key.encode()).hexdigest()}", compute, CACHE_SECONDS)


def closing_overview(*, user, program: Program) -> dict:
    """Figures of the program's final stage as ``user`` may see them (the Ministry: all;
    ``None``: every pilot, for the closing document)."""
    visible = Consortium.objects.all() if user is None else consortium_list_visible_to(user=user)
    # The pilots as a query (a subquery below: no list of thousands of ids sent back), read as
    # (id, province, type) tuples: no model object per pilot.
    pilots = (
        visible.filter(program=program, plan__state=PlanState.APPROVED)
        .select_related("authority", "entity_type")
        .order_by("authority__sort_order", "pk")
    )
    rows = list(pilots.values_list("pk", "authority_id", "entity_type_id"))
    ids = {pk for pk, _a, _t in rows}
    pilot_ids = pilots.values("pk")
    period = final_period_for(program=program)
    reports = (
        {
            r.consortium_id: r
            for r in FinalReport.objects.filter(
                period=period, consortium_id__in=pilot_ids
            ).select_related("consortium")
        }
        if period
        else {}
    )
    by_state = Counter(r.state for r in reports.values())
    ranking = [
        row for row in closing_evaluation_ranking(program=program) if row.consortium.pk in ids
    ]
    grades = Counter(row.result.grade_label for row in ranking if row.result.grade is not None)
    grade_of = {row.consortium.pk: row.result.grade_label for row in ranking}
    province_names = {
        o.pk: o.region_name for o in Organisation.objects.filter(pk__in={a for _pk, a, _t in rows})
    }
    type_names = {t.pk: t.name for t in EntityType.objects.filter(pk__in={t for *_x, t in rows})}
    provinces: dict[int, GroupRow] = {}
    types: dict[int, GroupRow] = {}
    for pk, authority_id, entity_type_id in rows:
        for groups, key, label in (
            (provinces, authority_id, province_names.get(authority_id)),
            (types, entity_type_id, type_names.get(entity_type_id)),
        ):
            row = groups.get(key)
            if row is None:
                row = groups[key] = GroupRow(label)
            row.pilots += 1
            report = reports.get(pk)
            row.accepted += bool(report and report.state == FinalState.ACCEPTED)
            if pk in grade_of:
                row.published += 1
                row.grades[grade_of[pk]] += 1
    kinds = kinds_for(program)
    counts = _deliverable_counts(kinds, pilot_ids)
    deliverables = [(spec.label, counts.get(key, 0)) for key, spec in kinds.items()]
    paths = [
        (r.consortium, r.paths_mechanisms)
        for r in sorted(reports.values(), key=lambda r: r.consortium.name)
        if r.state == FinalState.ACCEPTED and r.paths_mechanisms.strip()
    ]
    return {
        "program": program,
        "period": period,
        "pilots": len(rows),
        "pilot_list": pilots,  # a query: closing_catalogue reads it as a subquery
        "final_states": [
            (state, label, by_state.get(state, 0)) for state, label in FinalState.choices
        ],
        "final_not_started": len(rows) - len(reports),
        "published": len(ranking),
        "grades": sorted(grades.items()),
        "ranking": ranking,
        "provinces": list(provinces.values()),
        "types": list(types.values()),
        "cases": [s for s in promoted_cases(program=program) if s.evaluation.consortium_id in ids],
        "deliverables": deliverables,
        "paths": paths,
    }


def _deliverable_counts(kinds: dict, pilot_ids) -> dict[str, int]:
    """How many deliverables of each kind the pilots (a subquery of ids) recorded, in one query:
    the kinds' consortium ids in one list, matched against the pilots once."""
    quote = connection.ops.quote_name
    rows = " UNION ALL ".join(
        f"SELECT %s AS kind, {quote('consortium_id')} AS cid FROM {quote(spec.model._meta.db_table)}"  # noqa: S608 (models' tables)
        for spec in kinds.values()
    )
    pilots, params = pilot_ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.kind, COUNT(*) FROM ({rows}) d WHERE d.cid IN ({pilots}) GROUP BY d.kind",  # noqa: S608
            (*kinds, *params),
        )
        return dict(cursor.fetchall())


def closing_catalogue(*, program: Program, pilots: list) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every deliverable of the program's pilots by kind: (name, consortium), by consortium."""
    return [
        (
            str(spec.label),
            list(
                spec.model.objects.filter(consortium__in=pilots)
                .order_by("consortium__authority__sort_order", "consortium_id", "name")
                .values_list("name", "consortium__name")
            ),
        )
        for spec in kinds_for(program).values()
    ]
