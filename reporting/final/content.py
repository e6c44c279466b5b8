"""The final summary as one document: what is frozen in a version, rendered in the PDF, hashed.

``final_content(report)`` reads the current draft; a ``FinalReportVersion.content`` holds the same
shape, so a version renders exactly as it was submitted whatever changes later. Keys, never
translated text: labels are looked up when the document is shown.
"""

import hashlib
import json

from reporting.final.models import FinalReport


def final_content(report: FinalReport) -> dict:
    consortium = report.consortium
    outcomes = list(report.outcomes.select_related("task__category"))
    cases = list(report.cases.prefetch_related("datasets", "industry_models"))
    return {
        "program": consortium.program.code,
        "period": report.period.code,
        "consortium": {
            "name": consortium.name,
            "authority": consortium.authority.name_zh,
            "lead_unit_name": consortium.lead_unit_name,
            "contact_name": consortium.contact_name,
            "contact_phone": consortium.contact_phone,
        },
        "baseline_version": report.baseline.number if report.baseline_id else None,
        "outcomes": [
            {
                "number": o.task.number,
                "title_zh": o.task.title_zh,
                "title_en": o.task.title_en,
                "mandatory": o.task.mandatory,
                "target": o.target,
                "responsible": list(o.responsible),
                "completion": o.completion,
                "percent": o.percent,
                "achieved": o.achieved,
                "evidence": o.evidence,
            }
            for o in outcomes
        ],
        "figures": [
            {
                "kind": f.kind,
                "pulled_count": f.pulled_count,
                "pulled": f.pulled,
                "corrected_count": f.corrected_count,
                "note": f.note,
            }
            for f in report.figures.all()
        ],
        "paths_mechanisms": report.paths_mechanisms,
        "problems": report.problems,
        "suggestions": report.suggestions,
        "cases": [
            {
                "id": str(c.public_id),
                "title": c.title,
                "scenario": c.scenario,
                "stage": c.stage,
                "effect": c.effect,
                "datasets": sorted(d.name for d in c.datasets.all()),
                "industry_models": sorted(m.name for m in c.industry_models.all()),
            }
            for c in cases
        ],
    }


def content_digest(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
