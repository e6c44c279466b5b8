"""Demo consortia for the 64号 program: plans in every workflow state, written through the services.

Registered with ``portal.demo`` (see ``ConsortiaConfig.ready``) and run by ``manage.py load_demo``.
Idempotent: a consortium whose name already exists in the program is left as it is.
"""

import datetime as dt
from dataclasses import dataclass
from unittest import mock

from guardian.shortcuts import assign_perm

from portal.demo import register
from tasks_catalog.models import Program

from .models import Consortium, Plan
from .pdf import plan_pdf_page_count
from .permissions import VIEW_PERMISSION
from .samples import MEMBERS, fill_plan, scan_upload
from .selectors import plan_deadline_for
from .services import (
    amendment_approve,
    amendment_member_save,
    amendment_propose,
    amendment_set_tasks,
    amendment_submit,
    amendment_update,
    consortium_create,
    deadline_extension_grant,
    plan_approve,
    plan_reject,
    plan_return,
    plan_submit,
    plan_update,
    plan_upload_scan,
    plan_withdraw,
)
from .validators import uscc_check_character
from .workflows import PlanState

PROGRAM_CODE = "idfa-2026"
# Today is after the plan deadline (2026-03-08): the demo replays submissions as they happened
# before it, so they are made on this date.
SUBMITTED_ON = dt.date(2026, 3, 5)
# The Ministry approved the pilots before the first quarter's report was due (2026-04-15)…
APPROVED_ON = dt.date(2026, 3, 25)
# … except one, approved after the third quarter's due date (2026-10-15): it is not expected to
# report for Q1–Q3 (reporting.periods.expectations), only from Q4 on.
LATE_APPROVED_ON = dt.date(2026, 11, 16)
BEIJING_EXTENSION = dt.date(2026, 12, 31)
# The sample texts describe a steel consortium; each industry swaps in its own words.
STEEL = ("钢铁", "炼铁、炼钢、轧钢", "高炉炉况诊断、带钢表面缺陷识别")
TEXT_FIELDS = ("work_foundation", "implementation_plan")


@dataclass(frozen=True)
class DemoConsortium:
    province: str  # key of the authority's demo user
    name: str
    lead_unit: str
    kind: str
    entity_type: str
    uscc17: str  # the code without its check character
    contact: tuple[str, str, str, str]  # name, job title, phone, e-mail
    outcome: str
    industry: tuple[str, str, str] = STEEL  # industry, production steps, models (as in STEEL)
    members: tuple = tuple(MEMBERS)
    all_tasks: bool = True  # False: only the mandatory tasks
    approved_on: dt.date = APPROVED_ON  # when an approved plan was approved


