"""Demo reports and deliverables: the approved pilots' Q1–Q3 reports in every review state.

Registered with ``portal.demo`` after the consortia demo (see ``ReportingConfig.ready``); written
through the services, each step on a date inside its period's entry window. Idempotent.

Ten pilots in ten provinces (approved in March), so that the Ministry's dashboards have
something to compare, and an eleventh approved in November, after Q3's due date, which reports
nothing for Q1–Q3 (not expected: ``reporting.periods.expectations``) and is not overdue. Q1 all
handed in (two late), Q2 a mix of reviewed, waiting and returned reports, Q3 (past due on the
demo's today) some handed in, some drafts, some never started, and one pilot clearly behind plan.
Deliverables grow quarter by quarter, each pilot's in its own industry.
"""

import datetime as dt
from dataclasses import dataclass
from unittest import mock

from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from consortia.models import Consortium
from portal.demo import register
from reporting.periods import services
from reporting.periods.models import ProgressReport, ReportingPeriod, TaskStatus
from reporting.periods.workflows import ReportState

PERIODS = ("2026-q1", "2026-q2", "2026-q3")
ENTRY_DAY = {
    "2026-q1": dt.date(2026, 4, 10),
    "2026-q2": dt.date(2026, 7, 10),
    "2026-q3": dt.date(2026, 10, 10),
}
Q1, Q2, Q3 = PERIODS
ACCEPTED, CONFIRMED, SUBMITTED, RETURNED, DRAFT = (
    ReportState.ACCEPTED,
    ReportState.CONFIRMED,
    ReportState.SUBMITTED,
    ReportState.RETURNED,
    ReportState.DRAFT,
)
GB = 1024**3
OPEN_SOURCE = {"licence": "CC BY 4.0", "published_at": "国家人工智能开源社区工业数据专区"}

