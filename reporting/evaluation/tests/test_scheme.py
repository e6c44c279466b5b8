"""The scorecard is program data: seeded for both programs, consistent, refused when it is not."""

from decimal import Decimal

import pytest
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils import translation

from reporting.evaluation.admin import BandFormSet, CriterionFormSet
from reporting.evaluation.models import EvaluationCriterion, GradeBand
from reporting.evaluation.scheme import band_problems, scheme_problems, weight_problems
from reporting.evaluation.scoring import grade_for
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


CRITERION_FIELDS = ["code", "name_zh", "name_en", "weight", "max_score", "order"]
BAND_FIELDS = ["code", "label_zh", "label_en", "lower_bound"]


@pytest.mark.parametrize("code", ["idfa-2026", "mdr-2026"])
def test_both_programs_are_seeded_with_a_scorecard_adding_up_to_100_and_four_grade_bands(code):
    program = Program.objects.get(code=code)
    criteria = list(EvaluationCriterion.objects.filter(program=program))
    assert sum(c.weight for c in criteria) == 100
    assert len(criteria) == 5
    assert [b.label_zh for b in GradeBand.objects.filter(program=program)] == [
        "优秀",
        "良好",
        "合格",
        "不合格",
    ]
    assert scheme_problems(program=program) == []


def test_grades_follow_the_bands_lower_bounds():
    bands = list(GradeBand.objects.filter(program__code="idfa-2026"))
    assert grade_for(Decimal("90.00"), bands).code == "excellent"
    assert grade_for(Decimal("89.99"), bands).code == "good"
    assert grade_for(Decimal("59.99"), bands).code == "fail"
    assert grade_for(None, bands) is None


def test_weights_and_bands_are_checked_with_a_clear_message():
    assert weight_problems([30, 30, 30]) == [
        "The weights of the criteria add up to 90; they must add up to 100."
    ]
    assert weight_problems([50, 50]) == []
    assert "overlap" in band_problems([Decimal(0), Decimal(60), Decimal(60)])[0]
    assert "must start at 0" in band_problems([Decimal(60), Decimal(90)])[0]


def _formset_data(prefix, rows, fields, change=None):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data[f"{prefix}-{i}-id"] = str(row.pk)
        data[f"{prefix}-{i}-program"] = str(row.program_id)
        for name in fields:
            data[f"{prefix}-{i}-{name}"] = str(getattr(row, name))
    for key, value in (change or {}).items():
        data[f"{prefix}-{key}"] = value
    return data


def test_the_admin_refuses_weights_that_do_not_add_up_to_100():
    program = Program.objects.get(code="idfa-2026")
    formset_class = inlineformset_factory(
        Program,
        EvaluationCriterion,
        formset=CriterionFormSet,
        fields=list(CRITERION_FIELDS),
        extra=0,
    )
    rows = list(EvaluationCriterion.objects.filter(program=program))
    ok = formset_class(_formset_data("c", rows, CRITERION_FIELDS), instance=program, prefix="c")
    assert ok.is_valid(), ok.non_form_errors()
    bad = formset_class(
        _formset_data("c", rows, CRITERION_FIELDS, {"0-weight": "35"}), instance=program, prefix="c"
    )
    assert not bad.is_valid(), bad.errors
    assert "add up to 105" in str(bad.non_form_errors()), bad.errors


def test_the_admin_refuses_overlapping_or_missing_bands():
    program = Program.objects.get(code="idfa-2026")
    formset_class = inlineformset_factory(
        Program, GradeBand, formset=BandFormSet, fields=list(BAND_FIELDS), extra=0
    )
    rows = list(GradeBand.objects.filter(program=program))  # 90, 80, 60, 0
    overlap = formset_class(
        _formset_data("b", rows, BAND_FIELDS, {"1-lower_bound": "90"}), instance=program, prefix="b"
    )
    assert not overlap.is_valid()
    assert "overlap" in str(overlap.non_form_errors())
    gap = formset_class(
        _formset_data("b", rows, BAND_FIELDS, {"3-lower_bound": "10"}), instance=program, prefix="b"
    )
    assert not gap.is_valid()
    assert "must start at 0" in str(gap.non_form_errors())


def test_the_program_admin_page_edits_the_scorecard(client, ministry_admin):
    program = Program.objects.get(code="mdr-2026")
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:tasks_catalog_program_change", args=[program.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "evaluation_criteria-TOTAL_FORMS" in html
    assert "grade_bands-TOTAL_FORMS" in html


def test_the_admin_refuses_to_delete_a_criterion_already_scored(beijing, ministry_staff, program):
    from reporting.evaluation import services

    from .conftest import scores

    evaluation = services.evaluation_start(actor=ministry_staff, consortium=beijing.consortium)
    services.scorecard_save(
        actor=ministry_staff, evaluation=evaluation, scores=scores(program, [80] * 5)
    )
    formset_class = inlineformset_factory(
        Program, EvaluationCriterion, formset=CriterionFormSet, fields=list(CRITERION_FIELDS)
    )
    rows = list(EvaluationCriterion.objects.filter(program=program))
    data = _formset_data("c", rows, CRITERION_FIELDS, {"4-DELETE": "on", "0-weight": "40"})
    formset = formset_class(data, instance=program, prefix="c")
    assert not formset.is_valid()
    assert "has been scored already" in str(formset.non_form_errors())
    assert EvaluationCriterion.objects.filter(program=program).count() == 5