DEMO = [
    DemoConsortium(
        "beijing",
        "钢铁行业数据合作联合体（示例）",
        "华北钢铁集团有限公司（示例）",
        "enterprise",
        "key_industry_enterprise",
        "91110106MA01C7K3R",
        ("孙卫东", "信息化管理部部长", "010-63921188", "sunweidong@hbsteel.example.cn"),
        PlanState.APPROVED,
    ),
    DemoConsortium(
        "beijing",
        "高端装备工业数据联合体（示例）",
        "京北装备制造研究院（示例）",
        "research_institute",
        "platform_institution",
        "12110108400012345",
        ("马骏", "数据中心主任", "010-82716630", "majun@jbzb.example.cn"),
        PlanState.DRAFT,  # left incomplete: the authority still has work to do
    ),
    DemoConsortium(
        "shanghai",
        "集成电路产业数据联合体（示例）",
        "浦江集成电路产业集群促进中心（示例）",
        "cluster",
        "advanced_manufacturing_cluster",
        "52310115MJ5061284",
        ("顾晓燕", "副主任", "021-50801234", "guxiaoyan@pjic.example.cn"),
        PlanState.SUBMITTED,
        ("集成电路", "晶圆制造、封装、测试", "晶圆缺陷识别、良率分析"),
        (
            ("浦江晶圆制造有限公司（示例）", "十二英寸晶圆代工企业。", "负责制造环节数据汇聚。"),
            ("申芯检测技术有限公司（示例）", "芯片测试服务企业。", "负责测试数据治理与标注。"),
        ),
    ),
    DemoConsortium(
        "guangdong",
        "汽车产业数据合作联合体（示例）",
        "珠江汽车集团股份有限公司（示例）",
        "enterprise",
        "key_industry_enterprise",
        "91440101MA5CK2W8N",
        ("黄志明", "数字化转型办公室主任", "020-87654321", "huangzhiming@zjauto.example.cn"),
        PlanState.RETURNED,
        ("汽车", "冲压、焊装、涂装、总装", "焊点质量检测、涂装缺陷识别"),
        (
            ("南粤汽车零部件有限公司（示例）", "一级零部件供应商。", "负责供应链数据共享。"),
            ("羊城智能网联研究院（示例）", "智能网联汽车研究机构。", "负责行业大模型训练。"),
        ),
    ),
    DemoConsortium(
        "jiangsu",
        "石化行业数据联合体（示例）",
        "江淮石油化工行业协会（示例）",
        "association",
        "platform_institution",
        "51320100MJ0213576",
        ("钱国平", "秘书长", "025-84561230", "qianguoping@jhpc.example.cn"),
        PlanState.REJECTED,
        ("石化", "炼油、乙烯、芳烃", "装置运行优化、管线泄漏预警"),
        (("金陵炼化有限公司（示例）", "千万吨级炼化一体化企业。", "负责生产装置数据汇聚。"),),
    ),
    DemoConsortium(
        "jiangsu",
        "纺织服装数据联合体（示例）",
        "苏南中小企业数字化服务中心（示例）",
        "institution",
        "sme_city_pilot",
        "12320500466001928",
        ("陆静", "主任", "0512-65201234", "lujing@snsme.example.cn"),
        PlanState.WITHDRAWN,
        ("纺织", "纺纱、织造、印染", "布面瑕疵识别、染色配方优化"),
        (("吴江丝绸织造有限公司（示例）", "丝绸织造企业。", "负责织造环节数据采集。"),),
    ),
    DemoConsortium(
        "shanghai",
        "新型显示产业数据联合体（示例）",
        "东海显示科技集团有限公司（示例）",
        "enterprise",
        "key_industry_enterprise",
        "91310115MA1K4B7X2",
        ("周海涛", "首席信息官", "021-58881234", "zhouhaitao@dhdisplay.example.cn"),
        PlanState.APPROVED,
        ("新型显示", "阵列、成盒、模组", "面板缺陷检测、工艺参数优化"),
        (
            ("浦东面板研究院（示例）", "显示技术研究机构。", "负责关键数据技术攻关。"),
            ("沪显数据服务有限公司（示例）", "工业数据服务商。", "负责数据标注与数据集加工。"),
        ),
    ),
    DemoConsortium(
        "guangdong",
        "电子元器件数据合作联合体（示例）",
        "岭南电子元器件产业联盟（示例）",
        "association",
        "advanced_manufacturing_cluster",
        "51440300MJL2036X5",
        ("林晓峰", "秘书长", "0755-26881234", "linxiaofeng@lnec.example.cn"),
        PlanState.APPROVED,
        ("电子元器件", "配料、成型、烧结、测试", "元件外观检测、烧结曲线优化"),
        (
            ("深南电容器有限公司（示例）", "片式电容器制造企业。", "负责生产环节数据汇聚。"),
            ("鹏城工业智能研究院（示例）", "工业智能研究机构。", "负责工业智能体研发。"),
        ),
    ),
    DemoConsortium(
        "jiangsu",
        "工程机械数据合作联合体（示例）",
        "徐淮工程机械集团有限公司（示例）",
        "enterprise",
        "key_industry_enterprise",
        "91320300MA1MGH6Q4",
        ("韩冬", "智能制造部部长", "0516-87731234", "handong@xhcm.example.cn"),
        PlanState.APPROVED,
        ("工程机械", "下料、焊接、涂装、装配", "焊缝缺陷识别、整机故障预测"),
        (
            ("彭城液压件有限公司（示例）", "液压件制造企业。", "负责供应链数据协同。"),
            (
                "淮海工业互联网平台有限公司（示例）",
                "工业互联网平台企业。",
                "负责可信互联平台建设。",
            ),
        ),
    ),
    # The pilots of six more provinces (one each): the dashboards compare provinces.
    DemoConsortium(
        "zhejiang",
        "纺织印染数据合作联合体（示例）",
        "越州中小企业数字化服务中心（示例）",
        "institution",
        "sme_city_pilot",
        "12330602470038516",
        ("沈佳丽", "副主任", "0575-85201234", "shenjiali@yzsme.example.cn"),
        PlanState.APPROVED,
        ("纺织", "纺纱、织造、印染", "布面瑕疵识别、印染配方优化"),
        (
            (
                "越州印染股份有限公司（示例）",
                "数码印花与绿色印染企业。",
                "负责印染环节数据采集与治理。",
            ),
            (
                "轻纺城数据科技有限公司（示例）",
                "纺织产业互联网平台企业。",
                "负责行业数据资源库建设。",
            ),
        ),
        all_tasks=False,  # a city pilot of small firms takes on the mandatory tasks only
    ),
    DemoConsortium(
        "zhejiang",
        "工业软件数据合作联合体（示例）",
        "钱塘工业软件股份有限公司（示例）",
        "enterprise",
        "key_industry_enterprise",
        "91330106MA2H7K5Q3",
        ("陆建华", "首席数据官", "0571-86901234", "lujianhua@qtsoft.example.cn"),
        PlanState.APPROVED,
        ("工业软件", "研发设计、仿真验证、生产管控", "仿真模型参数辨识、工艺知识图谱构建"),
        (
            ("之江仿真技术有限公司（示例）", "工业仿真软件企业。", "负责仿真数据合成与治理。"),
            (
                "西溪数据服务有限公司（示例）",
                "工业数据标注服务企业。",
                "负责数据标注与数据集加工。",
            ),
        ),
        # Reviewed late: a pilot from Q4 on, "not required" for the quarters already due.
        approved_on=LATE_APPROVED_ON,
    ),
    DemoConsortium(
        "shandong",
        "智能家电产业数据联合体（示例）",
        "齐鲁智能家电集团股份有限公司（示例）",
        "enterprise",
        "key_industry_enterprise",
        "91370212MA3C8F2L7",
        ("高建国", "数字化转型总监", "0532-88931234", "gaojianguo@qlha.example.cn"),
        PlanState.APPROVED,
        ("家电", "钣金、注塑、总装、检测", "整机噪声检测、压缩机能效优化"),
        (
            ("琴岛家电模具有限公司（示例）", "家电模具与注塑件企业。", "负责供应链数据协同。"),
            (
                "海岱工业数据标注有限公司（示例）",
                "工业数据标注服务企业。",
                "负责数据标注与数据集加工。",
            ),
        ),
    ),
    DemoConsortium(
        "hubei",
        "生物医药产业数据联合体（示例）",
        "光谷生物医药创新研究院（示例）",
        "research_institute",
        "platform_institution",
        "12420100MB0F52381",
        ("熊志刚", "副院长", "027-87651234", "xiongzhigang@ggbio.example.cn"),
        PlanState.APPROVED,
        ("生物医药", "发酵、合成、制剂、质检", "药物晶型预测、制剂工艺优化"),
        (
            ("江城制药股份有限公司（示例）", "化学药与生物药生产企业。", "负责生产质量数据汇聚。"),
            ("楚天医药数据科技有限公司（示例）", "医药数据服务企业。", "负责数据治理与合规流通。"),
        ),
    ),
    DemoConsortium(
        "sichuan",
        "航空装备数据合作联合体（示例）",
        "蜀都航空工业集团有限公司（示例）",
        "enterprise",
        "key_industry_enterprise",
        "91510100MA6C4KX3H",
        ("杨帆", "信息化部部长", "028-84561234", "yangfan@sdaero.example.cn"),
        PlanState.APPROVED,
        ("航空", "钣金、机加、复材成型、总装", "复材构件缺陷检测、装配质量预测"),
        (
            ("锦城航空零部件有限公司（示例）", "航空结构件制造企业。", "负责零部件制造数据汇聚。"),
            ("天府工业软件研究院（示例）", "工业软件研究机构。", "负责仿真数据合成与模型研发。"),
        ),
    ),
    DemoConsortium(
        "chongqing",
        "汽车零部件产业数据联合体（示例）",
        "渝西汽车零部件产业集群促进中心（示例）",
        "cluster",
        "advanced_manufacturing_cluster",
        "52500106MJP1C8475",
        ("谭永", "主任", "023-68051234", "tanyong@yxap.example.cn"),
        PlanState.APPROVED,
        ("汽车零部件", "铸造、机加、热处理、装配", "铸件缺陷识别、刀具寿命预测"),
        (
            ("巴渝齿轮有限公司（示例）", "变速器齿轮制造企业。", "负责加工环节数据采集。"),
            ("两江工业互联网有限公司（示例）", "工业互联网平台企业。", "负责可信互联平台建设。"),
        ),
    ),
    DemoConsortium(
        "anhui",
        "铜基新材料数据联合体（示例）",
        "皖江新材料产业技术研究院（示例）",
        "research_institute",
        "platform_institution",
        "12340700MB1D63920",
        ("方晓东", "副院长", "0562-28851234", "fangxiaodong@wjnm.example.cn"),
        PlanState.APPROVED,
        ("铜基新材料", "熔铸、轧制、拉伸、表面处理", "铜带表面缺陷识别、合金成分优化"),
        (
            ("皖铜精密带材有限公司（示例）", "高精度铜合金带材企业。", "负责轧制环节数据汇聚。"),
            (
                "江淮材料计算科技有限公司（示例）",
                "材料计算与数据服务企业。",
                "负责材料数据库与模型研发。",
            ),
        ),
    ),
]

