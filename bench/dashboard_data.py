"""Data for the dashboard benchmarks: programs, consortia, plans, reports, entries, deliverables.

    .venv/bin/python bench/dashboard_data.py [--consortia 2000] [--programs 3] [--seed 2026]

On an already-migrated database, ``generate()`` writes everything with ``bulk_create`` (no
services, no signals, no audit entries, no PlanVersion rows): ``idfa-2026`` plus synthetic
programs ``bench-prog-2`` … (each a copy of idfa-2026's 23-task table, 2 entity types and its
quarterly periods), consortia spread over programs and every provincial authority, ~85 % of them
approved pilots with selected tasks (a few approved months late), one progress report per pilot ×
period it is expected to report for (reporting.periods.expectations) in a realistic mix of
states, one entry per selected task, and "1+4+N" deliverables. Deterministic given ``seed``.

``clear()`` removes what ``generate()`` wrote (recognised by the ``bench-ministry`` user as
``created_by``, and the ``bench-prog-*`` programs) and the roll-up rows computed from it, so a
benchmark can go from 20 to 2,000 consortia on the same database::

    from dashboard_data import clear, generate
    generate(consortia=20)
    ...
    clear()
    generate(consortia=2000)
"""

import argparse
import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

BASE_PROGRAM = "idfa-2026"
BENCH_PROGRAM_PREFIX = "bench-prog-"
BENCH_USERNAME = "bench-ministry"
BATCH = 1000
PILOT_SHARE = 0.85
LATE_APPROVAL = 0.05  # share of pilots approved months after the plan deadline
TZ = ZoneInfo("Asia/Shanghai")

# Plan states of the consortia that are not pilots, with their weights.
OTHER_PLAN_STATES = [
    ("draft", 3),
    ("submitted", 4),
    ("returned", 2),
    ("rejected", 2),
    ("withdrawn", 1),
]
# Report state per period index (Q1 … Q4); None = no report started.
REPORT_MIX = [
    [
        ("accepted", 75),
        ("confirmed", 10),
        ("submitted", 5),
        ("returned", 5),
        ("draft", 3),
        (None, 2),
    ],
    [
        ("accepted", 45),
        ("confirmed", 20),
        ("submitted", 15),
        ("returned", 8),
        ("draft", 7),
        (None, 5),
    ],
    [
        ("accepted", 10),
        ("confirmed", 15),
        ("submitted", 30),
        ("returned", 10),
        ("draft", 20),
        (None, 15),
    ],
    [("submitted", 10), ("draft", 35), (None, 55)],
]
HANDED_IN = {"submitted", "confirmed", "accepted", "returned"}
# Task status per period index, with weights: progress moves on over the year.
STATUS_MIX = [
    [("not_started", 30), ("on_track", 50), ("at_risk", 10), ("delayed", 7), ("completed", 3)],
    [("not_started", 15), ("on_track", 55), ("at_risk", 12), ("delayed", 8), ("completed", 10)],
    [("not_started", 6), ("on_track", 52), ("at_risk", 12), ("delayed", 10), ("completed", 20)],
    [("not_started", 3), ("on_track", 40), ("at_risk", 10), ("delayed", 10), ("completed", 37)],
]
PERCENT_BASE = [20, 40, 60, 80]
NOTHING_TO_REPORT = 0.07
ON_TIME = 0.8

