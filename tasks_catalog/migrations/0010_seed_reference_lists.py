"""Seed the reference lists that were code until now, with the same codes, and the Model-Data
Resonance action's key industries (seed 003's twenty).

Industries: the twenty key industries of the Model-Data Resonance notice, the sectors the
Industrial Internet + AI action (seed 004) names besides them (工程机械、农机装备、轻工、电力、
纺织), and 其他. Stages: the five key stages (关键环节) of 64号 section (六). Lead-unit kinds:
as the form had them. Idempotent: ``update_or_create`` on (list, code).
"""

from django.db import migrations

INDUSTRIES = [
    # code, Chinese, English; the first twenty in the order the MDR notice names them.
    ("steel", "钢铁", "Steel"),
    ("petrochemicals", "石化", "Petrochemicals"),
    ("nonferrous", "有色金属", "Non-ferrous metals"),
    ("building_materials", "建材", "Building materials"),
    ("machinery", "工业母机", "Industrial machinery"),
    ("automobiles", "汽车", "Automobiles"),
    ("medical_equipment", "医疗装备", "Medical equipment"),
    ("power_equipment", "电力装备", "Power equipment"),
    ("ships", "船舶", "Ships"),
    ("aerospace", "航空航天", "Aerospace"),
    ("home_furnishings", "家居", "Home furnishings"),
    ("pharmaceuticals", "医药", "Pharmaceuticals"),
    ("biomanufacturing", "生物制造", "Biomanufacturing"),
    ("classics", "典籍", "Historical classics"),
    ("electronic_components", "电子元器件", "Electronic components"),
    ("consumer_electronics", "消费电子", "Consumer electronics"),
    ("displays", "新型显示", "New displays"),
    ("software", "软件", "Software"),
    ("ict", "信息通信", "Information and communication technology"),
    ("cybersecurity", "网络安全", "Cybersecurity"),
    # Named by the Industrial Internet + AI action (seed 004) and used by 64号's consortia.
    ("construction_machinery", "工程机械", "Construction machinery"),
    ("agricultural_machinery", "农机装备", "Agricultural machinery"),
    ("light_industry", "轻工", "Light industry"),
    ("textiles", "纺织服装", "Textiles and apparel"),
    ("electric_power", "电力", "Electric power"),
    ("other", "其他", "Other"),
]
MDR_KEY_INDUSTRIES = 20  # the first twenty above

STAGES = [
    ("design", "研发设计", "Research and design"),
    ("pilot", "中试验证", "Pilot verification"),
    ("production", "生产制造", "Production and manufacturing"),
    ("operations", "经营管理", "Operations management"),
    ("coordination", "产业协同", "Industrial coordination"),
]

LEAD_UNIT_KINDS = [
    ("enterprise", "企业", "Enterprise"),
    ("institution", "事业单位", "Public institution"),
    ("association", "行业协会", "Industry association"),
    ("research_institute", "研究机构", "Research institute"),
    ("cluster", "集群组织", "Cluster organisation"),
]


def seed(apps, schema_editor):
    ReferenceTerm = apps.get_model("tasks_catalog", "ReferenceTerm")
    Program = apps.get_model("tasks_catalog", "Program")
    terms = {}
    for list_name, rows in (
        ("industry", INDUSTRIES),
        ("stage", STAGES),
        ("lead_unit_kind", LEAD_UNIT_KINDS),
    ):
        for order, (code, zh, en) in enumerate(rows, 1):
            terms[list_name, code], _ = ReferenceTerm.objects.update_or_create(
                list=list_name,
                code=code,
                defaults={"name_zh": zh, "name_en": en, "sort_order": order * 10},
            )
    mdr = Program.objects.filter(code="mdr-2026").first()
    if mdr is not None and not mdr.key_industries.exists():
        mdr.key_industries.set(
            [terms["industry", code] for code, _zh, _en in INDUSTRIES[:MDR_KEY_INDUSTRIES]]
        )


class Migration(migrations.Migration):
    dependencies = [("tasks_catalog", "0009_reference_lists")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
