"""Reference data: the Ministry and the 37 provincial-level authorities that recommend consortia.

31 provinces, autonomous regions and municipalities, the 5 cities with independent planning
status, and the Xinjiang Production and Construction Corps. Codes are the GB/T 2260 region
codes (660000 for the XPCC). Names are editable by the Ministry administrator in the admin.
"""

from django.db import migrations

# code, region type, region zh, region en, authority zh, authority en
AUTHORITIES = [
    ("110000", "municipality", "北京市", "Beijing", "北京市经济和信息化局", "Beijing Municipal Bureau of Economy and Information Technology"),
    ("120000", "municipality", "天津市", "Tianjin", "天津市工业和信息化局", "Tianjin Municipal Bureau of Industry and Information Technology"),
    ("130000", "province", "河北省", "Hebei", "河北省工业和信息化厅", "Department of Industry and Information Technology of Hebei Province"),
    ("140000", "province", "山西省", "Shanxi", "山西省工业和信息化厅", "Department of Industry and Information Technology of Shanxi Province"),
    ("150000", "autonomous_region", "内蒙古自治区", "Inner Mongolia", "内蒙古自治区工业和信息化厅", "Department of Industry and Information Technology of Inner Mongolia Autonomous Region"),
    ("210000", "province", "辽宁省", "Liaoning", "辽宁省工业和信息化厅", "Department of Industry and Information Technology of Liaoning Province"),
    ("220000", "province", "吉林省", "Jilin", "吉林省工业和信息化厅", "Department of Industry and Information Technology of Jilin Province"),
    ("230000", "province", "黑龙江省", "Heilongjiang", "黑龙江省工业和信息化厅", "Department of Industry and Information Technology of Heilongjiang Province"),
    ("310000", "municipality", "上海市", "Shanghai", "上海市经济和信息化委员会", "Shanghai Municipal Commission of Economy and Informatization"),
    ("320000", "province", "江苏省", "Jiangsu", "江苏省工业和信息化厅", "Department of Industry and Information Technology of Jiangsu Province"),
    ("330000", "province", "浙江省", "Zhejiang", "浙江省经济和信息化厅", "Department of Economy and Information Technology of Zhejiang Province"),
    ("340000", "province", "安徽省", "Anhui", "安徽省经济和信息化厅", "Department of Economy and Information Technology of Anhui Province"),
    ("350000", "province", "福建省", "Fujian", "福建省工业和信息化厅", "Department of Industry and Information Technology of Fujian Province"),
    ("360000", "province", "江西省", "Jiangxi", "江西省工业和信息化厅", "Department of Industry and Information Technology of Jiangxi Province"),
    ("370000", "province", "山东省", "Shandong", "山东省工业和信息化厅", "Department of Industry and Information Technology of Shandong Province"),
    ("410000", "province", "河南省", "Henan", "河南省工业和信息化厅", "Department of Industry and Information Technology of Henan Province"),
    ("420000", "province", "湖北省", "Hubei", "湖北省经济和信息化厅", "Department of Economy and Information Technology of Hubei Province"),
    ("430000", "province", "湖南省", "Hunan", "湖南省工业和信息化厅", "Department of Industry and Information Technology of Hunan Province"),
    ("440000", "province", "广东省", "Guangdong", "广东省工业和信息化厅", "Department of Industry and Information Technology of Guangdong Province"),
    ("450000", "autonomous_region", "广西壮族自治区", "Guangxi", "广西壮族自治区工业和信息化厅", "Department of Industry and Information Technology of Guangxi Zhuang Autonomous Region"),
    ("460000", "province", "海南省", "Hainan", "海南省工业和信息化厅", "Department of Industry and Information Technology of Hainan Province"),
    ("500000", "municipality", "重庆市", "Chongqing", "重庆市经济和信息化委员会", "Chongqing Municipal Commission of Economy and Information Technology"),
    ("510000", "province", "四川省", "Sichuan", "四川省经济和信息化厅", "Department of Economy and Information Technology of Sichuan Province"),
    ("520000", "province", "贵州省", "Guizhou", "贵州省工业和信息化厅", "Department of Industry and Information Technology of Guizhou Province"),
    ("530000", "province", "云南省", "Yunnan", "云南省工业和信息化厅", "Department of Industry and Information Technology of Yunnan Province"),
    ("540000", "autonomous_region", "西藏自治区", "Tibet", "西藏自治区经济和信息化厅", "Department of Economy and Information Technology of Tibet Autonomous Region"),
    ("610000", "province", "陕西省", "Shaanxi", "陕西省工业和信息化厅", "Department of Industry and Information Technology of Shaanxi Province"),
    ("620000", "province", "甘肃省", "Gansu", "甘肃省工业和信息化厅", "Department of Industry and Information Technology of Gansu Province"),
    ("630000", "province", "青海省", "Qinghai", "青海省工业和信息化厅", "Department of Industry and Information Technology of Qinghai Province"),
    ("640000", "autonomous_region", "宁夏回族自治区", "Ningxia", "宁夏回族自治区工业和信息化厅", "Department of Industry and Information Technology of Ningxia Hui Autonomous Region"),
    ("650000", "autonomous_region", "新疆维吾尔自治区", "Xinjiang", "新疆维吾尔自治区工业和信息化厅", "Department of Industry and Information Technology of Xinjiang Uygur Autonomous Region"),
    ("210200", "planning_city", "大连市", "Dalian", "大连市工业和信息化局", "Dalian Municipal Bureau of Industry and Information Technology"),
    ("370200", "planning_city", "青岛市", "Qingdao", "青岛市工业和信息化局", "Qingdao Municipal Bureau of Industry and Information Technology"),
    ("330200", "planning_city", "宁波市", "Ningbo", "宁波市经济和信息化局", "Ningbo Municipal Bureau of Economy and Information Technology"),
    ("350200", "planning_city", "厦门市", "Xiamen", "厦门市工业和信息化局", "Xiamen Municipal Bureau of Industry and Information Technology"),
    ("440300", "planning_city", "深圳市", "Shenzhen", "深圳市工业和信息化局", "Shenzhen Municipal Bureau of Industry and Information Technology"),
    ("660000", "xpcc", "新疆生产建设兵团", "XPCC", "新疆生产建设兵团工业和信息化局", "Bureau of Industry and Information Technology of the Xinjiang Production and Construction Corps"),
]