INDUSTRIES = [
    ("steel", "钢铁"),
    ("petrochemicals", "石化"),
    ("nonferrous", "有色金属"),
    ("building_materials", "建材"),
    ("machinery", "工业母机"),
    ("automobiles", "汽车"),
    ("medical_equipment", "医疗装备"),
    ("power_equipment", "电力装备"),
    ("ships", "船舶"),
    ("aerospace", "航空航天"),
    ("home_furnishings", "家居"),
    ("pharmaceuticals", "医药"),
    ("biomanufacturing", "生物制造"),
    ("electronic_components", "电子元器件"),
    ("consumer_electronics", "消费电子"),
    ("displays", "新型显示"),
    ("software", "软件"),
    ("ict", "信息通信"),
    ("cybersecurity", "网络安全"),
    ("textiles", "纺织服装"),
    ("other", "综合"),
]
STAGES = ["design", "pilot", "production", "operations", "coordination"]
MODALITIES = [
    "text",
    "image",
    "video",
    "audio",
    "time_series",
    "tabular",
    "point_cloud",
    "multimodal",
]
OPENNESS = [("internal", 5), ("consortium", 3), ("open_source", 2)]
STANDARD_LEVELS = [("national", 1), ("industry", 3), ("group", 4), ("enterprise", 2)]
STANDARD_STAGES = [("proposal", 3), ("drafting", 4), ("consultation", 2), ("published", 2)]
TECH_STATUS = [("planned", 2), ("in_progress", 5), ("achieved", 3)]
LEAD_KINDS = ["enterprise", "institution", "association", "research_institute", "cluster"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明"]
TITLES = ["数字化部总经理", "信息中心主任", "首席数据官", "研究院副院长", "数据管理部部长"]
WORK_DONE = [
    "完成{t}相关数据采集与清洗，形成阶段成果。",
    "围绕{t}开展调研，梳理需求清单并组织专家评审。",
    "推进{t}，完成既定目标的{p}%。",
    "组织成员单位召开{t}专题推进会，明确分工。",
    "{t}相关平台功能上线试运行。",
]
NEXT_PLAN = "下一阶段继续推进，按实施方案完成既定任务。"
PROBLEMS = "数据跨企业流通的权属界定仍需政策支持。"
# Deliverable kind -> task numbers it serves.
SERVES = {
    "dataset": [12, 14, 15],
    "standard": [7, 8, 9, 10],
    "data_product": [16, 19],
    "scenario": [17],
    "key_technology": [5, 6],
    "data_requirement": [3],
}

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(rng: random.Random, region: str) -> str:
    """A valid unified social credit code (GB 32100-2015): 91 + region + 9 random + check."""
    region = region if len(region) == 6 and region.isdigit() else "110000"
    first17 = "91" + region + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=TZ)


def bench_account(username: str, *, role: str, organisation: str, email: str, **names):
    """The bench's account ``username`` (made once, no usable password: the benches log in with
    ``force_login``), with its role's group, in the organisation of code ``organisation``."""
    from portal.models import Organisation, User
    from portal.services import user_sync_role

    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "organisation": Organisation.objects.get(code=organisation),
            "email": email,
            **names,
        },
    )
    if created:
        user.set_unusable_password()
        user.save()
        user_sync_role(user=user)
    return user


def _bench_user():
    from portal.models import User

    return bench_account(
        BENCH_USERNAME,
        role=User.Role.MINISTRY_STAFF,
        organisation="MIIT",
        email="bench-ministry@miit.example.cn",
        last_name="基准",
        first_name="测试",
    )


def _bulk(model, objs: list) -> list:
    return model.objects.bulk_create(objs, batch_size=BATCH)


