"""The final summary: pre-filled from the baseline and the registry, the unanswered-outcome
refusal, the workflow in order and out of order, the frozen version, the figures, the PDF."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import translation

from consortia.selectors import plan_baseline
from portal.models import AuditEntry, Notification
from portal.pdf import pdf_text
from reporting.final import services
from reporting.final.models import FinalReport, FinalReportVersion, TaskOutcome
from reporting.final.pdf import final_pdf
from reporting.final.workflows import FinalState
from reporting.insights.dashboards import Scope, deliverable_figures
from reporting.insights.rollups import rollup_compute
from reporting.periods import services as report_services
from reporting.registry.services import deliverable_save

from .conftest import IN_FINAL, answers, ready

pytestmark = pytest.mark.django_db


def test_the_final_summary_starts_from_the_baseline_plan_and_the_registry(pilot, started):
    baseline = plan_baseline(plan=pilot.consortium.plan)
    assert started.baseline == baseline
    selected = [t["number"] for t in baseline.content["tasks"] if t["selected"]]
    assert sorted(started.outcomes.values_list("task__number", flat=True)) == selected
    assert set(started.figures.values_list("kind", flat=True)) >= {"dataset", "standard"}
    assert AuditEntry.objects.filter(action="final.create", object_id=str(started.pk)).exists()


def test_it_cannot_be_submitted_with_a_task_outcome_unanswered_and_nothing_is_saved(
    pilot, started, on_date
):
    with on_date(IN_FINAL):
        report = ready(pilot, started)
        revision = report.revision
        sent = answers(report)
        sent[12] = {"completion": "", "achieved": "已部分完成（本次修改不应保存）"}
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            services.final_submit_as_sent(
                actor=pilot.lead, report=report, revision=revision, outcomes=sent
            )
    assert exc.value.code == "unanswered"
    assert "12" in exc.value.messages[0]
    assert "请" in exc.value.messages[0]  # translated, not the English msgid
    report.refresh_from_db()
    assert report.state == FinalState.DRAFT
    assert report.revision == revision
    assert TaskOutcome.objects.get(report=report, task__number=12).completion == "completed"
    assert not FinalReportVersion.objects.filter(report=report).exists()


def test_the_workflow_lead_submits_province_confirms_with_its_opinion_ministry_accepts(
    pilot, started, on_date, ministry_staff
):
    with on_date(IN_FINAL):
        report = ready(pilot, started)
        report = services.final_submit(actor=pilot.lead, report=report, revision=report.revision)
        assert report.state == FinalState.SUBMITTED
        report = services.final_confirm(actor=pilot.authority, report=report, comment="同意报送。")
        report = services.final_accept(actor=ministry_staff, report=report)
    report.refresh_from_db()
    assert (report.state, report.province_opinion) == (FinalState.ACCEPTED, "同意报送。")
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(report.pk), action__startswith="final."
        ).values_list("action", flat=True)
    )
    assert {"final.submit", "final.confirm", "final.accept"} <= actions
    assert Notification.objects.filter(kind="final.submit", recipient=pilot.authority).exists()
    assert Notification.objects.filter(kind="final.accept", recipient=pilot.lead).exists()


def test_actions_out_of_order_or_by_the_wrong_person_are_refused(
    pilot, started, on_date, ministry_staff
):
    with on_date(IN_FINAL):
        report = ready(pilot, started)
        with pytest.raises(PermissionDenied):
            services.final_accept(actor=ministry_staff, report=report)  # not confirmed
        with pytest.raises(PermissionDenied):
            services.final_submit(actor=pilot.authority, report=report)  # the lead submits
        report = services.final_submit(actor=pilot.lead, report=report)
        with pytest.raises(PermissionDenied):
            services.final_confirm(actor=pilot.lead, report=report, comment="自己确认")
        with pytest.raises(PermissionDenied):
            services.final_submit(actor=pilot.lead, report=report)  # twice
        with pytest.raises(PermissionDenied):
            services.final_update(
                actor=pilot.lead, report=report, revision=None, data={"problems": "改"}
            )
        with pytest.raises(ValidationError):
            services.final_return(actor=pilot.authority, report=report, comment="  ")
        report = services.final_return(actor=pilot.authority, report=report, comment="补充佐证。")
    assert report.state == FinalState.RETURNED


def test_the_province_must_give_its_opinion_to_confirm(pilot, started, on_date):
    with on_date(IN_FINAL):
        report = services.final_submit(actor=pilot.lead, report=ready(pilot, started))
        with pytest.raises(ValidationError):
            services.final_confirm(actor=pilot.authority, report=report, comment="")
    assert FinalReport.objects.get(pk=report.pk).state == FinalState.SUBMITTED


def test_the_frozen_version_keeps_content_pdf_and_scan_and_cannot_change(pilot, started, on_date):
    with on_date(IN_FINAL):
        report = services.final_submit(actor=pilot.lead, report=ready(pilot, started))
    version = report.versions.get()
    assert version.content["paths_mechanisms"] == "形成“数据+模型+场景”协同推进路径。"
    with default_storage.open(version.pdf.name, "rb") as fh:
        import hashlib

        assert hashlib.sha256(fh.read()).hexdigest() == version.pdf_sha256
    assert len(version.scan_sha256) == 64
    version.content = {}
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        version.delete()
    with pytest.raises(PermissionError):
        FinalReportVersion.objects.filter(pk=version.pk).update(number=9)
    with pytest.raises(PermissionError):
        FinalReportVersion.objects.filter(pk=version.pk).delete()
    assert FinalReportVersion.objects.get(pk=version.pk).content["paths_mechanisms"]


def test_a_change_after_the_scan_needs_a_new_scan(pilot, started, on_date):
    with on_date(IN_FINAL):
        report = ready(pilot, started)
        report = services.final_update(
            actor=pilot.lead,
            report=report,
            revision=report.revision,
            data={"problems": "资金不足。"},
        )
        with pytest.raises(ValidationError) as exc:
            services.final_submit(actor=pilot.lead, report=report)
    assert exc.value.code == "scan_outdated"


def test_concurrent_edits_are_refused_as_stale(pilot, started, on_date):
    with on_date(IN_FINAL):
        first = started.revision
        services.final_update(
            actor=pilot.lead, report=started, revision=first, data={"problems": "甲"}
        )
        with pytest.raises(ValidationError) as exc:
            services.final_update(
                actor=pilot.lead, report=started, revision=first, data={"problems": "乙"}
            )
    assert exc.value.code == "stale"
    assert FinalReport.objects.get(pk=started.pk).problems == "甲"


def _deliverables(pilot, period):
    task = pilot.consortium.plan.selections.get(task__number=12).task
    for n in range(2):
        deliverable_save(
            actor=pilot.lead,
            consortium=pilot.consortium,
            kind="dataset",
            data={
                "name": f"钢铁缺陷图像数据集{n}",
                "period": period,
                "industry": "steel",
                "stage": "production",
                "modality": "image",
                "records": 1000 + n,
                "size_bytes": 2048,
                "openness": "open_source" if n else "internal",
                "tasks": [task],
            },
        )
    deliverable_save(
        actor=pilot.lead,
        consortium=pilot.consortium,
        kind="standard",
        data={
            "name": "钢铁数据采集规范",
            "period": period,
            "level": "group",
            "stage": "drafting",
            "tasks": [task],
        },
    )


def test_the_pulled_figures_equal_the_dashboards_figures_for_the_consortium(
    pilot, on_date, final_period
):
    with on_date("2026-07-01"):
        _deliverables(pilot, pilot.q2)
    with on_date(IN_FINAL):
        report = services.final_start(actor=pilot.lead, consortium=pilot.consortium)
        rollup_compute(program=pilot.consortium.program, today=dt.date(2026, 12, 10))
        # The consortium is the only pilot of its province: the province's figures are its own.
        scope = Scope(pilot.consortium.program, final_period, pilot.consortium.authority)
        dashboard = deliverable_figures(scope)
    pulled = {f.kind: f for f in report.figures.all()}
    assert set(pulled) == set(dashboard)
    for kind, figures in dashboard.items():
        assert pulled[kind].pulled_count == figures["count"], kind
        assert pulled[kind].pulled == {
            k: figures[k] for k in ("count", "records", "size_bytes", "open_source", "listed")
        }, kind
    assert pulled["dataset"].pulled["records"] == 2001


def test_a_corrected_figure_needs_a_note_and_both_figures_are_kept(pilot, started, on_date):
    with on_date(IN_FINAL):
        with pytest.raises(ValidationError):
            services.final_update(
                actor=pilot.lead,
                report=started,
                revision=started.revision,
                figures={"dataset": {"corrected_count": 5, "note": ""}},
            )
        services.final_update(
            actor=pilot.lead,
            report=started,
            revision=started.revision,
            figures={"dataset": {"corrected_count": 5, "note": "另有3个数据集在成员单位登记。"}},
        )
    figure = started.figures.get(kind="dataset")
    assert (figure.pulled_count, figure.corrected_count, figure.confirmed_count) == (0, 5, 5)


def test_typical_cases_link_only_the_consortiums_own_datasets(
    pilot, started, on_date, other_province_user, ministry_staff
):
    from reporting.conftest import make_pilot

    other = make_pilot(other_province_user, ministry_staff, name="粤港澳电子信息数据联合体（示例）")
    with on_date("2026-07-01"):
        _deliverables(pilot, pilot.q2)
        _deliverables(other, other.q2)
    mine = pilot.consortium.plan.consortium
    from reporting.registry.models import Dataset

    own = Dataset.objects.filter(consortium=mine).first()
    theirs = Dataset.objects.filter(consortium=other.consortium).first()
    data = {
        "title": "钢铁表面缺陷智能检测",
        "scenario": "热轧带钢表面质检",
        "stage": "production",
        "effect": "漏检率下降30%。",
    }
    with on_date(IN_FINAL):
        with pytest.raises(ValidationError):
            services.case_save(
                actor=pilot.lead,
                report=started,
                revision=None,
                data={**data, "datasets": [theirs.pk]},
            )
        case = services.case_save(
            actor=pilot.lead, report=started, revision=None, data={**data, "datasets": [own.pk]}
        )
    assert case.consortium == pilot.consortium
    assert case.report == started
    assert list(case.datasets.all()) == [own]
    assert case.public_id is not None


def test_the_pdf_is_the_chinese_official_document(pilot, started, on_date):
    with on_date(IN_FINAL):
        report = ready(pilot, started)
        pdf, _digest = final_pdf(report, draft=False)
    text = pdf_text(pdf).replace(" ", "").replace("\n", "")
    assert "工作总结报告" in text
    assert pilot.consortium.name in text
    assert "有效路径、创新机制和经验模式" in text
    assert "协同推进路径" in text


def test_the_generic_report_form_refuses_the_final_period(pilot, on_date, final_period, client):
    with on_date(IN_FINAL), pytest.raises(ValidationError) as exc:
        report_services.report_start(
            actor=pilot.lead, consortium=pilot.consortium, period=final_period
        )
    assert exc.value.code == "final_period"
    from django.urls import reverse

    client.force_login(pilot.lead)
    response = client.get(
        reverse("reporting:report-detail", args=[pilot.consortium.pk, final_period.code])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:final-detail", args=[pilot.consortium.pk])


def check_demo_final_summaries() -> None:
    """After ``load_demo`` (``tests/test_demo.py``): final summaries in every state, each
    outcome with its baseline target."""
    states = set(FinalReport.objects.values_list("state", flat=True))
    assert states == {s.value for s in FinalState}
    accepted = FinalReport.objects.get(state=FinalState.ACCEPTED)
    assert accepted.versions.count() == 1
    assert accepted.cases.count() == 1
    # Every outcome carries the target its baseline plan set (预期目标), none shows “—”.
    from consortia.demo import AMENDED_TARGET_12

    assert not TaskOutcome.objects.filter(target="").exists()
    assert TaskOutcome.objects.filter(task__number=12, target=AMENDED_TARGET_12).exists()