# Datasets: name (after the industry word), period, task numbers, fields. A pilot without its own
# list builds these three, with records and sizes scaled to its size.
GENERIC_DATASETS = (
    (
        "生产过程时序数据集",
        Q2,
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
        "工艺知识问答数据集",
        Q2,
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
    (
        "表面缺陷图像数据集",
        Q3,
        [12, 15],
        {
            "stage": "production",
            "modality": "image",
            "records": 86_000,
            "size_bytes": 21_474_836_480,
            "data_format": "JPEG + JSON",
            "quality_result": "良",
            "openness": "open_source",
            **OPEN_SOURCE,
        },
    ),
)


def _dataset(name, period, tasks, stage, modality, records, size_bytes, data_format, openness):
    fields = {
        "stage": stage,
        "modality": modality,
        "records": records,
        "size_bytes": size_bytes,
        "data_format": data_format,
        "quality_result": "良",
        "openness": openness,
        **(OPEN_SOURCE if openness == "open_source" else {}),
    }
    return (name, period, tasks, fields)


@dataclass(frozen=True)
class Pilot:
    """What the demo reports for one approved pilot consortium."""

    industry: str  # its datasets' industry (a code of the reference list, tasks_catalog.terms)
    word: str  # its industry's word, in front of its deliverables' names
    periods: dict[str, str]  # period code -> final report state; a period left out: not started
    late: frozenset[str] = frozenset()  # periods handed in three days after the due date
    pace: int = 0  # percentage points ahead of (or behind) the others' progress
    scale: float = 1.0  # records and sizes of GENERIC_DATASETS
    datasets: tuple = ()  # its own datasets instead of GENERIC_DATASETS
    # (level, stage) of its data-collection standard (Q1) and its dataset-quality standard (Q2)
    standards: tuple = (("industry", "consultation"), ("group", "drafting"))
    technology: str = "in_progress"  # status of its key data technology
    listed: bool = False  # its data service is listed on a data exchange
    troubles: str = ""  # set: behind plan, many tasks delayed or at risk, and this is why
    deliverables_until: str = Q3  # no deliverables recorded for later periods

    def own_datasets(self) -> tuple:
        if self.datasets:
            return self.datasets
        return tuple(
            (
                name,
                period,
                tasks,
                {
                    **fields,
                    "records": int(fields["records"] * self.scale),
                    "size_bytes": int(fields["size_bytes"] * self.scale),
                },
            )
            for name, period, tasks, fields in GENERIC_DATASETS
        )


PILOTS = {
    "钢铁行业数据合作联合体（示例）": Pilot(
        "steel",
        "钢铁",
        {Q1: ACCEPTED, Q2: DRAFT},
        scale=1.5,
        standards=(("national", "drafting"), ("group", "published")),
        technology="achieved",
        listed=True,
    ),
    "新型显示产业数据联合体（示例）": Pilot(
        "displays",
        "面板",
        {Q1: ACCEPTED, Q2: SUBMITTED},
        late=frozenset({Q2}),
        pace=5,
        scale=0.8,
    ),
    "电子元器件数据合作联合体（示例）": Pilot(
        "electronic_components",
        "元器件",
        {Q1: ACCEPTED, Q2: CONFIRMED, Q3: ACCEPTED},
        pace=10,
        scale=0.6,
        standards=(("group", "published"), ("enterprise", "published")),
        technology="achieved",
        listed=True,
    ),
    "工程机械数据合作联合体（示例）": Pilot(
        "construction_machinery",
        "工程机械",
        {Q1: ACCEPTED, Q2: RETURNED},
        late=frozenset({Q1}),
        pace=-5,
        standards=(("industry", "proposal"), ("group", "consultation")),
    ),
    "纺织印染数据合作联合体（示例）": Pilot(
        "textiles",
        "纺织",
        {Q1: ACCEPTED, Q2: CONFIRMED, Q3: SUBMITTED},
        datasets=(
            _dataset(
                "坯布瑕疵图像数据集",
                Q2,
                [12],
                "production",
                "image",
                240_000,
                96 * GB,
                "PNG + COCO",
                "consortium",
            ),
            _dataset(
                "印染配方与工艺参数数据集",
                Q3,
                [4, 12],
                "production",
                "tabular",
                520_000,
                2 * GB,
                "CSV",
                "internal",
            ),
        ),
        standards=(("group", "drafting"), ("enterprise", "published")),
        technology="planned",
    ),
    "智能家电产业数据联合体（示例）": Pilot(
        "home_furnishings",
        "家电",
        {Q1: ACCEPTED, Q2: ACCEPTED, Q3: CONFIRMED},
        pace=8,
        datasets=(
            _dataset(
                "整机噪声声纹数据集",
                Q1,
                [12, 15],
                "production",
                "audio",
                410_000,
                1_600 * GB,
                "WAV + JSON",
                "open_source",
            ),
            _dataset(
                "售后故障工单文本数据集",
                Q2,
                [4, 12],
                "operations",
                "text",
                2_600_000,
                12 * GB,
                "JSONL",
                "consortium",
            ),
            _dataset(
                "压缩机运行时序数据集",
                Q3,
                [12],
                "production",
                "time_series",
                8_000_000,
                310 * GB,
                "Parquet",
                "internal",
            ),
        ),
        standards=(("national", "consultation"), ("industry", "drafting")),
        technology="achieved",
        listed=True,
    ),
    "生物医药产业数据联合体（示例）": Pilot(
        "pharmaceuticals",
        "生物医药",
        {Q1: CONFIRMED, Q2: SUBMITTED, Q3: DRAFT},
        datasets=(
            _dataset(
                "晶型结构数据集",
                Q2,
                [4, 12],
                "design",
                "multimodal",
                68_000,
                45 * GB,
                "CIF + JSON",
                "internal",
            ),
            _dataset(
                "制剂工艺批记录数据集",
                Q3,
                [12],
                "pilot",
                "tabular",
                150_000,
                3 * GB,
                "CSV",
                "consortium",
            ),
        ),
        standards=(("group", "proposal"), ("industry", "proposal")),
    ),
    "航空装备数据合作联合体（示例）": Pilot(
        "aerospace",
        "航空",
        {Q1: ACCEPTED, Q2: RETURNED, Q3: DRAFT},
        pace=-3,
        datasets=(
            _dataset(
                "装配工艺知识文本数据集",
                Q1,
                [4, 12],
                "design",
                "text",
                18_000,
                420 * 1024**2,
                "JSONL",
                "consortium",
            ),
            _dataset(
                "复材构件超声检测图像数据集",
                Q2,
                [12],
                "production",
                "image",
                52_000,
                180 * GB,
                "DICONDE + JSON",
                "internal",
            ),
        ),
        standards=(("national", "proposal"), ("enterprise", "drafting")),
    ),
    "汽车零部件产业数据联合体（示例）": Pilot(
        "automobiles",
        "汽车零部件",
        {Q1: ACCEPTED, Q2: SUBMITTED, Q3: SUBMITTED},
        late=frozenset({Q2, Q3}),
        pace=-20,
        datasets=(
            _dataset(
                "铸件X射线缺陷图像数据集",
                Q2,
                [12],
                "production",
                "image",
                30_000,
                12 * GB,
                "DICOM + JSON",
                "internal",
            ),
        ),
        standards=(("group", "proposal"),),
        technology="planned",
        troubles="铸造、热处理环节老旧设备的数据采集改造滞后，两家核心供应商的数据尚未接入平台，"
        "数据标注人员不足，高质量数据集建设进度落后于实施方案。",
        deliverables_until=Q2,
    ),
    "铜基新材料数据联合体（示例）": Pilot(
        "nonferrous",
        "铜基材料",
        {Q1: CONFIRMED, Q2: ACCEPTED},
        pace=3,
        datasets=(
            _dataset(
                "带材表面缺陷图像数据集",
                Q1,
                [12, 15],
                "production",
                "image",
                120_000,
                64 * GB,
                "PNG + JSON",
                "open_source",
            ),
            _dataset(
                "合金成分与性能数据集",
                Q2,
                [4, 12],
                "design",
                "tabular",
                960_000,
                5 * GB,
                "CSV",
                "consortium",
            ),
        ),
        standards=(("industry", "drafting"), ("group", "consultation")),
    ),
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
# A pilot with troubles: most of its tasks need the Ministry's attention.
TROUBLED_CYCLE = [
    TaskStatus.DELAYED,
    TaskStatus.AT_RISK,
    TaskStatus.ON_TRACK,
    TaskStatus.DELAYED,
    TaskStatus.NOT_STARTED,
    TaskStatus.AT_RISK,
    TaskStatus.DELAYED,
]
AT_RISK_PROBLEM = "数据跨企业流通的权属界定仍需政策支持。"
DELAYED_PROBLEM = "成员单位数据接入晚于计划，本任务进度滞后，已调整排期追赶。"


def _lead(consortium):
    users = get_users_with_perms(consortium, only_with_perms_in=["view_consortium"])
    leads = [u for u in users if u.role == "consortium_lead"]
    return sorted(leads, key=lambda u: u.pk)[-1] if leads else None


@register
def load_reporting_demo(*, users, stdout) -> None:
    for name, pilot in PILOTS.items():
        consortium = Consortium.objects.filter(name=name, pilot_since__isnull=False).first()
        lead = consortium and _lead(consortium)
        if lead is None:
            continue
        for code, final_state in pilot.periods.items():
            period = ReportingPeriod.objects.get(program=consortium.program, code=code)
            if ProgressReport.objects.filter(consortium=consortium, period=period).exists():
                continue
            with mock.patch("django.utils.timezone.localdate", return_value=ENTRY_DAY[code]):
                _report(consortium, pilot, period, lead, users, final_state)
            stdout.write(f"  {consortium.name} · {period.name_zh} · {final_state}")
        _deliverables(consortium, pilot, lead, stdout)


def _report(consortium, pilot: Pilot, period, lead, users, final_state) -> None:
    progress = 30 + 25 * PERIODS.index(period.code) + pilot.pace
    cycle = TROUBLED_CYCLE if pilot.troubles else STATUS_CYCLE
    report = services.report_start(actor=lead, consortium=consortium, period=period)
    entries = {}
    for i, entry in enumerate(report.entries.select_related("task")):
        status = cycle[(i + consortium.pk) % len(cycle)]
        if i % 9 == 8:
            entries[entry.task.number] = {"nothing_to_report": True}
            continue
        percent = (
            100 if status == TaskStatus.COMPLETED else max(5, min(95, progress + (i * 7) % 30))
        )
        problems = ""
        if status == TaskStatus.AT_RISK:
            problems = pilot.troubles or AT_RISK_PROBLEM
        elif status == TaskStatus.DELAYED:
            problems = pilot.troubles or DELAYED_PROBLEM
        entries[entry.task.number] = {
            "status": status,
            "percent": 0 if status == TaskStatus.NOT_STARTED else percent,
            "work_done": f"{period.name_zh}围绕“{entry.task.title_zh[:18]}”开展工作，完成阶段目标的{percent}%。",
            "next_plan": "下一阶段继续推进，按计划完成既定任务。",
            "problems": problems,
        }
    summary = (
        f"{period.name_zh}，联合体部分任务进度滞后于实施方案，已制定整改措施并加强调度。"
        if pilot.troubles
        else f"{period.name_zh}，联合体按实施方案推进各项任务，总体进展顺利。"
    )
    services.report_update(
        actor=lead,
        report=report,
        revision=report.revision,
        entries=entries,
        data={
            "summary": summary,
            "key_figures": f"汇聚数据 {progress * 4} TB；形成数据集 {progress // 10} 个；落地场景 {progress // 25} 个。",
            "problems": pilot.troubles or "部分成员单位数据治理基础薄弱。",
            "requests": "建议协调核心供应商加快数据接入。"
            if pilot.troubles
            else "建议组织联合体间经验交流。",
        },
    )
    report.refresh_from_db()
    if final_state == DRAFT:
        return
    services.report_submit(actor=lead, report=report)
    # Handed in on the entry day (the services stamp the real clock), or three days late.
    late = period.code in pilot.late
    day = period.due_date + dt.timedelta(days=3) if late else ENTRY_DAY[period.code]
    stamp = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))
    ProgressReport.objects.filter(pk=report.pk).update(submitted_at=stamp, first_submitted_at=stamp)
    if final_state == SUBMITTED:
        return
    authority = consortium.authority.users.filter(role="provincial_authority").first()
    if final_state == RETURNED:
        services.report_return(
            actor=authority, report=report, comment="请补充关键数据集的规模和质量评估结果。"
        )
        return
    services.report_confirm(actor=authority, report=report, comment="经核实，情况属实。")
    if final_state == ACCEPTED:
        services.report_accept(actor=users["ministry"], report=report, comment="同意。")


