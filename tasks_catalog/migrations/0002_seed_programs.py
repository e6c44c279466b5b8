"""Reference data: the 64号 program with its 23-task table (附件2), and the Model-Data Resonance action.

Chinese wording is the notice's (工信厅信发函〔2026〕64号, 附件2), with the PDF extraction's
half-width commas and parentheses restored to full-width; English is from domain.md.
The Model-Data Resonance task table is left empty for the Ministry administrator to fill in.
"""

import datetime as dt

from django.db import migrations

D = dt.date

IDFA = {
    "code": "idfa-2026",
    "name_zh": "工业数据筑基行动——面向人工智能赋能的高质量行业数据集建设先行先试",
    "name_en": "Industrial Data Foundation Action — pilot of high-quality industry datasets for AI empowerment",
    "short_name_zh": "工业数据筑基行动",
    "short_name_en": "Industrial Data Foundation Action",
    "document_number": "工信厅信发函〔2026〕64号",
    "issuer_zh": "工业和信息化部办公厅",
    "issuer_en": "General Office of the Ministry of Industry and Information Technology",
    "start_date": D(2026, 1, 1),
    "end_date": D(2026, 12, 31),
    "plan_deadline": D(2026, 3, 8),
    "cadence": "quarterly",
    "recommendation_quota": 2,
}

IDFA_ENTITY_TYPES = [
    ("key_industry_enterprise", "重点行业企业", "Key industry enterprise"),
    ("platform_institution", "平台机构", "Platform institution"),
    ("advanced_manufacturing_cluster", "先进制造业集群", "Advanced manufacturing cluster"),
    ("sme_city_pilot", "中小企业数字化转型城市试点", "SME digital-transformation city pilot"),
]

# Quarterly tracking (按季度跟踪推进): each quarter is reported on by the 15th of the following month.
IDFA_CALENDAR = [
    ("2026-q1", "report", "2026年第一季度进展报告", "2026 Q1 progress report", D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15)),
    ("2026-q2", "report", "2026年第二季度进展报告", "2026 Q2 progress report", D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15)),
    ("2026-q3", "report", "2026年第三季度进展报告", "2026 Q3 progress report", D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 15)),
    ("2026-q4", "report", "2026年第四季度进展报告", "2026 Q4 progress report", D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 15)),
]

IDFA_CATEGORIES = [
    (1, "行业数据可信互联平台", "Trusted industry-data interconnection platform"),
    (2, "行业数据资源库", "Industry data resource library"),
    (3, "数据技术攻关库", "Data technology research library"),
    (4, "工业数据标准库", "Industrial data standards library"),
    (5, "高质量数据集库", "High-quality industry dataset library"),
    (6, "应用场景", "Application scenarios"),
    (7, "其他", "Other"),
]

# number, category, mandatory, Chinese (附件2), English
IDFA_TASKS = [
    (1, 1, True,
     "整合工业互联网、大数据中心、算力中心、数据治理平台、数据工程能力平台、行业可信数据空间、数据公共服务平台等数据基础设施能力，充分利用已有能力，构建重点行业数据可信互联平台",
     "Integrate industrial internet, big-data centres, computing centres, data-governance platforms, data-engineering platforms, industry trusted data spaces and public data-service platforms, making full use of existing capabilities, into a trusted industry-data interconnection platform for key industries"),
    (2, 1, False,
     "布局建设工业数据生产训练基地，提供仿真环境数据采集、专业化数据标注、极端场景数据合成等能力",
     "Build an industrial data production and training base providing simulation-environment data collection, professional data annotation and synthesis of extreme-scenario data"),
    (3, 2, True, "梳理并发布行业场景数据需求清单",
     "Compile and publish the list of industry scenario data requirements"),
    (4, 2, True, "建设行业数据资源库", "Build the industry data resource library"),
    (5, 3, True, "编制行业数据关键技术图谱，形成关键数据技术目录",
     "Compile the industry key data-technology map and the catalogue of key data technologies"),
    (6, 3, False, "推动多源异构数据加工、智能标注、数据合成等技术攻关",
     "Advance research on multi-source heterogeneous data processing, intelligent annotation and data synthesis"),
    (7, 4, True, "系统梳理行业数据领域现行标准",
     "Survey the current standards in the industry's data field"),
    (8, 4, True, "加快工业数据采集、高质量数据集等关键急需数据标准研制",
     "Draft urgently needed data standards such as industrial data collection and high-quality datasets"),
    (9, 4, True, "形成高质量数据集质量评估体系",
     "Set up a quality-evaluation system for high-quality datasets"),
    (10, 4, False, "推动产品主数据等基础通用标准建设及应用，共同研制行业主数据标准",
     "Build and apply basic common standards such as product master data; jointly draft industry master-data standards"),
    (11, 4, False, "深化数据治理，开展数据管理国家标准贯标，推广企业首席数据官制度",
     "Deepen data governance: implement the national data-management standards and promote the enterprise chief data officer system"),
    (12, 5, True, "建设高质量、标准化、可流通行业数据集（以制造环节为主）",
     "Build high-quality, standardised, circulable industry datasets (mainly manufacturing stages)"),
    (13, 5, True, "总结高质量数据集典型案例，制定行业高质量数据集建设指引",
     "Collect typical cases of high-quality datasets and write the industry guide for building them"),
    (14, 5, False, "开展高质量数据集测评", "Evaluate and test high-quality datasets"),
    (15, 5, False, "贡献开源数据集", "Contribute open-source datasets"),
    (16, 6, True, "编制数据产品目录", "Compile the data product catalogue"),
    (17, 6, True, "数据赋能行业大模型、工业智能体等应用场景落地（必须包含制造环节）",
     "Deploy data-empowered industry large models, industrial agents and other application scenarios (must include manufacturing)"),
    (18, 6, False, "探索工业数据产权、价值评估、收益分配等制度",
     "Explore rules for industrial data property rights, value assessment and revenue distribution"),
    (19, 6, False, "探索内部数据进行产品化，实现高质量数据集等数据产品流通交易",
     "Productise internal data and circulate and trade data products such as high-quality datasets"),
    (20, 7, False, "数据资产入表", "Record data assets on the balance sheet"),
    (21, 7, False, "试点开展公共数据授权运营", "Pilot authorised operation of public data"),
    (22, 7, False, "构建数据人才能力图谱，培育既了解数据技术又熟悉行业需求的复合型人才",
     "Build a data-talent competency map and train people who know both data technology and industry needs"),
    (23, 7, False,
     "壮大数据咨询、数据治理、数据标注等市场经营主体，支持大型制造企业剥离数据服务板块，培育面向行业的数据服务企业",
     "Grow data consulting, governance and annotation firms; support large manufacturers spinning off data-service units to serve their industry"),
]

