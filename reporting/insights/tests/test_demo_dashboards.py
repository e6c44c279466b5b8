"""The demo data makes the Ministry dashboards show meaningful figures (``manage.py load_demo``).
Checked by ``tests/test_demo.py``, which loads the demo once for every app's checks."""

import datetime as dt

from consortia.models import Consortium
from portal.models import User
from reporting.insights import dashboards
from reporting.insights.rollups import rollup_compute
from tasks_catalog.models import Program

TODAY = dt.date(2026, 11, 22)  # Q1–Q3 past due, Q4 open


def check_demo_dashboards() -> None:
    """After ``load_demo``: the national dashboard's figures are meaningful."""
    # The demo's transitions request a run when load_demo commits; tests never commit.
    rollup_compute(program=Program.objects.get(code="idfa-2026"), today=TODAY)

    ministry = User.objects.get(username="ministry")
    scope = dashboards.scope_for(
        user=ministry, params={"program": "idfa-2026", "period": "2026-q3"}
    )
    figures = dashboards.overview(scope)
    reports, tasks = figures["reports"], figures["tasks"]
    # Ten pilots approved in March are expected; the one approved in November (after Q3's due
    # date) is not, and is neither counted nor overdue.
    assert reports["expected"] == 10
    late = Consortium.objects.get(name="工业软件数据合作联合体（示例）")
    assert not dashboards.consortium_rows(scope).filter(consortium=late).exists()
    q4 = dashboards.scope_for(user=ministry, params={"program": "idfa-2026", "period": "2026-q4"})
    assert dashboards.report_figures(q4)["expected"] == 11
    assert dashboards.report_figures(q4)["on_time_rate_status"] == "not_yet_due"
    assert reports["handed_in"] > 0
    assert reports["overdue"] > 0
    assert reports["late"] > 0
    assert 0 < reports["on_time_rate"] < 100
    assert tasks["at_risk"] > 0
    assert tasks["delayed"] > 0
    assert 0 < tasks["mean_percent"] < 100
    assert figures["plans"]["approved"] == 11

    provinces = dashboards.province_table(scope)
    assert len(provinces) >= 8
    assert len({row["reports"]["handed_in"] for row in provinces}) > 1  # provinces differ
    assert len({row["tasks"]["attention"] for row in provinces}) > 1
    categories = dashboards.category_table(scope)
    assert all(row["reported"] > 0 for row in categories)
    assert len({row["mean_percent"] for row in categories}) > 1
    types = {row["entity_type"].code: row for row in dashboards.entity_type_table(scope)}
    assert all(row["reports"]["expected"] > 0 for row in types.values())  # every type has pilots

    trend = dashboards.trend(scope)
    assert [row["period"].code for row in trend] == ["2026-q1", "2026-q2", "2026-q3"]
    handed_in = [row["reports"]["handed_in"] for row in trend]
    datasets = [row["datasets"] for row in trend]
    assert len(set(handed_in)) == 3
    assert datasets == sorted(datasets)
    assert len(set(datasets)) == 3
    assert len({row["tasks"]["mean_percent"] for row in trend}) == 3

    breakdown = dashboards.deliverable_breakdown(scope)
    assert len({row["industry"] for row in breakdown["datasets"]}) >= 5
    assert len({row["level"] for row in breakdown["standards"]}) >= 2
    assert len({row["stage"] for row in breakdown["standards"]}) >= 2
    assert breakdown["scenarios"]
    deliverables = figures["deliverables"]
    assert all(deliverables[kind]["count"] > 0 for kind in deliverables)
    assert deliverables["dataset"]["open_source"] > 0
    assert deliverables["data_product"]["listed"] > 0

    overdue = dashboards.overdue_reports(scope)
    assert overdue.count() == reports["overdue"]
    at_risk = dashboards.at_risk_entries(scope)
    assert at_risk.count() == tasks["attention"] > 0
    # One pilot is clearly behind plan: the most entries needing attention, with the reasons.
    behind = max(provinces, key=lambda row: row["tasks"]["attention"])
    assert behind["authority"].code == "500000"
    assert all(entry.problems for entry in at_risk)

    # A provincial authority sees its own province only.
    chongqing = User.objects.get(username="chongqing")
    own = dashboards.scope_for(user=chongqing, params={"program": "idfa-2026", "period": "2026-q3"})
    assert [row["authority"].code for row in dashboards.province_table(own)] == ["500000"]
