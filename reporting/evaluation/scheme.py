"""A program's scorecard is consistent: the criteria's weights add up to 100 and the grade bands
cover every total from 0 to 100 once. The admin refuses anything else with these messages."""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from reporting.evaluation.models import EvaluationCriterion, GradeBand


def weight_problems(weights: Iterable[int]) -> list[str]:
    weights = list(weights)
    if not weights:
        return []  # no scorecard yet: the program is not evaluated
    total = sum(weights)
    if total != 100:
        return [
            _("The weights of the criteria add up to %(total)s; they must add up to 100.")
            % {"total": total}
        ]
    return []


def band_problems(bounds: Iterable[Decimal]) -> list[str]:
    bounds = [Decimal(b) for b in bounds]
    if not bounds:
        return []
    problems = []
    duplicates = sorted({b for b in bounds if bounds.count(b) > 1})
    if duplicates:
        problems.append(
            _("Two grade bands start at the same total (%(bounds)s): they would overlap.")
            % {"bounds": ", ".join(str(b) for b in duplicates)}
        )
    if Decimal(0) not in bounds:
        problems.append(
            _(
                "No grade band starts at 0: a total below %(lowest)s would have no grade. "
                "The lowest band must start at 0."
            )
            % {"lowest": min(bounds)}
        )
    if any(b < 0 or b > 100 for b in bounds):
        problems.append(_("A grade band must start between 0 and 100."))
    return problems


def scheme_problems(*, program) -> list[str]:
    """What is wrong with the program's stored scorecard (empty: nothing)."""
    return weight_problems(
        EvaluationCriterion.objects.filter(program=program).values_list("weight", flat=True)
    ) + band_problems(
        GradeBand.objects.filter(program=program).values_list("lower_bound", flat=True)
    )