AUDIT_GUARD_SQL = """
CREATE OR REPLACE FUNCTION portal_auditentry_readonly() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are insert-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditentry_no_update BEFORE UPDATE OR DELETE ON portal_auditentry
    FOR EACH ROW EXECUTE FUNCTION portal_auditentry_readonly();
"""
AUDIT_GUARD_DROP = """
DROP TRIGGER IF EXISTS portal_auditentry_no_update ON portal_auditentry;
DROP FUNCTION IF EXISTS portal_auditentry_readonly();
"""


def seed(apps, schema_editor):
    Organisation = apps.get_model("portal", "Organisation")
    Organisation.objects.update_or_create(
        code="MIIT",
        defaults={
            "kind": "ministry",
            "name_zh": "工业和信息化部",
            "name_en": "Ministry of Industry and Information Technology",
            "sort_order": 0,
        },
    )
    for order, (code, region_type, region_zh, region_en, name_zh, name_en) in enumerate(AUTHORITIES, 1):
        Organisation.objects.update_or_create(
            code=code,
            defaults={
                "kind": "provincial_authority",
                "region_type": region_type,
                "region_name_zh": region_zh,
                "region_name_en": region_en,
                "name_zh": name_zh,
                "name_en": name_en,
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    Organisation = apps.get_model("portal", "Organisation")
    Organisation.objects.filter(code__in=["MIIT"] + [a[0] for a in AUTHORITIES]).delete()


def guard_audit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_SQL)


def unguard_audit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_DROP)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(guard_audit, unguard_audit),
    ]