def _ensure_programs(count: int) -> list:
    """idfa-2026 plus bench-prog-2 … bench-prog-<count>, each with tasks, entity types, periods."""
    from reporting.periods.models import ReportingPeriod
    from tasks_catalog.models import (
        CalendarEntry,
        EntityType,
        Program,
        ReferenceTask,
        TaskCategory,
    )

    base = Program.objects.get(code=BASE_PROGRAM)
    programs = [base]
    base_categories = list(TaskCategory.objects.filter(program=base).order_by("number"))
    base_tasks = list(ReferenceTask.objects.filter(program=base).order_by("number"))
    base_types = list(EntityType.objects.filter(program=base).order_by("sort_order", "pk"))[:2]
    base_periods = list(
        ReportingPeriod.objects.filter(program=base)
        .select_related("calendar_entry")
        .order_by("due_date")
    )
    skip = {"id", "code", "name_zh", "name_en", "short_name_zh", "short_name_en"}
    for n in range(2, count + 1):
        code = f"{BENCH_PROGRAM_PREFIX}{n}"
        program = Program.objects.filter(code=code).first()
        if program is None:
            program = Program(
                code=code,
                name_zh=f"{base.name_zh}（基准{n}）",
                name_en=f"{base.name_en} (bench {n})",
                short_name_zh=f"基准项目{n}",
                short_name_en=f"Bench program {n}",
                **{
                    f.attname: getattr(base, f.attname)
                    for f in Program._meta.concrete_fields
                    if f.attname not in skip
                },
            )
            program.save()
            categories = _bulk(
                TaskCategory,
                [
                    TaskCategory(
                        program=program, number=c.number, name_zh=c.name_zh, name_en=c.name_en
                    )
                    for c in base_categories
                ],
            )
            by_number = {c.number: c for c in categories}
            old_number = {c.pk: c.number for c in base_categories}
            _bulk(
                ReferenceTask,
                [
                    ReferenceTask(
                        program=program,
                        category=by_number[old_number[t.category_id]],
                        number=t.number,
                        title_zh=t.title_zh,
                        title_en=t.title_en,
                        mandatory=t.mandatory,
                    )
                    for t in base_tasks
                ],
            )
            _bulk(
                EntityType,
                [
                    EntityType(
                        program=program,
                        code=e.code,
                        name_zh=e.name_zh,
                        name_en=e.name_en,
                        sort_order=e.sort_order,
                    )
                    for e in base_types
                ],
            )
            for p in base_periods:
                entry = None
                if p.calendar_entry is not None:
                    c = p.calendar_entry
                    entry = CalendarEntry.objects.create(
                        program=program,
                        code=c.code,
                        kind=c.kind,
                        name_zh=c.name_zh,
                        name_en=c.name_en,
                        period_start=c.period_start,
                        period_end=c.period_end,
                        due_date=c.due_date,
                        sort_order=c.sort_order,
                    )
                ReportingPeriod.objects.create(
                    program=program,
                    calendar_entry=entry,
                    code=p.code,
                    name_zh=p.name_zh,
                    name_en=p.name_en,
                    period_start=p.period_start,
                    period_end=p.period_end,
                    opens_on=p.opens_on,
                    due_date=p.due_date,
                    locks_on=p.locks_on,
                )
        programs.append(program)
    return programs


def generate(*, consortia: int = 2000, seed: int = 2026, programs: int = 3) -> dict:
    """Write the data set; returns the counts of rows written. Call ``clear()`` before a second run."""
    from django.db import transaction

    from consortia.models import Consortium

    if programs < 1:
        raise ValueError("programs must be at least 1")
    if Consortium.objects.filter(created_by__username=BENCH_USERNAME).exists():
        raise RuntimeError("Bench data is already there: call dashboard_data.clear() first.")
    with transaction.atomic():
        return _generate(consortia=consortia, seed=seed, programs=programs)


