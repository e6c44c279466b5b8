"""Demo final summaries (64号's final period, migration 0009): five pilots, one in each state —
accepted, confirmed, submitted, returned, draft — written through the services on 2026-12-15.
Registered with ``portal.demo`` after the reports demo (``ReportingConfig.ready``). Idempotent."""

import datetime as dt
from unittest import mock

from consortia.models import Consortium
from consortia.samples import scan_upload
from portal.demo import register
from reporting.demo import _lead
from reporting.final import services
from reporting.final.models import FinalReport
from reporting.final.pdf import final_pdf_page_count
from reporting.final.workflows import FinalState
from reporting.registry.models import Dataset

DAY = dt.date(2026, 12, 15)
STATES = {
    "钢铁行业数据合作联合体（示例）": FinalState.ACCEPTED,
    "新型显示产业数据联合体（示例）": FinalState.CONFIRMED,
    "电子元器件数据合作联合体（示例）": FinalState.SUBMITTED,
    "工程机械数据合作联合体（示例）": FinalState.RETURNED,
    "纺织印染数据合作联合体（示例）": FinalState.DRAFT,
}
PATHS = (
    "一是以行业数据可信互联平台为底座，打通龙头企业与上下游数据链路，形成“平台汇聚、标准牵引、场景驱动”的建设路径。\n"
    "二是建立联合体数据共享收益分配机制，按贡献度核算数据价值。\n"
    "三是总结“需求清单—数据集—模型—场景”闭环经验，可在同类行业复制推广。"
)


@register
def load_final_demo(*, users, stdout) -> None:
    for name, state in STATES.items():
        consortium = Consortium.objects.filter(name=name, pilot_since__isnull=False).first()
        lead = consortium and _lead(consortium)
        if lead is None or FinalReport.objects.filter(consortium=consortium).exists():
            continue
        with mock.patch("django.utils.timezone.localdate", return_value=DAY):
            _summary(consortium, lead, users, state)
        stdout.write(f"  {consortium.name} · 工作总结报告 · {state}")


def _summary(consortium, lead, users, state) -> None:
    report = services.final_start(actor=lead, consortium=consortium)
    outcomes = {}
    for i, o in enumerate(report.outcomes.select_related("task")):
        completion = "completed" if i % 4 else "partly"
        outcomes[o.task.number] = {
            "completion": completion,
            "percent": 100 if completion == "completed" else 70,
            "achieved": f"围绕“{o.task.title_zh[:18]}”完成实施方案确定的建设内容。",
            "evidence": "阶段验收材料、数据集登记证明。",
        }
    report = services.final_update(
        actor=lead,
        report=report,
        revision=report.revision,
        data={
            "paths_mechanisms": PATHS,
            "problems": "部分中小企业数据基础薄弱，数据接入成本较高。",
            "suggestions": "建议加大对行业数据集流通交易的政策支持。",
        },
        outcomes=outcomes,
    )
    dataset = Dataset.objects.filter(consortium=consortium).order_by("pk").first()
    services.case_save(
        actor=lead,
        report=report,
        revision=None,
        data={
            "title": f"{dataset.name if dataset else '行业数据'}赋能生产过程质量检测",
            "scenario": "生产过程质量检测",
            "stage": "production",
            "effect": "产品缺陷检出率提升20%，质检人力减少三成。",
            "datasets": [dataset.pk] if dataset else [],
        },
    )
    if state == FinalState.DRAFT:
        return
    report.refresh_from_db()
    report = services.final_upload_scan(
        actor=lead, report=report, upload=scan_upload(final_pdf_page_count(report))
    )
    report = services.final_submit(actor=lead, report=report)
    if state == FinalState.SUBMITTED:
        return
    authority = consortium.authority.users.filter(role="provincial_authority").first()
    if state == FinalState.RETURNED:
        services.final_return(
            actor=authority, report=report, comment="请补充典型案例的量化成效和佐证材料。"
        )
        return
    services.final_confirm(actor=authority, report=report, comment="经审核，情况属实，同意报送。")
    if state == FinalState.ACCEPTED:
        services.final_accept(actor=users["ministry"], report=report, comment="同意。")