RETURN_COMMENTS = {
    "foundation": "请补充已汇聚数据资源的规模、来源和权属情况，并说明数据质量现状。",
    "plan": "年度目标需量化到季度，请明确各成员单位的投入和阶段性交付成果。",
}
REJECT_REASON = "联合体成员构成单一，尚不具备跨企业数据流通的条件，建议完善后参加下一批申报。"
WITHDRAW_COMMENT = "成员单位调整，撤回后重新组织申报材料。"


@register
def load_consortia_demo(*, users, stdout) -> None:
    program = Program.objects.get(code=PROGRAM_CODE)
    for spec in DEMO:
        plan = _create(spec, program, users)
        if plan is None:
            stdout.write(f"  consortium exists, left as it is: {spec.name}")
            continue
        authority = plan.consortium.authority.name_zh
        stdout.write(f"  {authority} · {spec.name} · {plan.state}")
    _extend_beijing(program, users, stdout)


def _create(spec: DemoConsortium, program: Program, users) -> Plan | None:
    if Consortium.objects.filter(program=program, name=spec.name).exists():
        return None
    actor = users[spec.province]
    contact_name, contact_title, contact_phone, contact_email = spec.contact
    data = {
        "name": spec.name,
        "entity_type": program.entity_types.get(code=spec.entity_type),
        "lead_unit_name": spec.lead_unit,
        "lead_unit_kind": spec.kind,
        "lead_unit_credit_code": spec.uscc17 + uscc_check_character(spec.uscc17),
        "contact_name": contact_name,
        "contact_title": contact_title,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
    }
    if spec.outcome == PlanState.DRAFT:  # no signing date, no members, no text yet
        return consortium_create(actor=actor, program=program, data=data).plan
    data["signing_date"] = dt.date(2026, 3, 2)
    consortium = consortium_create(actor=actor, program=program, data=data)
    plan = fill_plan(
        actor=actor, consortium=consortium, all_tasks=spec.all_tasks, members=spec.members
    )
    if spec.industry != STEEL:
        plan = plan_update(
            actor=actor,
            plan=plan,
            revision=plan.revision,
            data={f: _in_industry(getattr(plan, f), spec.industry) for f in TEXT_FIELDS},
        )
    plan_upload_scan(actor=actor, plan=plan, upload=scan_upload(plan_pdf_page_count(plan)))
    with mock.patch("django.utils.timezone.localdate", return_value=SUBMITTED_ON):
        plan_submit(actor=actor, plan=plan)
    plan.refresh_from_db()
    with mock.patch("django.utils.timezone.localdate", return_value=spec.approved_on):
        _review(spec.outcome, plan, actor, users)
    plan.refresh_from_db()
    if spec.name == DEMO[0].name and spec.outcome == PlanState.APPROVED:
        _amend(plan, actor, users)
        plan.refresh_from_db()
    return plan


