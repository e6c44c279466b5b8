"""Scores are computed in one place (``scoring.py``): the page, the API, the Excel export and the
closing document's function read the same numbers; the ranking ranks and filters them."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.evaluation import services
from reporting.evaluation.selectors import closing_evaluation_ranking, evaluation_ranking

from .conftest import api, scores
from .test_evaluation import A, published, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_evaluations(beijing, guangdong, program, ministry_staff, reviewer2):
    """Beijing published at 83.13 (良好); Guangdong finalised, not published, at 91.00 (优秀)."""
    bj = published(beijing, program, ministry_staff, reviewer2)
    gd = services.evaluation_start(actor=ministry_staff, consortium=guangdong.consortium)
    services.scorecard_save(
        actor=ministry_staff, evaluation=gd, scores=scores(program, [91] * 5), submit=True
    )
    services.evaluation_moderate(actor=ministry_staff, evaluation=gd)
    services.evaluation_finalise(actor=ministry_staff, evaluation=gd)
    return bj, gd


def test_the_page_the_api_the_export_and_the_closing_function_show_the_same_scores(
    client, two_evaluations, ministry_staff, program
):
    bj, gd = two_evaluations
    expected = {bj.pk: ("83.13", "良好"), gd.pk: ("91.00", "优秀")}
    # The evaluation's page and the API's detail.
    client.force_login(ministry_staff)
    for evaluation in (bj, gd):
        html = client.get(
            reverse("evaluation:evaluation-detail", args=[evaluation.pk]),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ).content.decode()
        total, grade = expected[evaluation.pk]
        assert f'data-testid="evaluation-total">{total}<' in html
        assert f'data-testid="evaluation-grade">{grade}<' in html
        data = api(ministry_staff, "zh-hans").get(f"/api/v1/evaluations/{evaluation.pk}/").json()
        assert (data["total"], data["grade_label"]) == (total, grade)
    # The ranking page, its API and the Excel download.
    page = client.get(reverse("evaluation:evaluation-ranking") + "?program=idfa-2026")
    rows = page.context["table"]
    assert [(r.rank, str(cells[-2]), cells[-1]) for r, cells in rows] == [
        (1, "91.00", "优秀"),
        (2, "83.13", "良好"),
    ]
    ranked = api(ministry_staff, "zh-hans").get("/api/v1/evaluations/ranking/?program=idfa-2026")
    assert [(r["rank"], r["evaluation"]["total"]) for r in ranked.json()] == [
        (1, "91.00"),
        (2, "83.13"),
    ]
    download = client.get(
        reverse("evaluation:evaluation-ranking") + "?program=idfa-2026&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(download.content)).active
    values = list(sheet.values)
    assert [(row[0], Decimal(str(row[-2])), row[-1]) for row in values[1:]] == [
        (1, Decimal("91"), "优秀"),
        (2, Decimal("83.13"), "良好"),
    ]
    # Each criterion's final score too: task completion is the moderator's 95 for Beijing.
    assert values[2][5] == 95
    api_file = api(ministry_staff, "zh-hans").get(
        "/api/v1/evaluations/ranking/export/?program=idfa-2026&file=csv"
    )
    lines = list(csv.reader(io.StringIO(api_file.content.decode("utf-8-sig"))))
    assert [line[-2] for line in lines[1:]] == ["91.00", "83.13"]
    # What the closing document will list: the published evaluations only.
    closing = closing_evaluation_ranking(program=program)
    assert [(r.rank, r.result.total, r.result.grade.code) for r in closing] == [
        (1, Decimal("83.13"), "good")
    ]


def test_the_ranking_filters_by_province_and_entity_type(
    client, two_evaluations, ministry_staff, program, guangdong
):
    bj, gd = two_evaluations
    beijing_only = evaluation_ranking(program=program, province="110000")
    assert [r.result.evaluation.pk for r in beijing_only] == [bj.pk]
    entity_type = guangdong.consortium.entity_type.code
    of_type = evaluation_ranking(program=program, entity_type=entity_type)
    assert gd.pk in [r.result.evaluation.pk for r in of_type]
    response = api(ministry_staff).get(
        "/api/v1/evaluations/ranking/?program=idfa-2026&province=440000"
    )
    assert [r["evaluation"]["id"] for r in response.json()] == [gd.pk]
    client.force_login(ministry_staff)
    page = client.get(
        reverse("evaluation:evaluation-ranking") + "?program=idfa-2026&province=440000"
    )
    assert [r.result.evaluation.pk for r, _cells in page.context["table"]] == [gd.pk]


def test_equal_totals_share_a_rank(beijing, guangdong, program, ministry_staff):
    for pilot in (beijing, guangdong):
        evaluation = services.evaluation_start(actor=ministry_staff, consortium=pilot.consortium)
        services.scorecard_save(
            actor=ministry_staff, evaluation=evaluation, scores=scores(program, A), submit=True
        )
        services.evaluation_moderate(actor=ministry_staff, evaluation=evaluation)
        services.evaluation_finalise(actor=ministry_staff, evaluation=evaluation)
    assert [r.rank for r in evaluation_ranking(program=program)] == [1, 1]


def test_the_ministry_list_shows_state_reviewers_average_and_grade(
    client, beijing, guangdong, program, ministry_staff, reviewer2
):
    evaluation = scored(beijing, program, ministry_staff, reviewer2)
    client.force_login(ministry_staff)
    response = client.get(reverse("evaluation:evaluation-list") + "?program=idfa-2026")
    rows = {c.pk: (e, r) for c, e, r in response.context["rows"]}
    assert rows[guangdong.consortium.pk] == (None, None)  # not started: offered
    _e, result = rows[beijing.consortium.pk]
    assert len(result.reviewers) == 2
    assert result.total == Decimal("80.13")
    html = response.content.decode()
    assert f'data-testid="total-{beijing.consortium.pk}">80.13<' in html
    listed = api(ministry_staff).get("/api/v1/evaluations/?program=idfa-2026&state=scoring").json()
    assert [(e["id"], e["total"], len(e["reviewers"])) for e in listed["results"]] == [
        (evaluation.pk, "80.13", 2)
    ]


def test_the_scheme_is_readable_through_the_api(consortium_member):
    data = api(consortium_member).get("/api/v1/evaluations/schemes/mdr-2026/").json()
    assert sum(c["weight"] for c in data["criteria"]) == 100
    assert [b["code"] for b in data["grade_bands"]] == ["excellent", "good", "pass", "fail"]
