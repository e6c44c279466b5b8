"""The 附件1 form as a provincial official prints and stamps it (issue 15): member rows never split
across pages and the table header repeats, a seal fits beside every stamp line, the text is set in
the faces of GB/T 9704-2012 (仿宋 body, 黑体 headings, a bold 宋体 title)."""

import io

import pytest
from pypdf import PdfReader

from consortia.content import plan_content
from consortia.pdf import render_plan_pdf
from consortia.tests.conftest import make_ready_plan
from portal.pdf import pdf_fonts

MM = 72 / 25.4  # PDF points per millimetre
PROFILE = "本单位长期从事工业数据采集、治理与应用，拥有国家级工业互联网平台，服务企业超过一千家。"
ROLE = "负责数据集建设与标准研制，牵头开展行业数据标注与质量评估。"


def _compact(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def long_member_pdf(province_user, idfa, settings, tmp_path):
    """The plan of a consortium with nine member units whose profiles and roles grow long enough
    that the rows cannot all share pages, and a tenth at the 600-character limits, taller than a
    page under the header."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    content = plan_content(make_ready_plan(province_user, idfa))
    template = content["members"][0]
    content["members"] = [
        {
            **template,
            "name": f"第{i + 1}号成员单位有限公司",
            "profile": f"{(PROFILE * 12)[: 150 + i * 30]}（简介{i + 1}完）",
            "role": f"{(ROLE * 8)[: 80 + i * 15]}（角色{i + 1}完）",
        }
        for i in range(9)
    ] + [
        {
            **template,
            "name": "第10号成员单位有限公司",
            "profile": f"{(PROFILE * 14)[:594]}（简介完）",
            "role": f"{(ROLE * 20)[:594]}（角色完）",
        }
    ]
    return render_plan_pdf(content, idfa, draft=False), content


def _text_runs(page) -> list[tuple[str, float]]:
    """(text, y in points from the bottom) of each run the page draws."""
    runs = []

    def visit(text, cm, tm, *_args):
        if text.strip():
            runs.append((text, (tm[5] * cm[3]) + cm[5]))

    page.extract_text(visitor_text=visit)
    return runs


def test_the_printed_form_keeps_rows_whole_room_for_seals_and_official_faces(long_member_pdf):
    """One rendering (a few seconds), three checks."""
    pdf, content = long_member_pdf
    _rows_whole_and_headers_repeated(pdf, content)
    _room_for_every_seal(pdf)
    _official_faces(pdf)


def _rows_whole_and_headers_repeated(pdf, content):
    pages = [_compact(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    member_pages = set()
    for i, member in enumerate(content["members"][:9]):
        name = _compact(member["name"])
        on = [n for n, text in enumerate(pages) if name in text]
        assert len(on) == 1, (member["name"], on)
        page = pages[on[0]]
        # The whole row is on that page: the end of the profile and of the role are there too.
        assert f"（简介{i + 1}完）" in page
        assert f"（角色{i + 1}完）" in page
        member_pages.add(on[0])
    assert len(member_pages) >= 3  # the rows really do run over several pages
    # The tenth row cannot fit a page: it splits, and the page it runs onto repeats the header.
    start = next(n for n, text in enumerate(pages) if "第10号成员单位有限公司" in text)
    end = next(n for n, text in enumerate(pages) if "（角色完）" in text)
    assert end > start
    member_pages |= set(range(start, end + 1))
    for n in member_pages:
        assert "单位名称单位情况简介承担角色及任务分工" in pages[n], f"no header on page {n + 1}"
        assert "二、联合体基本情况及分工" in pages[n]


def _room_for_every_seal(pdf):
    """A 40 mm round seal beside each stamp line: at least 45 mm down to whatever follows."""
    reader = PdfReader(io.BytesIO(pdf))
    commitment = opinion = None
    for page in reader.pages:
        text = _compact(page.extract_text())
        if "承诺单位（盖章）" in text:
            commitment = page
        if "六、推荐单位意见" in text:
            opinion = page
    assert commitment is not None
    assert opinion is not None

    def y_of(page, needle):
        ys = [y for text, y in _text_runs(page) if needle in _compact(text)]
        assert ys, needle
        return ys[0]

    committed = y_of(commitment, "承诺单位（盖章）")
    recommended = y_of(commitment, "推荐单位（盖章）")
    dated = y_of(commitment, "承诺时间")
    assert committed - recommended >= 45 * MM
    assert recommended - dated >= 45 * MM
    stamp, date = y_of(opinion, "推荐单位（盖章）"), y_of(opinion, "年")
    assert stamp - date >= 45 * MM


def _official_faces(pdf):
    fonts = pdf_fonts(pdf)
    # 仿宋 body, 黑体 headings and table heads, a bold 宋体 title; nothing in the old Ming face.
    assert {"FandolFang", "FandolHei", "FandolSong-Bold"} <= set(fonts), fonts
    assert not [f for f in fonts if "UMing" in f], fonts