AMENDMENT_MEMBER = {
    "name": "冀中钢铁数据标注有限公司（示例）",
    "profile": "钢铁行业工业数据标注与数据集加工服务企业。",
    "role": "参与高质量行业数据集建设，负责数据标注与质量核验。",
}
AMENDMENT_REASON = (
    "正式组建联合体后新增一家数据标注成员单位，参与数据集建设；细化2026年数据集建设目标。"
)


# The dataset task's target as the amendment sharpens it (the final summary shows this one).
AMENDED_TARGET_12 = "建成高质量行业数据集不少于8个（新增3个钢铁行业数据集完成标注与质量核验）。"


def _amend(plan: Plan, actor, users) -> None:
    """完善实施方案: an approved amendment (a member unit added to the dataset task, whose target
    is raised, and a target added to section 4), so the plan has two approved versions and the second is the baseline."""
    amendment = amendment_propose(actor=actor, plan=plan, reason=AMENDMENT_REASON)
    amendment_member_save(
        actor=actor, amendment=amendment, data=AMENDMENT_MEMBER, revision=amendment.revision
    )
    amendment.refresh_from_db()
    selections = {
        t["number"]: t["responsible"] for t in amendment.content["tasks"] if t["selected"]
    }
    selections[12] = sorted({*selections[12], AMENDMENT_MEMBER["name"]})
    amendment = amendment_set_tasks(
        actor=actor,
        amendment=amendment,
        selections=selections,
        targets={12: AMENDED_TARGET_12},
        revision=amendment.revision,
    )
    amendment = amendment_update(
        actor=actor,
        amendment=amendment,
        revision=amendment.revision,
        data={
            "implementation_plan": amendment.content["implementation_plan"]
            + "\n2026年底前新增完成3个钢铁行业高质量数据集的标注与质量核验。"
        },
    )
    amendment_submit(actor=actor, amendment=amendment)
    amendment.refresh_from_db()
    amendment_approve(actor=users["ministry"], amendment=amendment, comment="同意修订。")


