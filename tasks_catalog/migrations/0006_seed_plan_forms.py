"""The plan forms as program data: 64号's 附件1 word for word as the portal printed it until now,
the Model-Data Resonance action's own form, and the commitment statements moved from JSON into
their own table."""

from django.db import migrations

IDFA_SUBJECT = "面向人工智能赋能的高质量行业数据集建设先行先试"

FORMS = {
    "idfa-2026": {
        "program": {
            "plan_form_annex_label_zh": "附件1",
            "plan_form_issuers_zh": "工业和信息化部编制",
            "plan_form_notes_zh": (
                "一、材料要求盖章处，须加盖公章，复印无效，任务书须加盖骑缝章。\n"
                f"二、{IDFA_SUBJECT}的牵头单位为企事业单位、行业协会、研究机构或集群组织，名称用全称填写。\n"
                f"三、{IDFA_SUBJECT}的推荐单位为地方工业和信息化主管部门，名称用全称填写。"
            ),
            "uses_task_table": True,
            "task_table_annex_label_zh": "附件2",
            "task_table_title_zh": "先行先试参考任务表",
        },
        "sections": [
            ("basic", "一、基本信息", "1. Basic information", "", "", None),
            (
                "members",
                "二、联合体基本情况及分工",
                "2. Consortium members and division of work",
                "承担角色及任务分工（参考附件2）",
                "Role and division of tasks (see Attachment 2)",
                None,
            ),
            (
                "foundation",
                "三、已有工作基础",
                "3. Existing work foundation",
                "简要介绍先行先试相关单位已开展的工业数据相关工作，可包含但不限于数据基础设施建设、"
                "技术攻关、标准研制、机制探索、场景应用等方面内容（800字左右）",
                "Industrial-data work already done by the units: data infrastructure, technology "
                "research, standards, mechanisms, application scenarios (about 800 characters).",
                800,
            ),
            (
                "plan",
                "四、实施方案",
                "4. Implementation plan",
                "请围绕“1+4+N”体系建设（参考附件2），提出2026年任务目标，并从实施路径、工作计划、"
                "保障措施等方面详细阐述工作任务安排（2000字左右）",
                "Around the “1+4+N” system (see Attachment 2): the 2026 goals, then the "
                "implementation path, work plan and safeguards (about 2,000 characters).",
                2000,
            ),
            ("commitment", "五、牵头单位承诺书", "5. Lead unit's commitment", "", "", None),
            ("opinion", "六、推荐单位意见", "6. Recommending unit's opinion", "", "", None),
        ],
    },
    "mdr-2026": {
        "program": {
            "plan_form_annex_label_zh": "附件1",
            "plan_form_issuers_zh": "工业和信息化部办公厅\n国家数据局综合司\n编制",
            "plan_form_notes_zh": (
                "一、材料要求盖章处，须加盖公章，复印无效。\n"
                "二、“模数共振”创新联合体的牵头单位为算力企业、模型企业、数据企业或应用开发企业，"
                "名称用全称填写。\n"
                "三、“模数共振”行动的推荐单位为地方工业和信息化主管部门，名称用全称填写。"
            ),
            "uses_task_table": False,
            "task_table_annex_label_zh": "",
            "task_table_title_zh": "",
            "plan_commitment_text_zh": (
                "本单位近3年内（2023年以来）未出现违规、违法行为，未发生重大信息、网络安全事件，"
                "重大、特大生产和环境安全事故，本单位不属于失信被执行人。\n"
                "所开展的模型、数据相关研发及运营行为合法合规，申报材料内容真实有效。"
            ),
        },
        # Statements worded for this action (the others are 64号's).
        "statements": {
            "lawful_data_work": (
                "所开展的模型、数据相关研发及运营行为合法合规。",
                "Our model and data research, development and operations are lawful and "
                "compliant.",
            ),
        },
        "sections": [
            ("basic", "一、基本信息", "1. Basic information", "", "", None),
            (
                "members",
                "二、创新联合体成员及分工",
                "2. Innovation consortium members and division of work",
                "承担角色及任务分工",
                "Role and division of tasks",
                None,
            ),
            (
                "foundation",
                "三、已有工作基础",
                "3. Existing work foundation",
                "简要介绍联合体成员在算力、模型、数据和场景应用等方面已开展的工作（800字左右）",
                "Work the members have already done on computing power, models, data and "
                "application scenarios (about 800 characters).",
                800,
            ),
            (
                "plan",
                "四、实施方案",
                "4. Implementation plan",
                "请围绕“数据—模型—场景应用”良性循环，提出高价值应用场景、专用高质量数据集、"
                "行业模型和专用智能体的建设目标，并从实施路径、工作计划、保障措施等方面详细阐述"
                "工作任务安排（2000字左右）",
                "Around the “data–model–application scenario” cycle: the goals for high-value "
                "scenarios, specialised datasets, industry models and specialised agents, then "
                "the implementation path, work plan and safeguards (about 2,000 characters).",
                2000,
            ),
            ("commitment", "五、牵头单位承诺书", "5. Lead unit's commitment", "", "", None),
            ("opinion", "六、推荐单位意见", "6. Recommending unit's opinion", "", "", None),
        ],
    },
}