def _generate(*, consortia: int, seed: int, programs: int) -> dict:
    from consortia.models import Consortium, Plan, TaskSelection
    from portal.models import Organisation
    from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress
    from reporting.registry.models import (
        DataProduct,
        DataRequirement,
        Dataset,
        KeyTechnology,
        Scenario,
        Standard,
    )
    from tasks_catalog.models import EntityType, ReferenceTask

    rng = random.Random(seed)
    user = _bench_user()
    program_list = _ensure_programs(programs)
    authorities = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.PROVINCIAL_AUTHORITY, is_active=True
        ).order_by("sort_order", "code")
    )
    if not authorities:
        raise RuntimeError("No provincial authorities: is the database migrated?")
    per_program = {}
    for program in program_list:
        tasks = list(ReferenceTask.objects.filter(program=program).order_by("number"))
        per_program[program.pk] = {
            "program": program,
            "types": list(EntityType.objects.filter(program=program).order_by("sort_order")),
            "tasks": tasks,
            "mandatory": [t for t in tasks if t.mandatory],
            "optional": [t for t in tasks if not t.mandatory],
            "by_number": {t.number: t for t in tasks},
            "periods": list(ReportingPeriod.objects.filter(program=program).order_by("due_date")),
            "pilots": 0,
            "seen": 0,
        }

    # --- Consortia and plans ------------------------------------------------------------------
    rows = []  # (consortium, plan state, program info, industry)
    for i in range(consortia):
        info = per_program[program_list[i % len(program_list)].pk]
        program = info["program"]
        authority = authorities[rng.randrange(len(authorities))]
        industry = rng.choice(INDUSTRIES)
        region = authority.region_name_zh or authority.name_zh[:2]
        state = "approved" if rng.random() < PILOT_SHARE else _pick(rng, OTHER_PLAN_STATES)
        consortium = Consortium(
            program=program,
            authority=authority,
            name=f"{region}{industry[1]}数据合作联合体（{i + 1:05d}）",
            entity_type=rng.choice(info["types"]),
            lead_unit_name=f"{region}{industry[1]}集团有限公司（基准{i + 1:05d}）",
            lead_unit_kind=rng.choice(LEAD_KINDS),
            lead_unit_credit_code=uscc(rng, authority.code),
            contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            contact_title=rng.choice(TITLES),
            contact_phone=f"010-{rng.randint(60000000, 89999999)}",
            contact_email=f"contact{i + 1}@unit{i + 1}.example.cn",
            signing_date=program.plan_deadline - dt.timedelta(days=rng.randint(3, 30)),
            # Most pilots are approved a few weeks after the plan deadline; a few months later
            # (LATE_APPROVAL), and those are not expected for the periods already due.
            pilot_since=(
                program.plan_deadline
                + dt.timedelta(
                    days=rng.randint(120, 160)
                    if rng.random() < LATE_APPROVAL
                    else rng.randint(10, 30)
                )
                if state == "approved"
                else None
            ),
            created_by=user,
        )
        rows.append((consortium, state, info, industry))
    _bulk(Consortium, [r[0] for r in rows])

    plans = []
    for consortium, state, info, industry in rows:
        program = info["program"]
        submitted = None
        if state != "draft":
            submitted = _at(program.plan_deadline - dt.timedelta(days=rng.randint(0, 20)), rng)
        plans.append(
            Plan(
                consortium=consortium,
                state=state,
                work_foundation=f"联合体在{industry[1]}行业数据采集、治理和应用方面具有较好基础。",
                implementation_plan=f"围绕{industry[1]}行业高质量数据集建设，分阶段推进各项任务。",
                commitments=[c["key"] for c in program.plan_commitments if "key" in c],
                authority_opinion="同意推荐。" if state != "draft" else "",
                revision=rng.randint(1, 6),
                submitted_at=submitted,
            )
        )
    _bulk(Plan, plans)
    for _consortium, state, info, _industry in rows:
        info["pilots"] += state == "approved"

    # --- Task selections ----------------------------------------------------------------------
    selections = []
    selected_of = {}  # consortium pk -> [ReferenceTask]
    for (consortium, state, info, _industry), plan in zip(rows, plans, strict=True):
        optional = info["optional"]
        chosen = [t for t in optional if rng.random() < 0.4]
        if state == "approved" and optional:
            # Every optional task is taken by some pilot, however few pilots there are: the
            # k-th pilot of P takes the optional tasks j with j % P == k.
            k, count = info["seen"], info["pilots"]
            info["seen"] += 1
            chosen += [t for j, t in enumerate(optional) if j % count == k and t not in chosen]
        tasks = sorted(info["mandatory"] + chosen, key=lambda t: t.number)
        selected_of[consortium.pk] = tasks
        selections += [TaskSelection(plan=plan, task=t) for t in tasks]
    _bulk(TaskSelection, selections)

    # --- Progress reports ---------------------------------------------------------------------
    reports = []
    report_meta = []  # (report, consortium, period index, state)
    for consortium, state, info, _industry in rows:
        if state != "approved":
            continue
        for index, period in enumerate(info["periods"]):
            if consortium.pilot_since >= period.due_date:
                continue  # not expected for it (reporting.periods.expectations): no report
            mix = REPORT_MIX[min(index, len(REPORT_MIX) - 1)]
            report_state = _pick(rng, mix)
            if report_state is None:
                continue
            first = submitted = None
            revision = rng.randint(1, 4)
            if report_state in HANDED_IN:
                if rng.random() < ON_TIME:
                    span = max(0, (period.due_date - period.period_end).days - 1)
                    day = period.period_end + dt.timedelta(days=1 + rng.randint(0, span))
                else:
                    late = max(1, (period.locks_on - period.due_date).days)
                    day = period.due_date + dt.timedelta(days=rng.randint(1, late))
                first = submitted = _at(day, rng)
                # Returned once; a returned one may have been handed in again before that.
                if (report_state in {"confirmed", "accepted"} and rng.random() < 0.15) or (
                    report_state == "returned" and rng.random() < 0.5
                ):
                    submitted = first + dt.timedelta(days=rng.randint(2, 10))
                    revision += 2
            report = ProgressReport(
                consortium=consortium,
                period=period,
                state=report_state,
                summary=f"{period.name_zh}，联合体按实施方案推进各项任务，总体进展顺利。",
                key_figures=f"汇聚数据 {rng.randint(5, 500)} TB；形成数据集 {rng.randint(1, 12)} 个。",
                problems="部分成员单位数据治理基础薄弱。" if rng.random() < 0.3 else "",
                requests="建议组织联合体间经验交流。" if rng.random() < 0.2 else "",
                revision=revision,
                submitted_at=submitted,
                first_submitted_at=first,
            )
            reports.append(report)
            report_meta.append((report, consortium, index, report_state))
    _bulk(ProgressReport, reports)

    # --- Task entries ---------------------------------------------------------------------------
    entries = []
    for report, consortium, index, report_state in report_meta:
        statuses = STATUS_MIX[min(index, len(STATUS_MIX) - 1)]
        base = PERCENT_BASE[min(index, len(PERCENT_BASE) - 1)]
        for task in selected_of[consortium.pk]:
            if report_state == "draft" and rng.random() < 0.3:
                entries.append(TaskProgress(report=report, task=task))  # not answered yet
                continue
            if rng.random() < NOTHING_TO_REPORT:
                entries.append(TaskProgress(report=report, task=task, nothing_to_report=True))
                continue
            status = _pick(rng, statuses)
            if status == "not_started":
                percent = 0
            elif status == "completed":
                percent = 100
            else:
                percent = max(5, min(95, base + rng.randint(-15, 15)))
            title = task.title_zh[:12]
            entries.append(
                TaskProgress(
                    report=report,
                    task=task,
                    status=status,
                    percent=percent,
                    work_done=rng.choice(WORK_DONE).format(t=title, p=percent),
                    next_plan=NEXT_PLAN,
                    problems=PROBLEMS if status in {"at_risk", "delayed"} else "",
                )
            )
    _bulk(TaskProgress, entries)

    # --- Deliverables ---------------------------------------------------------------------------
    periods_with_report = {}
    for _report, consortium, index, _state in report_meta:
        periods_with_report.setdefault(consortium.pk, []).append(index)
    made = {kind: [] for kind in SERVES}  # kind -> [(object, [task])]

    def add(kind, obj, info):
        served = [info["by_number"][n] for n in SERVES[kind] if n in info["by_number"]]
        made[kind].append((obj, rng.sample(served, k=min(len(served), rng.randint(1, 2)))))

    for consortium, state, info, industry in rows:
        if state != "approved":
            continue
        indexes = periods_with_report.get(consortium.pk) or [0]

        def common(name, consortium=consortium, info=info, indexes=indexes):
            return {
                "consortium": consortium,
                "period": info["periods"][rng.choice(indexes)],
                "name": name,
                "created_by": user,
            }

        ind = industry[1]
        for n in range(rng.randint(1, 4)):
            openness = _pick(rng, OPENNESS)
            modality = rng.choice(MODALITIES)
            add(
                "dataset",
                Dataset(
                    **common(f"{ind}{modality}数据集{n + 1}"),
                    industry=industry[0] if rng.random() < 0.85 else rng.choice(INDUSTRIES)[0],
                    stage=rng.choice(STAGES),
                    modality=modality,
                    records=rng.randint(1_000, 5_000_000),
                    size_bytes=rng.randint(10**6, 2 * 10**11),
                    data_format=rng.choice(["Parquet", "JSONL", "CSV", "JPEG + JSON", "HDF5"]),
                    quality_result=rng.choice(["优", "良", "合格", ""]),
                    openness=openness,
                    licence="CC BY 4.0" if openness == "open_source" else "",
                    published_at="国家人工智能开源社区工业数据专区"
                    if openness == "open_source"
                    else "",
                ),
                info,
            )
        for n in range(rng.randint(0, 2)):
            level = _pick(rng, STANDARD_LEVELS)
            stage = _pick(rng, STANDARD_STAGES)
            add(
                "standard",
                Standard(
                    **common(f"{ind}行业数据标准{n + 1}"),
                    level=level,
                    stage=stage,
                    number=f"T/BENCH {rng.randint(100, 999)}-2026" if stage == "published" else "",
                ),
                info,
            )
        for n in range(rng.randint(0, 2)):
            add(
                "data_product",
                DataProduct(
                    **common(f"{ind}数据服务产品{n + 1}"),
                    product_type=rng.choice(["数据服务", "数据集", "数据接口", "数据报告"]),
                    listed_or_traded=rng.random() < 0.35,
                ),
                info,
            )
        for n in range(rng.randint(1, 2)):
            add(
                "scenario",
                Scenario(
                    **common(f"{ind}智能应用场景{n + 1}"),
                    stage=rng.choice(STAGES),
                    model_used=rng.choice(
                        ["行业大模型", "工业智能体", "行业大模型 + 排产智能体", ""]
                    ),
                    effect=f"效率提升 {rng.randint(5, 40)}%。",
                ),
                info,
            )
        if rng.random() < 0.6:
            for n in range(rng.randint(1, 2)):
                add(
                    "key_technology",
                    KeyTechnology(
                        **common(f"{ind}关键数据技术{n + 1}"),
                        status=_pick(rng, TECH_STATUS),
                    ),
                    info,
                )
        if rng.random() < 0.5:
            for n in range(rng.randint(1, 2)):
                add(
                    "data_requirement",
                    DataRequirement(
                        **common(f"{ind}场景数据需求{n + 1}"),
                        scenario=rng.choice(
                            ["在线质量检测", "智能排产", "设备预测性维护", "能耗优化"]
                        ),
                        description="多源工艺参数与质量结果的对齐数据。",
                    ),
                    info,
                )

    models = {
        "dataset": Dataset,
        "standard": Standard,
        "data_product": DataProduct,
        "scenario": Scenario,
        "key_technology": KeyTechnology,
        "data_requirement": DataRequirement,
    }
    counts_links = 0
    for kind, model in models.items():
        objs = _bulk(model, [obj for obj, _tasks in made[kind]])
        through = model.tasks.through
        fk = model._meta.model_name + "_id"
        links = [
            through(**{fk: obj.pk, "referencetask_id": task.pk})
            for obj, (_same, tasks) in zip(objs, made[kind], strict=True)
            for task in tasks
        ]
        _bulk(through, links)
        counts_links += len(links)

    pilots = sum(1 for r in rows if r[1] == "approved")
    by_state = {}
    for _r, _c, _i, s in report_meta:
        by_state[s] = by_state.get(s, 0) + 1
    return {
        "programs": len(program_list),
        "consortia": len(rows),
        "pilots": pilots,
        "plans_by_state": {
            s: sum(1 for r in rows if r[1] == s)
            for s in ["approved", *(s for s, _w in OTHER_PLAN_STATES)]
        },
        "task_selections": len(selections),
        "reports": len(reports),
        "reports_by_state": dict(sorted(by_state.items())),
        "entries": len(entries),
        "datasets": len(made["dataset"]),
        "standards": len(made["standard"]),
        "data_products": len(made["data_product"]),
        "scenarios": len(made["scenario"]),
        "key_technologies": len(made["key_technology"]),
        "data_requirements": len(made["data_requirement"]),
        "deliverable_task_links": counts_links,
    }


