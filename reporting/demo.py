"""Demo reports and deliverables: the approved pilots' Q1 and Q2 reports in every review state.

Registered with ``portal.demo`` after the consortia demo (see ``ReportingConfig.ready``); written
through the services, each step on a date inside its period's entry window. Idempotent.
"""

import datetime as dt
from unittest import mock

from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from consortia.models import Consortium
from portal.demo import register

from . import services
from .models import ProgressReport, ReportingPeriod, TaskStatus
from .workflows import ReportState

ENTRY_DAY = {
    "2026-q1": dt.date(2026, 4, 10),
    "2026-q2": dt.date(2026, 7, 10),
    "2026-q3": dt.date(2026, 10, 10),
}
# consortium name -> {period code: final state}
PLAN = {
    "钢铁行业数据合作联合体（示例）": {
        "2026-q1": ReportState.ACCEPTED,
        "2026-q2": ReportState.DRAFT,
    },
    "新型显示产业数据联合体（示例）": {
        "2026-q1": ReportState.ACCEPTED,
        "2026-q2": ReportState.SUBMITTED,
    },
    "电子元器件数据合作联合体（示例）": {
        "2026-q1": ReportState.ACCEPTED,
        "2026-q2": ReportState.CONFIRMED,
        "2026-q3": ReportState.ACCEPTED,
    },
    "工程机械数据合作联合体（示例）": {
        "2026-q1": ReportState.ACCEPTED,
        "2026-q2": ReportState.RETURNED,
    },
}
# Handed in three days after the due date (inside the entry window).
LATE = {
    "工程机械数据合作联合体（示例）": {"2026-q1"},
    "新型显示产业数据联合体（示例）": {"2026-q2"},
}
STATUS_CYCLE = [
    TaskStatus.ON_TRACK,
    TaskStatus.ON_TRACK,
    TaskStatus.COMPLETED,
    TaskStatus.AT_RISK,
    TaskStatus.ON_TRACK,
    TaskStatus.DELAYED,
    TaskStatus.NOT_STARTED,
]


def _lead(consortium):
    users = get_users_with_perms(consortium, only_with_perms_in=["view_consortium"])
    leads = [u for u in users if u.role == "consortium_lead"]
    return sorted(leads, key=lambda u: u.pk)[-1] if leads else None


@register
def load_reporting_demo(*, users, stdout) -> None:
    for name, periods in PLAN.items():
        consortium = Consortium.objects.filter(name=name, pilot_since__isnull=False).first()
        lead = consortium and _lead(consortium)
        if lead is None:
            continue
        for index, (code, final_state) in enumerate(periods.items()):
            period = ReportingPeriod.objects.get(program=consortium.program, code=code)
            if ProgressReport.objects.filter(consortium=consortium, period=period).exists():
                continue
            with mock.patch("django.utils.timezone.localdate", return_value=ENTRY_DAY[code]):
                _report(consortium, period, lead, users, final_state, progress=30 + 25 * index)
            stdout.write(f"  {consortium.name} · {period.name_zh} · {final_state}")
        _deliverables(consortium, lead, stdout)


def _report(consortium, period, lead, users, final_state, *, progress: int) -> None:
    report = services.report_start(actor=lead, consortium=consortium, period=period)
    entries = {}
    for i, entry in enumerate(report.entries.select_related("task")):
        status = STATUS_CYCLE[(i + consortium.pk) % len(STATUS_CYCLE)]
        if i % 9 == 8:
            entries[entry.task.number] = {"nothing_to_report": True}
            continue
        percent = 100 if status == TaskStatus.COMPLETED else min(95, progress + (i * 7) % 30)
        entries[entry.task.number] = {
            "status": status,
            "percent": 0 if status == TaskStatus.NOT_STARTED else percent,
            "work_done": f"{period.name_zh}围绕“{entry.task.title_zh[:18]}”开展工作，完成阶段目标的{percent}%。",
            "next_plan": "下一阶段继续推进，按计划完成既定任务。",
            "problems": "数据跨企业流通的权属界定仍需政策支持。"
            if status == TaskStatus.AT_RISK
            else "",
        }
    services.report_update(
        actor=lead,
        report=report,
        revision=report.revision,
        entries=entries,
        data={
            "summary": f"{period.name_zh}，联合体按实施方案推进各项任务，总体进展顺利。",
            "key_figures": f"汇聚数据 {progress * 4} TB；形成数据集 {progress // 10} 个；落地场景 {progress // 25} 个。",
            "problems": "部分成员单位数据治理基础薄弱。",
            "requests": "建议组织联合体间经验交流。",
        },
    )
    report.refresh_from_db()
    if final_state == ReportState.DRAFT:
        return
    services.report_submit(actor=lead, report=report)
    # Handed in on the entry day (the services stamp the real clock): most on time, one late.
    late = consortium.name in LATE and period.code in LATE[consortium.name]
    day = period.due_date + dt.timedelta(days=3) if late else ENTRY_DAY[period.code]
    stamp = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))
    ProgressReport.objects.filter(pk=report.pk).update(submitted_at=stamp, first_submitted_at=stamp)
    if final_state == ReportState.SUBMITTED:
        return
    authority = consortium.authority.users.filter(role="provincial_authority").first()
    if final_state == ReportState.RETURNED:
        services.report_return(
            actor=authority, report=report, comment="请补充关键数据集的规模和质量评估结果。"
        )
        return
    services.report_confirm(actor=authority, report=report, comment="经核实，情况属实。")
    if final_state == ReportState.ACCEPTED:
        services.report_accept(actor=users["ministry"], report=report, comment="同意。")