def _in_industry(text: str, industry: tuple[str, str, str]) -> str:
    for steel_words, own_words in zip(STEEL, industry, strict=True):
        text = text.replace(steel_words, own_words)
    return text


def _review(outcome: str, plan: Plan, authority_user, users) -> None:
    """Take the submitted plan to its demo state: the Ministry decides, or the authority withdraws."""
    if outcome == PlanState.APPROVED:
        plan_approve(actor=users["ministry"], plan=plan, comment="同意纳入先行先试工作。")
        # The demo logins "lead" and "member" see the first approved consortium too.
        if plan.consortium.name == DEMO[0].name:
            for user in (users["lead"], users["member"]):
                assign_perm(VIEW_PERMISSION, user, plan.consortium)
    elif outcome == PlanState.RETURNED:
        plan_return(
            actor=users["ministry"],
            plan=plan,
            section_comments=RETURN_COMMENTS,
            comment="请按各部分意见修改后重新提交。",
        )
    elif outcome == PlanState.REJECTED:
        plan_reject(actor=users["admin"], plan=plan, reason=REJECT_REASON)
    elif outcome == PlanState.WITHDRAWN:
        plan_withdraw(actor=authority_user, plan=plan, comment=WITHDRAW_COMMENT)


def _extend_beijing(program: Program, users, stdout) -> None:
    """Beijing may still submit after the deadline, so its draft can be submitted live in the demo."""
    beijing = users["beijing"].organisation
    deadline, _extension = plan_deadline_for(program=program, authority_id=beijing.pk)
    if deadline >= BEIJING_EXTENSION:
        return
    deadline_extension_grant(
        actor=users["admin"],
        program=program,
        authority=beijing,
        new_deadline=BEIJING_EXTENSION,
        reason="北京市推荐的联合体成员调整，经部领导同意延长实施方案报送期限。",
    )
    stdout.write(f"  {beijing.name_zh}: plan deadline extended to {BEIJING_EXTENSION.isoformat()}")
