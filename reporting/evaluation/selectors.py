"""Reads of evaluations, scoped to who asks. Scores come from ``scoring.py`` only."""

from django.db.models import QuerySet
from django.http import Http404

from consortia.models import Consortium
from consortia.selectors import consortium_list_visible_to
from consortia.workflows import PlanState
from portal.permissions import is_ministry
from reporting.evaluation.models import CaseSelection, Evaluation, EvaluationCriterion, GradeBand
from reporting.evaluation.permissions import can_view_evaluation
from reporting.evaluation.scoring import RankingRow, evaluation_results, ranking
from reporting.evaluation.workflows import (
    FINAL_STATES,
    VISIBLE_OUTSIDE_MINISTRY,
    EvaluationState,
)
from reporting.final.models import TypicalCase
from reporting.final.workflows import FinalState
from tasks_catalog.models import Program

#: Which plans make a consortium one the Ministry evaluates: the one line to change when
#: amendments add states of an approved plan.
EVALUATED_PLAN_STATES = (PlanState.APPROVED,)


def evaluable_consortia(*, program: Program | None = None) -> QuerySet[Consortium]:
    """The consortia the Ministry evaluates: those with an approved plan."""
    qs = Consortium.objects.filter(plan__state__in=EVALUATED_PLAN_STATES).select_related(
        "program", "authority", "entity_type"
    )
    return qs.filter(program=program) if program is not None else qs


def evaluation_queryset() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related(
        "consortium__program", "consortium__authority", "consortium__entity_type", "moderator"
    )


def evaluation_list_visible_to(*, user, program: Program | None = None) -> QuerySet[Evaluation]:
    """The Ministry: every evaluation; anyone else: the published ones of the consortia they see."""
    qs = evaluation_queryset()
    if program is not None:
        qs = qs.filter(consortium__program=program)
    if is_ministry(user):
        return qs
    return qs.filter(
        state__in=VISIBLE_OUTSIDE_MINISTRY,
        consortium__in=consortium_list_visible_to(user=user).values("pk"),
    )


def evaluation_get_for(*, user, pk) -> Evaluation:
    """The evaluation if the user may see it; 404 otherwise (unpublished ones included)."""
    try:
        evaluation = evaluation_list_visible_to(user=user).get(pk=pk)
    except (Evaluation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_view_evaluation(user, evaluation):
        raise Http404
    return evaluation


def scheme_for(*, program: Program) -> tuple[list[EvaluationCriterion], list[GradeBand]]:
    return (
        list(EvaluationCriterion.objects.filter(program=program)),
        list(GradeBand.objects.filter(program=program)),
    )


def _filtered(qs, *, entity_type: str = "", province: str = ""):
    if entity_type:
        qs = qs.filter(entity_type__code=entity_type)
    if province:
        qs = qs.filter(authority__code=province)
    return qs


def evaluation_overview(*, program: Program, entity_type: str = "", province: str = "") -> list:
    """The Ministry's list: every evaluable consortium of the program with its evaluation (or
    None) and that evaluation's result."""
    consortia = list(
        _filtered(evaluable_consortia(program=program), entity_type=entity_type, province=province)
    )
    evaluations = {
        e.consortium_id: e
        for e in evaluation_queryset().filter(consortium__in=[c.pk for c in consortia])
    }
    results = {r.evaluation.pk: r for r in evaluation_results(evaluations.values())}
    rows = []
    for consortium in consortia:
        evaluation = evaluations.get(consortium.pk)
        rows.append((consortium, evaluation, results.get(evaluation.pk) if evaluation else None))
    return rows


def evaluation_ranking(
    *, program: Program, entity_type: str = "", province: str = "", published_only: bool = False
) -> list[RankingRow]:
    """The program's ranking of final scores (finalised and published evaluations)."""
    states = VISIBLE_OUTSIDE_MINISTRY if published_only else FINAL_STATES
    consortia = _filtered(
        Consortium.objects.filter(program=program), entity_type=entity_type, province=province
    )
    evaluations = evaluation_queryset().filter(
        consortium__in=consortia.values("pk"), state__in=states
    )
    return ranking(evaluation_results(evaluations))


def closing_evaluation_ranking(*, program: Program) -> list[RankingRow]:
    """For the program's closing document: the published evaluations, ranked, each with its
    final score per criterion (``row.result.criteria``), total and grade."""
    return evaluation_ranking(program=program, published_only=True)


#: A typical case can be selected once the province has confirmed the final summary that puts it
#: forward (the Ministry reviews it from then on).
CASE_REPORT_STATES = (FinalState.CONFIRMED, FinalState.ACCEPTED)


def evaluation_cases(*, user, evaluation: Evaluation) -> list[dict]:
    """The consortium's typical cases, each with its selection (or None): the Ministry sees every
    case of a confirmed or accepted final summary; the consortium and its province (who see a
    published evaluation only) the selected ones."""
    cases = (
        TypicalCase.objects.filter(
            consortium=evaluation.consortium, report__state__in=CASE_REPORT_STATES
        )
        .select_related("selection__selected_by")
        .prefetch_related("datasets", "industry_models")
        .order_by("sort_order", "pk")
    )
    if not is_ministry(user):
        cases = cases.filter(selection__isnull=False)
    return [{"case": case, "selection": _selection_of(case)} for case in cases]


def _selection_of(case: TypicalCase) -> CaseSelection | None:
    try:
        return case.selection
    except CaseSelection.DoesNotExist:
        return None


def promoted_cases(*, program: Program) -> QuerySet[CaseSelection]:
    """The cases selected for promotion in the program's published evaluations (the closing
    document lists them)."""
    return (
        CaseSelection.objects.filter(
            evaluation__consortium__program=program,
            evaluation__state=EvaluationState.PUBLISHED,
        )
        .select_related("case", "evaluation__consortium__authority")
        .order_by("evaluation__consortium__authority__sort_order", "case__sort_order", "case_id")
    )
