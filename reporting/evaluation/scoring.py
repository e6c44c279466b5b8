"""The one place scores are computed: a criterion's average and final score, the weighted total,
the grade and the rank. The pages, the API, the Excel export and the closing PDF all read
``evaluation_result`` / ``ranking``; nothing else adds scores up.

- A criterion's *average* is the mean of the submitted scorecards' scores (drafts do not count).
- Its *final* score is the moderator's, where one is set, else the average.
- The *total* (out of 100) is the sum over criteria of final / maximum score × weight; it exists
  only when every criterion has a final score. Averages and totals are rounded half up to
  two decimals.
- The *grade* is the band with the highest lower bound not above the total.
- The *rank* is competition ranking (1, 2, 2, 4) by total, per program.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from reporting.evaluation.models import (
    Evaluation,
    EvaluationCriterion,
    GradeBand,
    ModeratedScore,
    Scorecard,
)

CENT = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ReviewerScore:
    reviewer: object  # User
    score: Decimal
    comment: str


@dataclass
class CriterionResult:
    criterion: EvaluationCriterion
    reviewer_scores: list[ReviewerScore] = field(default_factory=list)
    average: Decimal | None = None
    final: Decimal | None = None
    moderated: bool = False  # the moderator set the final score
    reason: str = ""  # why the moderator set it
    comment: str = ""  # the moderator's comment to the consortium
    weighted: Decimal | None = None  # final / max × weight


@dataclass
class EvaluationResult:
    evaluation: Evaluation
    criteria: list[CriterionResult]
    reviewers: list  # users with a submitted scorecard
    drafts: list  # users with a scorecard not yet submitted
    total: Decimal | None
    grade: GradeBand | None

    @property
    def grade_label(self) -> str:
        return self.grade.label if self.grade is not None else ""


def grade_for(total: Decimal | None, bands: Iterable[GradeBand]) -> GradeBand | None:
    if total is None:
        return None
    eligible = [b for b in bands if b.lower_bound <= total]
    return max(eligible, key=lambda b: b.lower_bound) if eligible else None


def _scheme(program_ids: set[int]):
    criteria: dict[int, list[EvaluationCriterion]] = {}
    for criterion in EvaluationCriterion.objects.filter(program_id__in=program_ids):
        criteria.setdefault(criterion.program_id, []).append(criterion)
    bands: dict[int, list[GradeBand]] = {}
    for band in GradeBand.objects.filter(program_id__in=program_ids):
        bands.setdefault(band.program_id, []).append(band)
    return criteria, bands


def evaluation_results(evaluations: Iterable[Evaluation]) -> list[EvaluationResult]:
    """The results of many evaluations in a fixed number of queries."""
    evaluations = list(evaluations)
    if not evaluations:
        return []
    ids = [e.pk for e in evaluations]
    criteria, bands = _scheme({e.consortium.program_id for e in evaluations})
    cards: dict[int, list[Scorecard]] = {}
    for card in (
        Scorecard.objects.filter(evaluation_id__in=ids)
        .select_related("reviewer")
        .prefetch_related("scores")
        .order_by("pk")
    ):
        cards.setdefault(card.evaluation_id, []).append(card)
    moderated: dict[int, dict[int, ModeratedScore]] = {}
    for row in ModeratedScore.objects.filter(evaluation_id__in=ids):
        moderated.setdefault(row.evaluation_id, {})[row.criterion_id] = row
    return [
        _result(
            evaluation,
            criteria.get(evaluation.consortium.program_id, []),
            bands.get(evaluation.consortium.program_id, []),
            cards.get(evaluation.pk, []),
            moderated.get(evaluation.pk, {}),
        )
        for evaluation in evaluations
    ]


def evaluation_result(evaluation: Evaluation) -> EvaluationResult:
    return evaluation_results([evaluation])[0]


def _result(evaluation, criteria, bands, cards, moderated) -> EvaluationResult:
    submitted = [c for c in cards if c.submitted_at is not None]
    rows = []
    for criterion in criteria:
        row = CriterionResult(criterion=criterion)
        for card in submitted:
            for score in card.scores.all():
                if score.criterion_id == criterion.pk:
                    row.reviewer_scores.append(
                        ReviewerScore(card.reviewer, score.score, score.comment)
                    )
        if row.reviewer_scores:
            values = [s.score for s in row.reviewer_scores]
            row.average = rounded(sum(values, Decimal(0)) / len(values))
        mod = moderated.get(criterion.pk)
        if mod is not None:
            row.comment = mod.comment
            if mod.score is not None:
                row.moderated, row.reason = True, mod.reason
        # A moderated score is kept to one decimal, an average to two: shown alike, to two.
        row.final = rounded(mod.score) if mod is not None and mod.score is not None else row.average
        if row.final is not None:
            row.weighted = rounded(row.final / criterion.max_score * criterion.weight)
        rows.append(row)
    complete = bool(rows) and all(r.final is not None for r in rows)
    total = (
        rounded(
            sum((r.final / r.criterion.max_score * r.criterion.weight for r in rows), Decimal(0))
        )
        if complete
        else None
    )
    return EvaluationResult(
        evaluation=evaluation,
        criteria=rows,
        reviewers=[c.reviewer for c in submitted],
        drafts=[c.reviewer for c in cards if c.submitted_at is None],
        total=total,
        grade=grade_for(total, bands),
    )


@dataclass
class RankingRow:
    rank: int
    result: EvaluationResult

    @property
    def consortium(self):
        return self.result.evaluation.consortium


def ranking(results: Iterable[EvaluationResult]) -> list[RankingRow]:
    """Results with a total, best first, with competition ranks (1, 2, 2, 4)."""
    scored = sorted(
        (r for r in results if r.total is not None),
        key=lambda r: (-r.total, r.evaluation.consortium.name),
    )
    rows, previous, rank = [], None, 0
    for position, result in enumerate(scored, start=1):
        if result.total != previous:
            rank, previous = position, result.total
        rows.append(RankingRow(rank, result))
    return rows
