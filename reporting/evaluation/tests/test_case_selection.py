"""The typical cases selected for promotion (典型案例遴选): the Ministry selects cases of a
consortium's confirmed final summary in its evaluation; the consortium and its province see the
selection only once the evaluation is published; the closing document lists them."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.models import AuditEntry
from reporting.evaluation import services
from reporting.evaluation.models import CaseSelection
from reporting.evaluation.selectors import promoted_cases
from reporting.final import services as final_services
from reporting.final.tests.conftest import IN_FINAL, ready

from .conftest import api, scores

pytestmark = pytest.mark.django_db

CASES = [
    ("钢铁表面缺陷智能检测", "热轧带钢表面质检", "production", "漏检率下降30%。"),
    ("高炉炉况智能诊断", "高炉冶炼过程监控", "operations", "燃料比降低2%。"),
]


@pytest.fixture
def evaluation(pilot, on_date, ministry_staff):
    """The pilot's final summary with two typical cases, confirmed by its province; the
    Ministry's evaluation of the consortium started."""
    with on_date(IN_FINAL):
        report = final_services.final_start(actor=pilot.lead, consortium=pilot.consortium)
        for title, scenario, stage, effect in CASES:
            final_services.case_save(
                actor=pilot.lead,
                report=report,
                revision=None,
                data={"title": title, "scenario": scenario, "stage": stage, "effect": effect},
            )
        report.refresh_from_db()  # the cases moved its revision on
        report = final_services.final_submit(actor=pilot.lead, report=ready(pilot, report))
        final_services.final_confirm(actor=pilot.authority, report=report, comment="同意报送。")
    return services.evaluation_start(actor=ministry_staff, consortium=pilot.consortium)


def case_ids(evaluation):
    cases = evaluation.consortium.typical_cases.order_by("sort_order", "pk")
    return [str(c.public_id) for c in cases]


def publish(evaluation, staff):
    program = evaluation.consortium.program
    services.scorecard_save(
        actor=staff, evaluation=evaluation, scores=scores(program, [80] * 5), submit=True
    )
    services.evaluation_moderate(actor=staff, evaluation=evaluation)
    services.evaluation_finalise(actor=staff, evaluation=evaluation)
    services.evaluation_publish(actor=staff, evaluation=evaluation)
    evaluation.refresh_from_db()


def test_the_ministry_selects_a_case_on_the_evaluation_page(client, evaluation, ministry_staff):
    first, second = case_ids(evaluation)
    client.force_login(ministry_staff)
    url = reverse("evaluation:evaluation-detail", args=[evaluation.pk])
    page = client.get(url).content.decode()
    assert CASES[0][0] in page
    assert CASES[1][0] in page
    assert "选为推广案例" in page
    response = client.post(
        reverse("evaluation:evaluation-cases", args=[evaluation.pk]),
        {"case": first, "selected": "1", "reason": "可在钢铁行业复制推广。"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#typical-cases")
    selection = CaseSelection.objects.get()
    assert (str(selection.case.public_id), selection.reason) == (first, "可在钢铁行业复制推广。")
    assert AuditEntry.objects.filter(
        action="evaluation.case_select", object_id=str(evaluation.pk)
    ).exists()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Selected for promotion" in english
    assert "Select for promotion" in english  # the second case can still be selected
    assert second in english


def test_the_same_through_the_api_and_refusals(evaluation, ministry_staff, pilot):
    first, second = case_ids(evaluation)
    url = f"/api/v1/evaluations/{evaluation.pk}/cases/"
    listed = api(ministry_staff).get(url).json()
    assert [c["id"] for c in listed] == [first, second]
    assert not any(c["selected"] for c in listed)
    body = api(ministry_staff).post(
        url, {"case": second, "selected": True, "reason": "智能诊断经验可推广。"}, format="json"
    )
    assert body.status_code == 200
    assert [c["selected"] for c in body.json()] == [False, True]
    unknown = api(ministry_staff, "zh-hans").post(
        url, {"case": str(uuid.uuid4()), "selected": True}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_case"
    assert "典型案例" in unknown.json()["detail"]
    dropped = api(ministry_staff).post(url, {"case": second, "selected": False}, format="json")
    assert [c["selected"] for c in dropped.json()] == [False, False]
    assert AuditEntry.objects.filter(action="evaluation.case_unselect").count() == 1
    # Before publication the consortium's lead and its province do not see the evaluation.
    for user in (pilot.lead, pilot.authority):
        assert api(user).get(url).status_code == 404
        assert (
            api(user).post(url, {"case": first, "selected": True}, format="json").status_code == 404
        )


def test_after_publication_the_lead_sees_only_the_selected_cases_and_nobody_changes_them(
    client, evaluation, ministry_staff, pilot
):
    first, second = case_ids(evaluation)
    services.case_select(
        actor=ministry_staff, evaluation=evaluation, case_id=first, selected=True, reason="推广"
    )
    publish(evaluation, ministry_staff)
    url = f"/api/v1/evaluations/{evaluation.pk}/cases/"
    seen = api(pilot.lead).get(url).json()
    assert [(c["id"], c["selected"]) for c in seen] == [(first, True)]
    client.force_login(pilot.lead)
    page = client.get(reverse("evaluation:evaluation-detail", args=[evaluation.pk]))
    html = page.content.decode()
    assert CASES[0][0] in html
    assert CASES[1][0] not in html
    assert "case-form" not in html
    refused = client.post(
        reverse("evaluation:evaluation-cases", args=[evaluation.pk]),
        {"case": second, "selected": "1"},
    )
    assert refused.status_code == 403
    assert (
        api(pilot.lead).post(url, {"case": second, "selected": True}, format="json").status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.case_select(
            actor=ministry_staff, evaluation=evaluation, case_id=second, selected=True
        )
    assert [s.case.title for s in promoted_cases(program=pilot.consortium.program)] == [CASES[0][0]]


def test_cases_of_an_unconfirmed_final_summary_cannot_be_selected(pilot, on_date, ministry_staff):
    with on_date(IN_FINAL):
        report = final_services.final_start(actor=pilot.lead, consortium=pilot.consortium)
        case = final_services.case_save(
            actor=pilot.lead,
            report=report,
            revision=None,
            data=dict(zip(("title", "scenario", "stage", "effect"), CASES[0], strict=True)),
        )
    evaluation = services.evaluation_start(actor=ministry_staff, consortium=pilot.consortium)
    assert api(ministry_staff).get(f"/api/v1/evaluations/{evaluation.pk}/cases/").json() == []
    refused = api(ministry_staff).post(
        f"/api/v1/evaluations/{evaluation.pk}/cases/",
        {"case": str(case.public_id), "selected": True},
        format="json",
    )
    assert refused.status_code == 400
