"""The SVG charts: well-formed, escaped, linked, and readable in a WeasyPrint PDF."""

import time
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from portal.pdf import PDF_FONT_STACK, html_to_pdf, pdf_text
from reporting.insights.charts import (
    REPORT_STATE_COLORS,
    STATUS_COLORS,
    ChartItem,
    DonutSlice,
    LineSeries,
    Series,
    StackRow,
    as_data_uri,
    bar_chart,
    donut_chart,
    line_chart,
    stacked_bar_chart,
)

NS = "{http://www.w3.org/2000/svg}"
SERIES = [
    Series("on_track", "正常推进", STATUS_COLORS["on_track"]),
    Series("delayed", "Delayed", STATUS_COLORS["delayed"]),
    Series("no_report", "未报告", STATUS_COLORS["no_report"]),
]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def titles(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}title")]


def sample_charts() -> dict[str, str]:
    return {
        "bar": bar_chart(
            [ChartItem("数据集", 12), ChartItem("A&B <x>", 3.26, href="/r/1?a=1&b=2")],
            title="交付物 A&B",
            unit="个",
        ),
        "stacked": stacked_bar_chart(
            [StackRow("数据集", [3, 0, 1], href="/c/7/"), StackRow("A&B <x>", [0, 2, 0])],
            series=SERIES,
            title="任务状态",
        ),
        "line": line_chart(
            ["2025 Q1", "2025 Q2", "2025 Q3"],
            [LineSeries("数据集", [10, None, 42.5], "#2563eb"), LineSeries("B", [5, 7, 9], "#000")],
            title="进度",
        ),
        "donut": donut_chart(
            [
                DonutSlice("已确认", 6, REPORT_STATE_COLORS["confirmed"], href="/s/confirmed"),
                DonutSlice("数据集", 2, REPORT_STATE_COLORS["overdue"]),
            ],
            title="报告状态",
            center_text="8",
        ),
    }


@pytest.mark.parametrize("kind", ["bar", "stacked", "line", "donut"])
def test_every_chart_is_well_formed_accessible_svg(kind):
    svg = sample_charts()[kind]
    assert isinstance(svg, SafeString)
    root = parse(svg)
    # Charts holding links are named groups (an image's links could not be reached).
    assert root.get("role") == ("group" if root.find(f".//{NS}a") is not None else "img")
    assert root.get("aria-label")
    assert root[0].tag == f"{NS}title"
    assert f"chart-{kind}" in root.get("class").split()
    assert root.get("viewBox").startswith("0 0 ")
    # Its natural width, shrunk to fit by the style sheets (svg.chart): no style attribute,
    # which the Content-Security-Policy would refuse.
    assert root.get("width") == root.get("viewBox").split()[2]
    assert root.get("style") is None
    assert "AR PL UMing CN" in root.get("font-family")
    assert svg == sample_charts()[kind]  # deterministic


def test_labels_are_escaped_and_chinese_kept():
    svg = sample_charts()["bar"]
    assert "A&amp;B &lt;x&gt;" in svg
    assert "<x>" not in svg
    root = parse(svg)
    assert "A&B <x>" in texts(root)
    assert "数据集" in texts(root)
    assert root.get("aria-label") == "交付物 A&B"


def test_bar_values_have_at_most_one_decimal_and_unit():
    root = parse(sample_charts()["bar"])
    assert "3.3个" in texts(root)
    assert "12个" in texts(root)


def test_long_labels_are_truncated_with_full_text_in_tooltip():
    label = "工业数据空间可信流通与价值评估试点项目"
    root = parse(bar_chart([ChartItem(label, 5, note="备注")], title="t", width=300))
    shown = texts(root)[0]
    assert shown.endswith("…")
    assert len(shown) < len(label)
    assert f"{label}: 5 (备注)" in titles(root)


def test_hrefs_wrap_rows_and_slices():
    charts = sample_charts()
    for kind, href in [("bar", "/r/1?a=1&b=2"), ("stacked", "/c/7/"), ("donut", "/s/confirmed")]:
        links = [a.get("href") for a in parse(charts[kind]).iter(f"{NS}a")]
        assert href in links, kind
    assert 'href="/r/1?a=1&amp;b=2"' in charts["bar"]


def test_every_chart_link_is_named_and_slices_leave_the_tab_order_to_the_legend():
    charts = sample_charts()
    for kind in ("bar", "stacked", "donut"):
        root = parse(charts[kind])
        assert root.get("role") == "group", kind
        for a in root.iter(f"{NS}a"):
            assert a.get("aria-label"), kind
    bar_links = [a.get("aria-label") for a in parse(charts["bar"]).iter(f"{NS}a")]
    assert bar_links == ["A&B <x>: 3.3个"]
    donut = list(parse(charts["donut"]).iter(f"{NS}a"))
    slice_link, legend_link = donut
    assert slice_link.get("tabindex") == "-1"
    assert slice_link.get("aria-hidden") == "true"
    assert legend_link.get("tabindex") is None
    assert legend_link.get("aria-label") == "已确认: 6 (75%)"
    assert parse(charts["line"]).get("role") == "img"


def test_a_chart_without_links_is_one_image():
    root = parse(bar_chart([ChartItem("数据集", 12)], title="t"))
    assert root.get("role") == "img"
    assert root.find(f".//{NS}a") is None


