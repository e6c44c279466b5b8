"""Realistic plan content for the demo data, the tests and the PDF benchmark (fictional units)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

FOUNDATION_PARAGRAPHS = [
    "联合体牵头单位深耕钢铁行业数字化转型十余年，已建成覆盖炼铁、炼钢、轧钢全流程的工业互联网平台，接入设备逾两万台套，"
    "日均采集生产过程数据超过十亿条，形成了设备运行、工艺参数、质量检测、能源消耗等多类数据资源。",
    "在数据基础设施方面，联合体已部署企业级数据湖和边缘计算节点，建立统一的数据标准与主数据管理体系，完成主要产线数据治理，"
    "数据完整率达到百分之九十五以上。依托行业可信数据空间试点，探索了上下游企业间的数据安全共享机制。",
    "在技术攻关方面，成员单位联合高校开展多源异构数据融合、缺陷图像智能标注、工艺数据合成等关键技术研究，"
    "取得发明专利二十余项，形成高炉炉况诊断、带钢表面缺陷识别等多个行业模型。",
    "在标准研制方面，牵头或参与制定国家标准三项、行业标准五项、团体标准八项，涵盖工业数据采集、数据质量评价和数据资产管理等领域。",
    "在场景应用方面，已在智能排产、质量追溯、设备预测性维护等场景落地应用，带动产线综合效率提升百分之八，质量损失降低百分之十二，"
    "为开展高质量行业数据集建设先行先试奠定了坚实基础。",
]

PLAN_PARAGRAPHS = [
    "一、2026年任务目标。围绕“1+4+N”体系建设，到2026年底，建成钢铁行业数据可信互联平台，汇聚行业数据资源不少于五百太字节，"
    "形成关键数据技术目录一份，研制工业数据标准不少于五项，打造高质量、标准化、可流通的行业数据集不少于十个，"
    "实现数据赋能行业大模型、工业智能体等应用场景落地不少于六个，其中制造环节场景不少于四个。",
    "二、实施路径。以典型场景需求为牵引，聚焦炼铁、炼钢、轧钢等关键环节，按照“需求梳理、数据汇聚、治理加工、评估流通、应用验证”的路径推进。"
    "首先梳理并发布行业场景数据需求清单，明确各场景所需数据的类型、规模和质量要求；其次依托可信互联平台汇聚成员单位数据资源，"
    "建立数据分类分级和安全防护机制；再次开展多模态数据治理、智能标注和数据合成，形成高质量数据集；最后在行业大模型训练和工业智能体研发中验证数据价值。",
    "三、工作计划。第一季度完成联合体组建、工作机制建立和需求清单编制；第二季度完成可信互联平台一期建设和行业数据资源库框架搭建，"
    "启动关键标准研制；第三季度完成首批高质量数据集建设和质量评估，开展典型案例总结；第四季度完成应用场景验证、数据产品目录编制和年度总结。",
    "四、保障措施。一是加强组织保障，成立由牵头单位主要负责同志任组长的工作领导小组，建立月度调度、季度总结工作机制。"
    "二是加强资金保障，牵头单位和成员单位合计投入不少于一亿元，积极争取各级专项资金支持。三是加强安全保障，落实数据安全和个人信息保护要求，"
    "建立数据全生命周期安全管理制度。四是加强人才保障，联合高校开展校企合作，培育既懂数据又懂行业的复合型人才队伍。",
    "五、预期成效。通过先行先试，形成钢铁行业工业数据高效采集处理、可信流通汇集、深度融合应用的有效路径和经验模式，"
    "带动行业提质降本增效，为在全国范围内推广提供可复制的样板。",
]


def text_of_length(paragraphs: list[str], length: int) -> str:
    """Paragraphs repeated until ``length`` characters (whitespace not counted), cut at a full stop."""
    from .validators import count_characters

    out: list[str] = []
    i = 0
    while count_characters("\n".join(out)) < length:
        out.append(paragraphs[i % len(paragraphs)])
        i += 1
    text = "\n".join(out)
    while count_characters(text) > length and "。" in text[:-1]:
        text = text[: text.rstrip("。").rfind("。") + 1]
    return text


MEMBERS = [
    (
        "京华工业数据研究院（示例）",
        "专注工业数据治理与标准研究的科研机构，拥有国家级数据标准化工作组成员资格。",
        "负责行业数据标准研制、数据集质量评估体系建设。",
    ),
    (
        "智造云服务有限公司（示例）",
        "工业互联网平台服务商，提供云计算与数据工程能力。",
        "负责可信互联平台建设与运维、数据资源库建设。",
    ),
    (
        "数联标注科技有限公司（示例）",
        "工业数据标注与合成服务企业。",
        "负责数据智能标注、数据合成及数据集加工。",
    ),
    (
        "钢研大模型科技有限公司（示例）",
        "行业大模型研发企业。",
        "负责行业大模型训练、工业智能体研发及应用场景落地。",
    ),
]

CONSORTIUM = {
    "name": "钢铁行业数据合作联合体（示例）",
    "lead_unit_name": "华北钢铁集团有限公司（示例）",
    "lead_unit_kind": "enterprise",
    "lead_unit_credit_code": "91350100M000100Y43",
    "contact_name": "刘强",
    "contact_title": "数字化部总经理",
    "contact_phone": "010-68208212",
    "contact_email": "liuqiang@unit.example.cn",
    "signing_date": dt.date(2026, 3, 2),
}


def blank_pdf(pages: int) -> bytes:
    """A real PDF of ``pages`` blank A4 pages: stands in for a scan in tests and the demo."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def scan_upload(pages: int, name: str = "stamped-scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, blank_pdf(pages), content_type="application/pdf")


