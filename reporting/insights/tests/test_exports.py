"""Dashboard exports: byte builders, tables equal to the selectors, jobs, permissions, bad input."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.spreadsheets import csv_bytes, xlsx_bytes
from reporting.conftest import make_pilot
from reporting.insights import dashboards as d
from reporting.insights.exports.services import export_build, export_render
from reporting.insights.exports.tables import TABLES, entries_in_scope, overview_figures
from reporting.insights.models import ExportJob, JobStatus
from reporting.insights.rollups import rollup_compute
from reporting.insights.tests.test_summaries import (  # noqa: F401 - fixture
    GUANGDONG_NAME,
    world,
    write_q2_report,
)
from reporting.periods import services
from reporting.periods.models import TaskStatus

pytestmark = pytest.mark.django_db

Q2 = {"period": "2026-q2"}


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_byte_builders_guard_formulas_and_keep_chinese():
    headers, rows = ["名称", "值"], [["=SUM(A1)", 3], ["钢铁", None]]
    parsed = read_csv(csv_bytes(headers, rows))
    assert parsed == [["名称", "值"], ["'=SUM(A1)", "3"], ["钢铁", ""]]
    sheet = read_xlsx(xlsx_bytes("表/一", headers, rows))
    assert sheet == [["名称", "值"], ["=SUM(A1)", 3], ["钢铁", None]]  # text, not a formula


def test_every_table_exports_in_both_formats(world, ministry_staff):  # noqa: F811
    scope = d.scope_for(user=ministry_staff, params=Q2)
    for table in TABLES:
        for fmt in ("csv", "xlsx"):
            content, rows = export_build(table=table, scope=scope, fmt=fmt)
            parsed = read_csv(content) if fmt == "csv" else read_xlsx(content)
            assert len(parsed) == rows + 1, (table, fmt)


def test_exported_tables_equal_the_selectors(world, ministry_staff):  # noqa: F811
    scope = d.scope_for(user=ministry_staff, params=Q2)

    overview = read_xlsx(export_build(table="overview", scope=scope, fmt="xlsx")[0])
    values = {row[0]: row[2] for row in overview[1:]}
    figures = d.overview(scope)
    assert values["reports.overdue"] == figures["reports"]["overdue"] == 1
    assert values["reports.on_time_rate"] == figures["reports"]["on_time_rate"]
    assert values["tasks.at_risk"] == figures["tasks"]["at_risk"]
    assert values["deliverables.dataset"] == figures["deliverables"]["dataset"]["count"]
    assert [r[0] for r in overview[1:]] == [key for key, _n, _v in overview_figures(scope)]

    provinces = read_csv(export_build(table="provinces", scope=scope, fmt="csv")[0])
    table = d.province_table(scope)
    assert [r[0] for r in provinces[1:]] == [row["authority"].code for row in table]
    assert [int(r[2]) for r in provinces[1:]] == [row["reports"]["expected"] for row in table]

    tasks = read_xlsx(export_build(table="tasks", scope=scope, fmt="xlsx")[0])
    expected = [
        (row["task"].number, row["selected"], row["at_risk"]) for row in d.task_table(scope)
    ]
    at_risk_col = tasks[0].index(str(TaskStatus.AT_RISK.label))
    assert [(r[0], r[3], r[at_risk_col]) for r in tasks[1:]] == expected

    overdue = read_csv(export_build(table="overdue", scope=scope, fmt="csv")[0])
    assert [r[1] for r in overdue[1:]] == [GUANGDONG_NAME]

    at_risk = read_csv(export_build(table="at_risk", scope=scope, fmt="csv")[0])
    assert len(at_risk) - 1 == d.at_risk_entries(scope).count() > 0
    assert "'=数据权属待明确" in {r[-1] for r in at_risk[1:]}  # formula guard on user text

    entries = read_xlsx(export_build(table="entries", scope=scope, fmt="xlsx")[0])
    assert len(entries) - 1 == entries_in_scope(scope).count() == 23
    assert {r[0] for r in entries[1:]} == {world.consortium.name}


def test_exports_count_what_the_dashboard_counts_whatever_the_reports_state(
    world,  # noqa: F811
    province_user,
    other_province_user,
    ministry_staff,
    on_date,
):
    """A draft and a returned report are expected but not handed in: their entries are in no
    task figure, so in no exported row either (``dashboards.entry_rows``, the one rule)."""
    drafting = make_pilot(province_user, ministry_staff, name="京津冀草稿数据联合体")
    returned = make_pilot(other_province_user, ministry_staff, name="粤港澳退回数据联合体")
    with on_date("2026-07-06"):
        write_q2_report(drafting, "二季度进展。")
        report = write_q2_report(returned, "二季度进展。")
        services.report_submit(actor=returned.lead, report=report)
        services.report_return(actor=other_province_user, report=report, comment="请补充佐证材料。")
    rollup_compute(program=world.consortium.program, today=dt.date(2026, 8, 1))
    scope = d.scope_for(user=ministry_staff, params=Q2)
    figures = d.overview(scope)

    overview = read_csv(export_build(table="overview", scope=scope, fmt="csv")[0])
    values = {row[0]: row[2] for row in overview[1:]}
    for state in ("expected", "handed_in", "draft", "returned", "not_started", "overdue"):
        assert int(values[f"reports.{state}"]) == figures["reports"][state], state
    assert figures["reports"]["draft"] == figures["reports"]["returned"] == 1
    assert int(values["tasks.reported"]) == figures["tasks"]["reported"]

    entries = read_csv(export_build(table="entries", scope=scope, fmt="csv")[0])
    assert len(entries) - 1 == d.entry_rows(scope).count() == figures["tasks"]["reported"]
    assert {r[0] for r in entries[1:]} == {world.consortium.name}
    at_risk = read_csv(
        export_build(table="entries", scope=scope, fmt="csv", options={"status": "attention"})[0]
    )
    assert len(at_risk) - 1 == figures["tasks"]["attention"]

    for flag, names in [
        ("draft", {drafting.consortium.name}),
        ("returned", {returned.consortium.name}),
        ("handed_in", {world.consortium.name}),
    ]:
        rows = read_csv(
            export_build(table="consortia", scope=scope, fmt="csv", options={"flag": flag})[0]
        )
        assert (
            {r[1] for r in rows[1:]}
            == names
            == {row.consortium.name for row in d.report_rows(scope, flag=flag)}
        )


def test_a_province_exports_only_its_own_rows(
    world,  # noqa: F811
    client,
    province_user,
    other_province_user,
):
    client.force_login(province_user)
    url = reverse("dashboards:export", args=["provinces"])
    response = client.get(url, {**Q2, "format": "csv"})
    assert response.status_code == 200
    rows = read_csv(response.content)
    assert [r[0] for r in rows[1:]] == ["110000"]  # the national table is never theirs
    assert client.get(url, {**Q2, "province": "440000", "format": "csv"}).status_code == 403

    consortia = client.get(
        reverse("dashboards:export", args=["consortia"]), {**Q2, "format": "csv"}
    )
    names = {r[1] for r in read_csv(consortia.content)[1:]}
    assert names == {world.consortium.name}

    client.force_login(other_province_user)
    rows = read_csv(client.get(url, {**Q2, "format": "csv"}).content)
    assert [r[0] for r in rows[1:]] == ["440000"]


def test_consortium_people_cannot_export(world, client, api_client, consortium_lead):  # noqa: F811
    client.force_login(consortium_lead)
    assert client.get(reverse("dashboards:export", args=["overview"]), Q2).status_code == 403
    assert client.get(reverse("dashboards:export-list")).status_code == 403
    api_client.force_authenticate(consortium_lead)
    response = api_client.get(reverse("api-dashboard-export", args=["overview"]), Q2)
    assert response.status_code == 403


def test_bad_input_is_refused_with_400(world, client, api_client, ministry_staff):  # noqa: F811
    client.force_login(ministry_staff)
    page = reverse("dashboards:export", args=["overview"])
    assert client.get(reverse("dashboards:export", args=["nope"]), Q2).status_code == 400
    assert client.get(page, {**Q2, "format": "pdf"}).status_code == 400
    response = client.get(page, {**Q2, "colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.content.decode()
    assert client.get(page, {"period": "2099-q9"}).status_code == 400

    api_client.force_authenticate(ministry_staff)
    api = reverse("api-dashboard-export", args=["overview"])
    for url, params, code in [
        (reverse("api-dashboard-export", args=["nope"]), Q2, "invalid_table"),
        (api, {**Q2, "format": "pdf"}, "invalid_format"),
        (api, {**Q2, "colour": "red"}, "invalid_filter"),
    ]:
        response = api_client.get(url, params)
        assert response.status_code == 400
        assert response.json()["code"] == code
        assert response.json()["detail"]
    ok = api_client.get(api, {**Q2, "format": "xlsx"})
    assert ok.status_code == 200
    assert [r[0] for r in read_xlsx(ok.content)[1:]][:2] == [
        "reports.expected",
        "reports.handed_in",
    ]


def test_entries_export_runs_as_a_job_the_user_alone_downloads(
    world,  # noqa: F811
    client,
    province_user,
    other_province_user,
    ministry_staff,
    django_capture_on_commit_callbacks,
):
    client.force_login(province_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("dashboards:export", args=["entries"]), {**Q2, "format": "xlsx"}
        )
    assert response.status_code == 302
    assert response.url == reverse("dashboards:export-list")
    job = ExportJob.objects.get()
    assert (job.status, job.rows, job.requested_by) == (JobStatus.DONE, 23, province_user)
    listing = client.get(reverse("dashboards:export-list")).content.decode()
    assert reverse("dashboards:export-download", args=[job.pk]) in listing
    download = client.get(reverse("dashboards:export-download", args=[job.pk]))
    rows = read_xlsx(b"".join(download.streaming_content))
    assert len(rows) == 24
    assert {r[1] for r in rows[1:]} == {"北京市"}

    for user in (other_province_user, ministry_staff):  # not their job
        client.force_login(user)
        assert client.get(reverse("dashboards:export-download", args=[job.pk])).status_code == 404
        assert (
            f'data-id="{job.pk}"'
            not in client.get(reverse("dashboards:export-list")).content.decode()
        )


def test_a_job_checks_the_scope_again_when_it_runs(world, province_user):  # noqa: F811
    job = ExportJob.objects.create(
        table="entries",
        format="csv",
        params={**Q2, "province": "440000"},
        requested_by=province_user,
    )
    job = export_render(job_id=job.pk)
    assert job.status == JobStatus.FAILED
    assert not job.file
    assert job.error
    national = ExportJob.objects.create(
        table="provinces", format="csv", params={**Q2}, requested_by=province_user
    )
    national = export_render(job_id=national.pk)  # a province's empty province is its own
    rows = read_csv(national.file.open("rb").read())
    assert [r[0] for r in rows[1:]] == ["110000"]


def test_export_api_jobs(
    world,  # noqa: F811
    api_client,
    ministry_staff,
    province_user,
    django_capture_on_commit_callbacks,
):
    api_client.force_authenticate(ministry_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.get(
            reverse("api-dashboard-export", args=["entries"]), {**Q2, "format": "csv"}
        )
    assert response.status_code == 202
    job_id = response.json()["id"]
    detail = api_client.get(reverse("api-export", args=[job_id])).json()
    assert detail["status"] == "done"
    assert detail["rows"] == 23
    content = b"".join(api_client.get(detail["download_url"]).streaming_content)
    assert len(read_csv(content)) == 24

    with django_capture_on_commit_callbacks(execute=True):
        created = api_client.post(
            reverse("api-exports"),
            {"table": "at_risk", "format": "xlsx", "params": Q2},
            format="json",
        )
    assert created.status_code == 202
    assert api_client.get(reverse("api-exports")).json()["count"] == 2
    bad = api_client.post(
        reverse("api-exports"), {"table": "at_risk", "params": {"colour": "red"}}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_filter"

    api_client.force_authenticate(province_user)
    assert api_client.get(reverse("api-export", args=[job_id])).status_code == 404
    assert api_client.get(reverse("api-export-download", args=[job_id])).status_code == 404
    assert api_client.get(reverse("api-exports")).json()["count"] == 0
    refused = api_client.post(
        reverse("api-exports"),
        {"table": "entries", "params": {**Q2, "province": "440000"}},
        format="json",
    )
    assert refused.status_code == 403
