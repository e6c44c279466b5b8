"""Dashboard API: shapes, figures equal to the selectors, the province rule and the refusals."""

import pytest
from django.utils import translation

from reporting.insights.dashboards import REPORT_FLAGS, overview, scope_for
from reporting.insights.models import RollupRun
from reporting.insights.rollups import rollup_execute, rollup_request
from reporting.insights.tests.test_dashboard_pages import AFTER_Q2, Q2, world  # noqa: F401
from tasks_catalog.models import Program

pytestmark = pytest.mark.django_db

BASE = "/api/v1/dashboards/"


def call(api_client, user, path, params=None, lang="en"):
    api_client.force_authenticate(user)
    return api_client.get(BASE + path, params or {}, HTTP_ACCEPT_LANGUAGE=lang)


def test_overview_shape_and_figures(api_client, world, ministry_staff):  # noqa: F811
    response = call(api_client, ministry_staff, "overview/", Q2)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "scope",
        "computed_at",
        "figures",
        "provinces",
        "categories",
        "entity_types",
        "trend",
    }
    assert data["scope"]["program"]["code"] == "idfa-2026"
    assert data["scope"]["period"] == {"code": "2026-q2", "name": "2026 Q2 progress report"}
    assert data["scope"]["province"] is None
    expected = overview(scope_for(user=ministry_staff, params=Q2))
    assert data["figures"]["reports"] == expected["reports"]
    assert data["figures"]["tasks"]["at_risk"] == expected["tasks"]["at_risk"] == 2
    assert data["figures"]["deliverables"]["dataset"]["count"] == 0
    assert {row["province"]["code"] for row in data["provinces"]} == {"110000", "440000"}
    beijing = next(r for r in data["provinces"] if r["province"]["code"] == "110000")
    assert beijing["province"]["name"] == "Beijing"
    assert [c["category"]["number"] for c in data["categories"]] == list(range(1, 8))
    assert [row["period"]["code"] for row in data["trend"]] == ["2026-q1", "2026-q2"]
    assert data["entity_types"][0]["entity_type"]["code"]


def test_overview_names_follow_the_language(api_client, world, ministry_staff):  # noqa: F811
    data = call(api_client, ministry_staff, "overview/", Q2, lang="zh-hans").json()
    names = {r["province"]["code"]: r["province"]["name"] for r in data["provinces"]}
    assert names["110000"] == "北京市"