# name suffix, kind, task numbers, fields — per consortium, with its industry word in front.
DELIVERABLES = [
    (
        "生产过程时序数据集",
        "dataset",
        [12],
        {
            "stage": "production",
            "modality": "time_series",
            "records": 1_200_000,
            "size_bytes": 53_687_091_200,
            "data_format": "Parquet",
            "quality_result": "优",
            "openness": "consortium",
        },
    ),
    (
        "表面缺陷图像数据集",
        "dataset",
        [12, 15],
        {
            "stage": "production",
            "modality": "image",
            "records": 86_000,
            "size_bytes": 21_474_836_480,
            "data_format": "JPEG + JSON",
            "quality_result": "良",
            "openness": "open_source",
            "licence": "CC BY 4.0",
            "published_at": "国家人工智能开源社区工业数据专区",
        },
    ),
    (
        "工艺知识问答数据集",
        "dataset",
        [4, 12],
        {
            "stage": "design",
            "modality": "text",
            "records": 35_000,
            "size_bytes": 734_003_200,
            "data_format": "JSONL",
            "quality_result": "良",
            "openness": "internal",
        },
    ),
    ("高质量数据集质量评价规范", "standard", [8, 9], {"level": "group", "stage": "drafting"}),
    ("工业数据采集接口要求", "standard", [8], {"level": "industry", "stage": "consultation"}),
    (
        "质量追溯数据服务",
        "data_product",
        [16],
        {"product_type": "数据服务", "listed_or_traded": True},
    ),
    (
        "智能排产工业智能体",
        "scenario",
        [17],
        {
            "stage": "production",
            "model_used": "行业大模型 + 排产智能体",
            "effect": "排产效率提升 20%，交期达成率提升 8 个百分点。",
        },
    ),
    ("多源异构数据融合", "key_technology", [5], {"status": "in_progress"}),
    (
        "质量检测场景数据需求",
        "data_requirement",
        [3],
        {"scenario": "在线质量检测", "description": "缺陷图像与工艺参数的对齐数据。"},
    ),
]
INDUSTRY_OF = {
    "钢铁行业数据合作联合体（示例）": ("steel", "钢铁"),
    "新型显示产业数据联合体（示例）": ("displays", "面板"),
    "电子元器件数据合作联合体（示例）": ("electronic_components", "元器件"),
    "工程机械数据合作联合体（示例）": ("machinery", "工程机械"),
}


def _deliverables(consortium, lead, stdout) -> None:
    from tasks_catalog.models import ReferenceTask

    from .deliverables import KINDS, deliverable_save

    industry, word = INDUSTRY_OF[consortium.name]
    period = ReportingPeriod.objects.get(program=consortium.program, code="2026-q2")
    for suffix, kind, numbers, fields in DELIVERABLES:
        name = f"{word}{suffix}"
        if KINDS[kind].model.objects.filter(consortium=consortium, name=name).exists():
            continue
        data = {
            "name": name,
            "period": period,
            **fields,
            "tasks": ReferenceTask.objects.filter(program=consortium.program, number__in=numbers),
        }
        if kind == "dataset":
            data["industry"] = industry
        deliverable_save(actor=lead, consortium=consortium, kind=kind, data=data)
    stdout.write(f"  {consortium.name}: deliverables recorded")