STANDARD_NAMES = (
    ("工业数据采集接口要求", Q1, [8]),
    ("高质量数据集质量评价规范", Q2, [8, 9]),
)


def _deliverable_specs(pilot: Pilot) -> list[tuple[str, str, str, list[int], dict]]:
    """(name suffix, kind, period, task numbers, fields) of everything the pilot has delivered."""
    specs = [
        (
            "质量检测场景数据需求",
            "data_requirement",
            Q1,
            [3],
            {"scenario": "在线质量检测", "description": "缺陷图像与工艺参数的对齐数据。"},
        ),
        ("多源异构数据融合", "key_technology", Q1, [5], {"status": pilot.technology}),
    ]
    for (name, period, tasks), (level, stage) in zip(STANDARD_NAMES, pilot.standards, strict=False):
        specs.append((name, "standard", period, tasks, {"level": level, "stage": stage}))
    specs += [
        (name, "dataset", period, tasks, {**fields, "industry": pilot.industry})
        for name, period, tasks, fields in pilot.own_datasets()
    ]
    specs += [
        (
            "设备预测性维护场景",
            "scenario",
            Q2,
            [17],
            {
                "stage": "operations",
                "model_used": "设备健康度预测模型",
                "effect": "非计划停机时间减少 15%。",
            },
        ),
        (
            "质量追溯数据服务",
            "data_product",
            Q3,
            [16],
            {"product_type": "数据服务", "listed_or_traded": pilot.listed},
        ),
        (
            "智能排产工业智能体",
            "scenario",
            Q3,
            [17],
            {
                "stage": "production",
                "model_used": "行业大模型 + 排产智能体",
                "effect": "排产效率提升 20%，交期达成率提升 8 个百分点。",
            },
        ),
    ]
    return specs


def _deliverables(consortium, pilot: Pilot, lead, stdout) -> None:
    """The pilot's deliverables of the periods it has reported on, up to ``deliverables_until``."""
    from reporting.registry.kinds import KINDS
    from reporting.registry.services import deliverable_save

    periods = {
        p.code: p
        for p in ReportingPeriod.objects.filter(program=consortium.program, code__in=PERIODS)
    }
    reported = set(
        ProgressReport.objects.filter(consortium=consortium).values_list("period__code", flat=True)
    )
    until = PERIODS.index(pilot.deliverables_until)
    selected = {s.task.number: s.task for s in consortium.plan.selections.select_related("task")}
    for suffix, kind, code, numbers, fields in _deliverable_specs(pilot):
        name = f"{pilot.word}{suffix}"
        tasks = [selected[n] for n in numbers if n in selected]
        if code not in reported or PERIODS.index(code) > until or not tasks:
            continue
        if KINDS[kind].model.objects.filter(consortium=consortium, name=name).exists():
            continue
        data = {"name": name, "period": periods[code], **fields, "tasks": tasks}
        deliverable_save(actor=lead, consortium=consortium, kind=kind, data=data)
    stdout.write(f"  {consortium.name}: deliverables recorded")