def test_province_gets_its_province_and_is_refused_another(
    api_client,
    world,  # noqa: F811
    province_user,
):
    data = call(api_client, province_user, "overview/", Q2).json()
    assert data["scope"]["province"]["code"] == "110000"
    assert [r["province"]["code"] for r in data["provinces"]] == ["110000"]
    assert data["figures"]["reports"]["expected"] == 1
    response = call(api_client, province_user, "overview/", {**Q2, "province": "440000"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You can only see your own province's figures.",
        "code": "permission_denied",
    }
    for path in ["tasks/", "heatmap/", "reports/", "entries/"]:
        response = call(api_client, province_user, path, {"province": "440000"})
        assert response.status_code == 403, path


def test_province_refusal_is_translated(api_client, world, province_user):  # noqa: F811
    response = call(api_client, province_user, "overview/", {"province": "440000"}, "zh-hans")
    assert response.status_code == 403
    with translation.override("zh-hans"):
        expected = translation.gettext("You can only see your own province's figures.")
    assert response.json()["detail"] == expected


@pytest.mark.parametrize(
    "path", ["overview/", "tasks/", "heatmap/", "reports/", "entries/", "status/"]
)
def test_consortium_lead_is_refused(api_client, world, path):  # noqa: F811
    pilot, _gd = world
    response = call(api_client, pilot.lead, path)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_unknown_filter_values_are_400(api_client, world, ministry_staff):  # noqa: F811
    response = call(api_client, ministry_staff, "overview/", {"industry": "tobacco"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"industry": ["Unknown industry."]}
    response = call(api_client, ministry_staff, "reports/", {"flag": "bogus"})
    assert response.status_code == 400 and "flag" in response.json()["errors"]
    response = call(api_client, ministry_staff, "entries/", {"status": "sleeping"})
    assert response.status_code == 400 and "status" in response.json()["errors"]
    response = call(api_client, ministry_staff, "entries/", {"task": "x"})
    assert response.status_code == 400 and "task" in response.json()["errors"]


def test_tasks_shape(api_client, world, ministry_staff):  # noqa: F811
    data = call(api_client, ministry_staff, "tasks/", Q2).json()
    assert len(data["tasks"]) == 23 and len(data["categories"]) == 7
    first = data["tasks"][0]
    assert first["task"]["number"] == 1 and first["task"]["category"] == 1
    assert (first["at_risk"], first["selected"]) == (1, 2)


def test_heatmap_page(api_client, world, ministry_staff):  # noqa: F811
    pilot, guangdong = world
    data = call(api_client, ministry_staff, "heatmap/", {**Q2, "page_size": 1}).json()
    assert data["count"] == 2 and data["next"] and data["previous"] is None
    assert len(data["tasks"]) == 23 and len(data["results"]) == 1
    row = data["results"][0]
    assert row["consortium"]["id"] == pilot.consortium.pk
    assert row["cells"][:5] == ["at_risk", "at_risk", "delayed", "on_track", "nothing_to_report"]
    data = call(api_client, ministry_staff, "heatmap/", {**Q2, "page_size": 1, "page": 2}).json()
    assert data["results"][0]["consortium"]["id"] == guangdong.consortium.pk
    assert set(data["results"][0]["cells"]) <= {"no_report", None}


def test_report_rows_count_equals_the_figure(api_client, world, ministry_staff):  # noqa: F811
    pilot, guangdong = world
    figures = overview(scope_for(user=ministry_staff, params=Q2))["reports"]
    for flag in REPORT_FLAGS:
        data = call(api_client, ministry_staff, "reports/", {**Q2, "flag": flag}).json()
        assert data["count"] == figures[flag], flag
    data = call(api_client, ministry_staff, "reports/", {**Q2, "flag": "overdue"}).json()
    assert [r["consortium"]["id"] for r in data["results"]] == [guangdong.consortium.pk]
    assert data["results"][0]["province"]["code"] == "440000"


def test_entry_rows_count_equals_the_figure(api_client, world, ministry_staff):  # noqa: F811
    tasks = overview(scope_for(user=ministry_staff, params=Q2))["tasks"]
    data = call(api_client, ministry_staff, "entries/", {**Q2, "status": "attention"}).json()
    assert data["count"] == tasks["attention"] == 3
    assert {r["task"] for r in data["results"]} == {1, 2, 3}
    delayed = next(r for r in data["results"] if r["status"] == "delayed")
    assert delayed["problems"] == "数据采集许可延迟" and delayed["period"] == "2026-q2"
    data = call(api_client, ministry_staff, "entries/", {**Q2, "task": 5}).json()
    assert data["count"] == 1 and data["results"][0]["nothing_to_report"] is True


def test_status_and_refresh(api_client, world, ministry_staff):  # noqa: F811
    program = Program.objects.get(code="idfa-2026")
    rollup_execute(run_id=rollup_request(program_id=program.pk, reason="test").pk, today=AFTER_Q2)
    data = call(api_client, ministry_staff, "status/", {"program": "idfa-2026"}).json()
    assert data["program"] == "idfa-2026" and data["computed_at"] and data["active"] is None
    api_client.force_authenticate(ministry_staff)
    response = api_client.post(BASE + "refresh/", {"program": "idfa-2026"}, format="json")
    assert response.status_code == 202
    run = RollupRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.reason, run.requested_by) == ("pending", "manual", ministry_staff)
    data = call(api_client, ministry_staff, "status/", {"program": "idfa-2026"}).json()
    assert data["active"]["id"] == run.pk and data["active"]["status"] == "pending"


def test_refresh_by_province_and_refused_to_lead(
    api_client,
    world,  # noqa: F811
    province_user,
):
    pilot, _gd = world
    api_client.force_authenticate(province_user)
    assert api_client.post(BASE + "refresh/", {}, format="json").status_code == 202
    before = RollupRun.objects.count()
    api_client.force_authenticate(pilot.lead)
    response = api_client.post(BASE + "refresh/", {"program": "idfa-2026"}, format="json")
    assert response.status_code == 403
    assert RollupRun.objects.count() == before
    api_client.force_authenticate(province_user)
    response = api_client.post(BASE + "refresh/", {"program": "nope"}, format="json")
    assert response.status_code == 400