def _commitments(apps, program, statements) -> None:
    PlanCommitment = apps.get_model("tasks_catalog", "PlanCommitment")
    for order, statement in enumerate(statements or [], 1):
        PlanCommitment.objects.update_or_create(
            program=program,
            key=statement["key"],
            defaults={
                "text_zh": statement.get("text_zh", ""),
                "text_en": statement.get("text_en", ""),
                "sort_order": order,
            },
        )


def seed(apps, schema_editor):
    Program = apps.get_model("tasks_catalog", "Program")
    for program in Program.objects.all():
        _commitments(apps, program, program.plan_commitments)
    _forms(apps)


def reseed(apps, schema_editor) -> None:
    """The seeded programs' commitments (0004's wording) and forms on today's models: for tests
    that flush the database and seed reference data again (conftest.py)."""
    import importlib

    m0004 = importlib.import_module("tasks_catalog.migrations.0004_seed_commitments")
    Program = apps.get_model("tasks_catalog", "Program")
    programs = Program.objects.filter(code__in=["idfa-2026", "mdr-2026"])
    programs.update(plan_commitment_text_zh=m0004.TEXT_ZH)
    Program.objects.filter(code="idfa-2026").update(plan_form_subject_zh=IDFA_SUBJECT)
    Program.objects.filter(code="mdr-2026").update(plan_form_subject_zh="“模数共振”行动")
    for program in programs:
        _commitments(apps, program, m0004.STATEMENTS)
    _forms(apps)


def _forms(apps) -> None:
    Program = apps.get_model("tasks_catalog", "Program")
    PlanFormSection = apps.get_model("tasks_catalog", "PlanFormSection")
    PlanCommitment = apps.get_model("tasks_catalog", "PlanCommitment")
    for program in Program.objects.all():
        form = FORMS.get(program.code)
        if form is None:
            continue
        Program.objects.filter(pk=program.pk).update(**form["program"])
        for key, (text_zh, text_en) in form.get("statements", {}).items():
            PlanCommitment.objects.filter(program=program, key=key).update(
                text_zh=text_zh, text_en=text_en
            )
        for key, heading_zh, heading_en, prompt_zh, prompt_en, chars in form["sections"]:
            PlanFormSection.objects.update_or_create(
                program=program,
                key=key,
                defaults={
                    "heading_zh": heading_zh,
                    "heading_en": heading_en,
                    "prompt_zh": prompt_zh,
                    "prompt_en": prompt_en,
                    "guidance_chars": chars,
                },
            )


def unseed(apps, schema_editor):
    Program = apps.get_model("tasks_catalog", "Program")
    PlanCommitment = apps.get_model("tasks_catalog", "PlanCommitment")
    for program in Program.objects.all():
        program.plan_commitments = [
            {"key": c.key, "text_zh": c.text_zh, "text_en": c.text_en}
            for c in PlanCommitment.objects.filter(program=program).order_by("sort_order", "pk")
        ]
        program.save(update_fields=["plan_commitments"])


class Migration(migrations.Migration):
    dependencies = [("tasks_catalog", "0005_plan_form_as_data")]

    operations = [migrations.RunPython(seed, unseed)]
