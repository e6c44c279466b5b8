"""The lead unit's commitment of 附件1 (section 5), as the notice words it."""

from django.db import migrations

TEXT_ZH = (
    "本单位近3年内（2023年以来）未出现违规、违法行为，未发生重大信息、网络安全事件，"
    "重大、特大生产和环境安全事故，本单位不属于失信被执行人。\n"
    "所开展的工业数据相关研发及运营行为合法合规，申报材料内容真实有效。"
)

STATEMENTS = [
    {"key": "no_violation",
     "text_zh": "本单位近3年内（2023年以来）未出现违规、违法行为。",
     "text_en": "Since 2023 (the last three years) our unit has committed no violation of laws or regulations."},
    {"key": "no_security_incident",
     "text_zh": "本单位未发生重大信息、网络安全事件。",
     "text_en": "Our unit has had no major information or network security incident."},
    {"key": "no_accident",
     "text_zh": "本单位未发生重大、特大生产和环境安全事故。",
     "text_en": "Our unit has had no major or especially serious production or environmental safety accident."},
    {"key": "not_dishonest",
     "text_zh": "本单位不属于失信被执行人。",
     "text_en": "Our unit is not a dishonest person subject to enforcement."},
    {"key": "lawful_data_work",
     "text_zh": "所开展的工业数据相关研发及运营行为合法合规。",
     "text_en": "Our industrial-data research, development and operations are lawful and compliant."},
    {"key": "true_material",
     "text_zh": "申报材料内容真实有效。",
     "text_en": "The material we submit is true and valid."},
]


def seed(apps, schema_editor):
    Program = apps.get_model("tasks_catalog", "Program")
    Program.objects.filter(code__in=["idfa-2026", "mdr-2026"]).update(
        plan_commitment_text_zh=TEXT_ZH, plan_commitments=STATEMENTS
    )
    Program.objects.filter(code="idfa-2026").update(
        plan_form_subject_zh="面向人工智能赋能的高质量行业数据集建设先行先试"
    )
    Program.objects.filter(code="mdr-2026").update(plan_form_subject_zh="“模数共振”行动")


class Migration(migrations.Migration):
    dependencies = [("tasks_catalog", "0003_plan_form")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