def test_script_hrefs_are_dropped():
    svg = bar_chart([ChartItem("x", 1, href="javascript:alert(1)")], title="t")
    assert "javascript" not in svg


@pytest.mark.parametrize(
    "svg",
    [
        bar_chart([], title="t", empty_text="暂无数据"),
        bar_chart([ChartItem("a", 0)], title="t", empty_text="暂无数据"),
        stacked_bar_chart(
            [StackRow("a", [0, 0, 0])], series=SERIES, title="t", empty_text="暂无数据"
        ),
        line_chart(["Q1"], [LineSeries("a", [None], "#000")], title="t", empty_text="暂无数据"),
        line_chart([], [], title="t", empty_text="暂无数据"),
        donut_chart([], title="t", empty_text="暂无数据"),
    ],
)
def test_empty_data_shows_the_empty_text(svg):
    root = parse(svg)
    assert texts(root) == ["暂无数据"]
    assert "chart-empty" in root.get("class")


def test_empty_text_defaults_to_dash():
    assert texts(parse(bar_chart([], title="t"))) == ["—"]


def test_stacked_chart_omits_zero_segments_and_shows_legend():
    root = parse(sample_charts()["stacked"])
    segments = [el for el in root.iter(f"{NS}rect") if el.get("class") == "chart-segment"]
    assert len(segments) == 3  # 3 + 1 in the first row, 2 in the second; zeros dropped
    seg_titles = [el.find(f"{NS}title").text for el in segments]
    assert seg_titles == ["数据集 · 正常推进: 3", "数据集 · 未报告: 1", "A&B <x> · Delayed: 2"]
    legend = root.find(f".//{NS}g[@class='chart-legend']")
    assert texts(legend) == ["正常推进", "Delayed", "未报告"]
    assert [r.get("fill") for r in legend.iter(f"{NS}rect")] == ["#2563eb", "#dc2626", "#f3f4f6"]
    assert {"4", "2"} <= set(texts(root))  # totals


def test_stacked_chart_rejects_rows_of_the_wrong_length():
    with pytest.raises(ValueError, match="has 1 values for 3 series"):
        stacked_bar_chart([StackRow("a", [1])], series=SERIES, title="t")


def test_line_chart_percent_ticks_and_gaps():
    root = parse(
        line_chart(
            ["P1", "P2", "P3", "P4"],
            [LineSeries("完成率", [10, 55.55, None, 80], "#16a34a")],
            title="完成率",
            percent=True,
        )
    )
    for tick in ["0%", "20%", "40%", "60%", "80%", "100%"]:
        assert tick in texts(root)
    assert "55.6%" not in texts(root)  # values appear in tooltips, not as ticks
    assert "完成率 · P2: 55.6%" in titles(root)
    assert len(list(root.iter(f"{NS}polyline"))) == 1  # P1–P2 joined, P4 stands alone
    assert len(list(root.iter(f"{NS}circle"))) == 3


def test_line_chart_uses_round_tick_steps():
    root = parse(line_chart(["a", "b"], [LineSeries("s", [3, 37], "#000")], title="t"))
    assert [t for t in texts(root) if t.isdigit()] == ["0", "10", "20", "30", "40"]


def test_line_chart_honours_y_max():
    root = parse(line_chart(["a"], [LineSeries("s", [3], "#000")], title="t", y_max=200))
    assert [t for t in texts(root) if t.isdigit()][-1] == "200"


def test_donut_shares_and_palette_for_plain_items():
    root = parse(
        donut_chart([ChartItem("甲", 1), ChartItem("乙", 3)], title="t", colors=["#111111"])
    )
    assert {"1 (25%)", "3 (75%)"} <= set(texts(root))
    assert {p.get("fill") for p in root.iter(f"{NS}path")} == {"#111111"}
    single = parse(donut_chart([DonutSlice("全部", 5, "#16a34a")], title="t"))
    assert len(list(single.iter(f"{NS}circle"))) == 1  # a full ring, not a degenerate arc


def test_near_white_colours_get_an_outline():
    svg = donut_chart(
        [DonutSlice("未报告", 1, STATUS_COLORS["no_report"]), DonutSlice("x", 1, "#000")], title="t"
    )
    assert 'fill="#f3f4f6" stroke="#9ca3af"' in svg


def test_numbers_round_half_up_to_one_decimal():
    root = parse(
        bar_chart([ChartItem("a", 3.25), ChartItem("b", 2.0), ChartItem("c", -0.01)], title="t")
    )
    assert [t for t in texts(root) if t[0].isdigit() or t[0] == "-"] == ["3.3", "2", "0"]


def test_as_data_uri():
    assert as_data_uri("<svg/>") == "data:image/svg+xml;base64,PHN2Zy8+"


def test_charts_render_in_a_weasyprint_pdf():
    charts = sample_charts()
    body = "".join(f"<h2>{kind}</h2>{svg}" for kind, svg in charts.items())
    html = (
        f"<html><head><style>html {{ font-family: {PDF_FONT_STACK}; }}</style></head>"
        f"<body>{body}</body></html>"
    )
    started = time.perf_counter()
    text = pdf_text(html_to_pdf(html))
    elapsed = time.perf_counter() - started
    assert "数据集" in text
    assert "12个" in text  # a bar value
    assert "A&B <x>" in text
    assert elapsed < 30, f"PDF with four charts took {elapsed:.1f}s"
