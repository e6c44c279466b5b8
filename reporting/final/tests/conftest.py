"""A pilot of 64号 at its final summary, and the steps to a summary ready to submit."""

import pytest

from consortia.samples import scan_upload
from reporting.final import services
from reporting.final.pdf import final_pdf_page_count
from reporting.final.selectors import final_period_for

#: Inside 64号's final period (opens 2026-12-01, due 2027-01-31; migration 0009).
IN_FINAL = "2026-12-10"


def answers(report, **values) -> dict:
    return {
        o.task.number: {
            "completion": "completed",
            "percent": 100,
            "achieved": "按方案完成。",
            "evidence": "验收报告",
            **values,
        }
        for o in report.outcomes.select_related("task")
    }


def ready(pilot, report):
    """Every task answered, the paths summarised, the stamped scan uploaded."""
    report = services.final_update(
        actor=pilot.lead,
        report=report,
        revision=report.revision,
        data={"paths_mechanisms": "形成“数据+模型+场景”协同推进路径。"},
        outcomes=answers(report),
    )
    report = services.final_upload_scan(
        actor=pilot.lead, report=report, upload=scan_upload(final_pdf_page_count(report))
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def final_period(pilot):
    return final_period_for(program=pilot.consortium.program)


@pytest.fixture
def started(pilot, on_date, final_period):
    with on_date(IN_FINAL):
        return services.final_start(actor=pilot.lead, consortium=pilot.consortium)
