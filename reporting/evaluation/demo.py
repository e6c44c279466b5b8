"""Demo evaluations (a demo loader, after the final summaries'): the first approved 64号 pilot
published (two reviewers, a moderated score, comments, its confirmed final summary's first
typical case selected for promotion), the second finalised, the third scored by two reviewers and
waiting for moderation. Idempotent: a pilot already evaluated is left alone."""

from consortia.models import Consortium
from portal.demo import register
from reporting.evaluation import services
from reporting.evaluation.models import Evaluation, EvaluationCriterion
from reporting.evaluation.selectors import CASE_REPORT_STATES, evaluable_consortia
from reporting.final.models import TypicalCase
from tasks_catalog.models import Program

# Two reviewers' scores per criterion (in the scorecard's order), one row per demo pilot.
SCORES = [
    ([92, 88, 85, 90, 86], [88, 90, 83, 86, 90]),
    ([80, 78, 75, 72, 70], [84, 80, 77, 70, 74]),
    ([70, 66, 62, 58, 65], [74, 70, 60, 62, 61]),
]
COMMENTS = [
    "必选任务全部完成，可选任务推进有力。",
    "“1+4+N”成果齐全，数据资源库建设突出。",
    "数据集规范性好，已开展质量评测。",
    "行业大模型在多个制造场景落地。",
    "在数据资产入表方面形成可复制经验。",
]


def _scores(criteria, values, reviewer: str) -> list[dict]:
    return [
        {"criterion": c.code, "score": v, "comment": f"{reviewer}：{COMMENTS[i % len(COMMENTS)]}"}
        for i, (c, v) in enumerate(zip(criteria, values, strict=True))
    ]


@register
def load_evaluation_demo(*, users, stdout) -> None:
    program = Program.objects.filter(code="idfa-2026").first()
    ministry, admin = users.get("ministry"), users.get("admin")
    if program is None or ministry is None or admin is None:
        return
    criteria = list(EvaluationCriterion.objects.filter(program=program))
    pilots: list[Consortium] = list(evaluable_consortia(program=program).order_by("pk")[:3])
    for index, (consortium, (first, second)) in enumerate(zip(pilots, SCORES, strict=False)):
        if Evaluation.objects.filter(consortium=consortium).exists():
            continue
        evaluation = services.evaluation_start(actor=ministry, consortium=consortium)
        for reviewer, values, who in ((ministry, first, "评审一"), (admin, second, "评审二")):
            services.scorecard_save(
                actor=reviewer,
                evaluation=evaluation,
                scores=_scores(criteria, values, who),
                submit=True,
            )
        if index < 2:
            services.evaluation_moderate(actor=admin, evaluation=evaluation)
            evaluation.refresh_from_db()
            services.moderation_save(
                actor=admin,
                evaluation=evaluation,
                revision=evaluation.revision,
                finals=[
                    {
                        "criterion": c.code,
                        "score": 90 if (index == 0 and i == 0) else None,
                        "reason": "经复核，必选任务均按期高质量完成。"
                        if (index == 0 and i == 0)
                        else "",
                        "comment": COMMENTS[i],
                    }
                    for i, c in enumerate(criteria)
                ],
                conclusion="该联合体先行先试工作成效显著，建议总结推广其经验做法。"
                if index == 0
                else "工作推进扎实，成效较好。",
            )
            services.evaluation_finalise(actor=admin, evaluation=evaluation)
        if index == 0:
            cases = TypicalCase.objects.filter(
                consortium=consortium, report__state__in=CASE_REPORT_STATES
            ).order_by("sort_order", "pk")
            for case in cases[:1]:
                services.case_select(
                    actor=admin,
                    evaluation=evaluation,
                    case_id=case.public_id,
                    selected=True,
                    reason="数据赋能路径清晰、成效可量化，可在钢铁行业复制推广。",
                )
            services.evaluation_publish(actor=admin, evaluation=evaluation)
        evaluation.refresh_from_db()
        stdout.write(f"  {consortium.name} · 成效评估 · {evaluation.state}")