# Short targets (预期目标) of the reference tasks, as a consortium would write them; a task not
# listed gets the generic one.
TASK_TARGETS = {
    1: "2026年底前建成行业数据可信互联平台，接入不少于10家成员单位的数据节点。",
    3: "发布行业场景数据需求清单1份，覆盖不少于20个典型场景。",
    4: "建成行业数据资源库，汇聚数据资源不少于50TB。",
    5: "编制行业关键数据技术图谱和重点数据技术目录各1份。",
    7: "完成行业数据领域现行标准梳理，形成标准体系图1份。",
    8: "牵头或参与起草数据采集、高质量数据集相关标准不少于2项。",
    9: "建立高质量数据集质量评价指标体系，完成不少于5个数据集的评价。",
    12: "建成高质量行业数据集不少于5个，覆盖研发设计、生产制造等环节。",
    13: "征集高质量数据集典型案例不少于5个，编写行业建设指南1份。",
    16: "编制行业数据产品目录1份，收录数据产品不少于20项。",
    17: "在不少于3个制造场景部署行业大模型或工业智能体应用。",
}
GENERIC_TARGET = "2026年底前按计划完成该任务，形成可检验的阶段性成果。"


def task_target(number: int) -> str:
    return TASK_TARGETS.get(number, GENERIC_TARGET)


def fill_plan(*, actor, consortium, all_tasks: bool = True, members=MEMBERS):
    """Fill every section of a draft plan through the services, as an authority would."""
    from .services import member_save, plan_set_tasks, plan_update

    plan = consortium.plan
    created = []
    for order, (name, profile, role) in enumerate(members, 1):
        plan.refresh_from_db()
        created.append(
            member_save(
                actor=actor,
                plan=plan,
                revision=plan.revision,
                data={
                    "name": name,
                    "profile": profile,
                    "role": role,
                    "sort_order": order,
                    "contact_name": f"联系人{order}",
                    "contact_email": f"member{order}-{consortium.pk}@unit.example.cn",
                    "gets_account": order == 1,
                },
            )
        )
    program = consortium.program
    tasks = program.tasks.all() if all_tasks else program.tasks.filter(mandatory=True)
    selections = {t.number: [created[t.number % len(created)].pk] for t in tasks}
    plan.refresh_from_db()
    plan_set_tasks(
        actor=actor,
        plan=plan,
        selections=selections,
        targets={number: task_target(number) for number in selections},
        revision=plan.revision,
    )
    plan.refresh_from_db()
    plan_update(
        actor=actor,
        plan=plan,
        revision=plan.revision,
        data={
            "work_foundation": text_of_length(FOUNDATION_PARAGRAPHS, 800),
            "implementation_plan": text_of_length(PLAN_PARAGRAPHS, 2000),
            "commitments": [c["key"] for c in program.plan_commitments],
            "authority_opinion": "经审核，该联合体具备开展先行先试的基础条件，同意推荐。",
        },
    )
    plan.refresh_from_db()
    return plan