def clear() -> dict:
    """Delete what ``generate()`` wrote, and the roll-ups computed from it. Returns rows deleted."""
    from django.db import transaction

    from consortia.models import Consortium, Plan, TaskSelection
    from reporting import models as r
    from tasks_catalog.models import (
        CalendarEntry,
        EntityType,
        Program,
        ReferenceTask,
        TaskCategory,
    )

    deleted = {}

    def raw(label, qs):
        # Fast SQL delete (no collector, no signals): the dependants are deleted before.
        deleted[label] = deleted.get(label, 0) + (qs._raw_delete(qs.db) or 0)

    with transaction.atomic():
        consortia = Consortium.objects.filter(created_by__username=BENCH_USERNAME)
        bench_programs = Program.objects.filter(code__startswith=BENCH_PROGRAM_PREFIX)
        touched = Program.objects.filter(code=BASE_PROGRAM) | bench_programs
        # Roll-ups and summaries computed from the bench data (recomputed by the benchmarks).
        for model in (r.ConsortiumRollup, r.TaskRollup, r.DeliverableRollup, r.PlanRollup):
            raw("rollups", model.objects.filter(program__in=touched))
        raw("summaries", r.SummaryDocument.objects.filter(program__in=touched))
        raw("rollup_runs", r.RollupRun.objects.filter(program__in=touched))
        for model in (
            r.Dataset,
            r.Standard,
            r.DataProduct,
            r.Scenario,
            r.KeyTechnology,
            r.DataRequirement,
        ):
            fk = model._meta.model_name
            raw(
                "deliverable_task_links",
                model.tasks.through.objects.filter(**{f"{fk}__consortium__in": consortia}),
            )
            raw("deliverables", model.objects.filter(consortium__in=consortia))
        reports = r.ProgressReport.objects.filter(consortium__in=consortia)
        raw("evidence", r.Evidence.objects.filter(entry__report__in=reports))
        raw("entries", r.TaskProgress.objects.filter(report__in=reports))
        raw("reviews", r.ReportReview.objects.filter(report__in=reports))
        raw("reports", reports)
        raw("reopenings", r.PeriodReopening.objects.filter(consortium__in=consortia))
        plans = Plan.objects.filter(consortium__in=consortia)
        selections = TaskSelection.objects.filter(plan__in=plans)
        raw(
            "selections",
            TaskSelection.responsible.through.objects.filter(taskselection__in=selections),
        )
        raw("selections", selections)
        raw("plans", plans)
        raw("consortia", consortia)
        # The synthetic programs and their reference data.
        raw("periods", r.ReportingPeriod.objects.filter(program__in=bench_programs))
        for label, model in (
            ("calendar", CalendarEntry),
            ("tasks", ReferenceTask),
            ("categories", TaskCategory),
            ("entity_types", EntityType),
        ):
            raw(label, model.objects.filter(program__in=bench_programs))
        raw("programs", bench_programs)
    return deleted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consortia", type=int, default=2000)
    parser.add_argument("--programs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--clear", action="store_true", help="clear earlier bench data first")
    args = parser.parse_args()

    from common import setup_django

    setup_django()
    if args.clear:
        start = time.perf_counter()
        print("cleared", clear(), f"in {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    counts = generate(consortia=args.consortia, seed=args.seed, programs=args.programs)
    elapsed = time.perf_counter() - start
    from django.db import connection

    print(f"Dashboard bench data ({connection.vendor}), seed {args.seed}:")
    for key, value in counts.items():
        print(f"  {key:<24} {value}")
    print(f"generated in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
