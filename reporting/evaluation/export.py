"""The ranking and scores as a table (page, CSV, Excel): one table built from ``scoring.py``."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.permissions import require
from portal.spreadsheets import csv_bytes, xlsx_bytes
from reporting.evaluation.models import EvaluationCriterion
from reporting.evaluation.permissions import can_manage_evaluations
from reporting.evaluation.scoring import RankingRow
from reporting.evaluation.selectors import evaluation_ranking
from tasks_catalog.models import Program

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def ranking_table(
    rows: list[RankingRow], criteria: list[EvaluationCriterion]
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows: rank, consortium, province, type, state, each criterion's final score,
    total, grade. Numbers stay numbers (Decimal)."""
    headers = [
        _("Rank"),
        _("Consortium"),
        _("Province"),
        _("Implementing-entity type"),
        _("State"),
        *[
            _("%(criterion)s (weight %(weight)s%%)") % {"criterion": c.name, "weight": c.weight}
            for c in criteria
        ],
        _("Total score"),
        _("Grade"),
    ]
    table = []
    for row in rows:
        consortium = row.consortium
        finals = {r.criterion.pk: r.final for r in row.result.criteria}
        table.append(
            [
                row.rank,
                consortium.name,
                consortium.authority.region_name,
                consortium.entity_type.name,
                row.result.evaluation.get_state_display(),
                *[finals.get(c.pk) for c in criteria],
                row.result.total,
                row.result.grade_label,
            ]
        )
    return [str(h) for h in headers], table


@dataclass
class RankingFile:
    content: bytes
    content_type: str
    filename: str


def ranking_export(
    *, user, program: Program, fmt: str, entity_type: str = "", province: str = ""
) -> RankingFile:
    """The program's ranking as CSV or Excel, for the Ministry."""
    require(can_manage_evaluations(user))
    if fmt not in CONTENT_TYPES:
        raise ValidationError(
            {"format": _("Unknown format. Choose “csv” or “xlsx”.")}, code="invalid_format"
        )
    rows = evaluation_ranking(program=program, entity_type=entity_type, province=province)
    headers, table = ranking_table(rows, list(EvaluationCriterion.objects.filter(program=program)))
    title = _("Evaluation ranking")
    content = xlsx_bytes(title, headers, table) if fmt == "xlsx" else csv_bytes(headers, table)
    stamp = timezone.localdate().isoformat()
    return RankingFile(content, CONTENT_TYPES[fmt], f"evaluation-{program.code}-{stamp}.{fmt}")