MDR = {
    "code": "mdr-2026",
    "name_zh": "2026年“模数共振”行动",
    "name_en": "2026 Model-Data Resonance Action",
    "short_name_zh": "模数共振行动",
    "short_name_en": "Model-Data Resonance",
    "document_number": "",
    "issuer_zh": "工业和信息化部办公厅、国家数据局综合司",
    "issuer_en": "General Office of MIIT and Comprehensive Department of the National Data Bureau",
    "start_date": D(2026, 4, 28),
    "end_date": D(2026, 12, 31),
    "plan_deadline": D(2026, 5, 30),
    "cadence": "milestones",
    "recommendation_quota": 2,
}

MDR_ENTITY_TYPES = [
    ("innovation_consortium", "“模数共振”创新联合体", "Model-Data Resonance innovation consortium"),
    ("key_city", "重点城市", "Key city"),
]

MDR_CALENDAR = [
    ("progress", "report", "进展报告", "Progress report", D(2026, 4, 28), D(2026, 8, 30), D(2026, 8, 30)),
    ("final", "final", "总结报告", "Final summary report", D(2026, 8, 31), D(2026, 11, 30), D(2026, 11, 30)),
]


def _seed_program(apps, data, entity_types, calendar, categories=(), tasks=()):
    Program = apps.get_model("tasks_catalog", "Program")
    EntityType = apps.get_model("tasks_catalog", "EntityType")
    CalendarEntry = apps.get_model("tasks_catalog", "CalendarEntry")
    TaskCategory = apps.get_model("tasks_catalog", "TaskCategory")
    ReferenceTask = apps.get_model("tasks_catalog", "ReferenceTask")

    program, _ = Program.objects.update_or_create(code=data["code"], defaults=data)
    for order, (code, zh, en) in enumerate(entity_types, 1):
        EntityType.objects.update_or_create(
            program=program, code=code, defaults={"name_zh": zh, "name_en": en, "sort_order": order}
        )
    for order, (code, kind, zh, en, start, end, due) in enumerate(calendar, 1):
        CalendarEntry.objects.update_or_create(
            program=program,
            code=code,
            defaults={
                "kind": kind, "name_zh": zh, "name_en": en, "period_start": start,
                "period_end": end, "due_date": due, "sort_order": order,
            },
        )
    by_number = {}
    for number, zh, en in categories:
        by_number[number], _ = TaskCategory.objects.update_or_create(
            program=program, number=number, defaults={"name_zh": zh, "name_en": en}
        )
    for number, category, mandatory, zh, en in tasks:
        ReferenceTask.objects.update_or_create(
            program=program,
            number=number,
            defaults={
                "category": by_number[category], "mandatory": mandatory,
                "title_zh": zh, "title_en": en,
            },
        )


def seed(apps, schema_editor):
    _seed_program(apps, IDFA, IDFA_ENTITY_TYPES, IDFA_CALENDAR, IDFA_CATEGORIES, IDFA_TASKS)
    _seed_program(apps, MDR, MDR_ENTITY_TYPES, MDR_CALENDAR)


def unseed(apps, schema_editor):
    Program = apps.get_model("tasks_catalog", "Program")
    ReferenceTask = apps.get_model("tasks_catalog", "ReferenceTask")
    ReferenceTask.objects.filter(program__code__in=[IDFA["code"], MDR["code"]]).delete()
    Program.objects.filter(code__in=[IDFA["code"], MDR["code"]]).delete()


class Migration(migrations.Migration):
    dependencies = [("tasks_catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
