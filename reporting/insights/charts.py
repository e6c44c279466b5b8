"""Server-side SVG charts for dashboards and PDF reports.

Why SVG built in Python rather than a JavaScript chart library:

* the same function draws the chart on a dashboard page and in a PDF rendered by WeasyPrint,
  so what a ministry official sees on screen is what the printed report shows;
* no CDN, no bundled JavaScript, nothing to load on intranets that block external hosts;
* the output is plain, deterministic markup that tests can parse as XML.

Every function returns a ``SafeString`` holding one complete ``<svg>`` element with
``role="img"`` (``role="group"`` when it holds links, each named by an ``aria-label``), an
``aria-label`` and a ``<title>``. All user text is escaped with
``html.escape``. Colours are set with ``fill``/``stroke`` attributes (not CSS classes) so
WeasyPrint paints them; the class names ``chart chart-<kind>`` are only hooks for page CSS.
The root ``width="100%"`` plus ``viewBox`` makes the chart scale to its container.

Embedding in PDFs: put the SVG inline, ``{{ chart }}``, exactly as in an HTML page.
WeasyPrint (70) draws inline SVG text with the page fonts, so Chinese labels render and can
be extracted from the PDF; four charts add well under 0.1 s to a render. Links inside an
SVG do not become clickable PDF links (WeasyPrint makes no annotations for them).
``as_data_uri`` is there for ``<img src="…">`` embedding (e.g. e-mail bodies); WeasyPrint
draws that the same way, at the same speed, but browsers drop the links and tooltips.

Text widths are estimated (CJK characters one em, others about 0.6 em) because nothing on
the server can measure glyphs cheaply; labels that would not fit are cut with an ellipsis and
the full text is kept in a ``<title>`` tooltip.
"""

import base64
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

FONT_STACK = "'AR PL UMing CN','WenQuanYi Zen Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif"
FONT_SIZE = 12
TEXT_COLOR = "#374151"
GRID_COLOR = "#e5e7eb"
PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"]

STATUS_COLORS = {
    "not_started": "#9ca3af",
    "on_track": "#2563eb",
    "at_risk": "#f59e0b",
    "delayed": "#dc2626",
    "completed": "#16a34a",
    "nothing_to_report": "#d1d5db",
    "no_report": "#f3f4f6",  # near white: drawn with an outline, see _fill()
}

REPORT_STATE_COLORS = {
    "not_started": "#e5e7eb",
    "draft": "#9ca3af",
    "returned": "#f97316",
    "submitted": "#60a5fa",
    "confirmed": "#2563eb",
    "accepted": "#16a34a",
    "overdue": "#dc2626",
}


@dataclass(frozen=True)
class ChartItem:
    label: str
    value: float
    href: str | None = None
    note: str = ""


@dataclass(frozen=True)
class DonutSlice:
    label: str
    value: float
    color: str
    href: str | None = None


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str


@dataclass(frozen=True)
class StackRow:
    label: str
    values: list[float]
    href: str | None = None


@dataclass(frozen=True)
class LineSeries:
    label: str
    values: list[float | None]
    color: str


# --- helpers ---------------------------------------------------------------------------------


def _num(value: float) -> str:
    """At most one decimal, half up as people round (55.55 -> 55.6), no ``.0``, no ``-0``."""
    rounded = Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = str(rounded).removesuffix(".0")
    return "0" if text == "-0" else text


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _truncate(text: str, max_width: float, size: float = FONT_SIZE) -> str:
    if _text_width(text, size) <= max_width:
        return text
    while text and _text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fill(color: str) -> str:
    """``fill`` attribute; near-white colours get a grey outline so they stay visible."""
    attr = f'fill="{_esc(color)}"'
    hexa = color.lstrip("#")
    is_hex = len(hexa) == 6 and all(c in "0123456789abcdefABCDEF" for c in hexa)
    if is_hex and min(int(hexa[i : i + 2], 16) for i in (0, 2, 4)) >= 0xF0:
        attr += ' stroke="#9ca3af" stroke-width="0.8"'
    return attr


def _text(x: float, y: float, text: str, *, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_esc(v)}"' for k, v in attrs.items())
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{_esc(text)}</text>'


def _link(href: str | None, body: str, *, label: str, duplicate: bool = False) -> str:
    """``body`` wrapped in a link named ``label``.

    A ``duplicate`` link (a donut slice, whose legend row links to the same page) is left out of
    the tab order and hidden from screen readers: mouse users click it, everyone else uses the
    legend row.
    """
    if not href or href.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
        return body
    extra = ' tabindex="-1" aria-hidden="true"' if duplicate else ""
    return f'<a href="{_esc(href)}" aria-label="{_esc(label)}"{extra}>{body}</a>'


def _svg(kind: str, title: str, width: float, height: float, body: str) -> SafeString:
    # A chart is one image for assistive technology, unless it holds links: an image's content
    # is presentational, so links inside one could not be reached ("nested-interactive"). A
    # chart with links is a named group instead, whose links are each named.
    role = "group" if "<a " in body else "img"
    return mark_safe(  # noqa: S308 - every value in it went through _esc or _num
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="{role}"'
        f' aria-label="{_esc(title)}" viewBox="0 0 {_num(width)} {_num(height)}"'
        f' width="{_num(width)}"'
        f' font-family="{FONT_STACK}" font-size="{FONT_SIZE}" fill="{TEXT_COLOR}">'
        f"<title>{_esc(title)}</title>{body}</svg>"
    )


def _empty(kind: str, title: str, width: float, empty_text: str, height: float = 60) -> SafeString:
    body = _text(width / 2, height / 2 + 4, empty_text, anchor="middle", fill="#6b7280")
    return _svg(f"{kind} chart-empty", title, width, height, body)


def _legend(entries: Sequence[tuple[str, str]], width: float, y: float) -> tuple[str, float]:
    """Swatch + label pairs, wrapped over several lines; returns markup and height used."""
    parts, x, line = [], 0.0, 0
    for label, color in entries:
        item_w = 18 + _text_width(label) + 14
        if x and x + item_w > width:
            x, line = 0.0, line + 1
        top = y + line * 18
        parts.append(
            f'<g class="chart-legend-item"><rect x="{_num(x)}" y="{_num(top + 2)}" width="12"'
            f' height="12" rx="2" {_fill(color)}/>{_text(x + 17, top + 12, label)}</g>'
        )
        x += item_w
    return f'<g class="chart-legend">{"".join(parts)}</g>', (line + 1) * 18 + 6


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


# --- charts ----------------------------------------------------------------------------------


def bar_chart(
    items: Sequence[ChartItem],
    *,
    title: str,
    unit: str = "",
    value_format: Callable[[float], str] | None = None,
    width: int = 640,
    bar_height: int = 22,
    color: str = "#2563eb",
    empty_text: str = "—",
) -> SafeString:
    """Horizontal bars, label left, value at the bar's end; ``href`` makes a row a link."""
    top = max((item.value for item in items), default=0)
    if top <= 0:
        return _empty("bar", title, width, empty_text)
    fmt = value_format or (lambda v: f"{_num(v)}{unit}")
    label_w, gap = round(width * 0.28), 6
    value_w = max(_text_width(fmt(item.value)) for item in items) + 8
    bar_area = width - label_w - gap - value_w
    rows = []
    for i, item in enumerate(items):
        y = i * (bar_height + gap)
        text_y = y + bar_height / 2 + FONT_SIZE * 0.35
        bar_w = max(item.value, 0) / top * bar_area
        tip = f"{item.label}: {fmt(item.value)}" + (f" ({item.note})" if item.note else "")
        group = (
            f'<g class="chart-bar"><title>{_esc(tip)}</title>'
            + _text(label_w - gap, text_y, _truncate(item.label, label_w - gap), anchor="end")
            + f'<rect x="{label_w}" y="{_num(y)}" width="{_num(bar_w)}" height="{bar_height}"'
            f' rx="2" {_fill(color)}/>'
            + _text(label_w + bar_w + 4, text_y, fmt(item.value))
            + "</g>"
        )
        rows.append(_link(item.href, group, label=tip))
    height = len(items) * (bar_height + gap) - gap
    return _svg("bar", title, width, height, "".join(rows))


def stacked_bar_chart(
    rows: Sequence[StackRow],
    *,
    series: Sequence[Series],
    title: str,
    width: int = 640,
    bar_height: int = 22,
    show_totals: bool = True,
    empty_text: str = "—",
) -> SafeString:
    """Horizontal stacked bars with a legend; zero segments are left out."""
    for row in rows:
        if len(row.values) != len(series):
            raise ValueError(
                f"row {row.label!r} has {len(row.values)} values for {len(series)} series"
            )
    totals = [sum(v for v in row.values if v > 0) for row in rows]
    top = max(totals, default=0)
    if top <= 0:
        return _empty("stacked", title, width, empty_text)
    legend, legend_h = _legend([(s.label, s.color) for s in series], width, 0)
    label_w, gap = round(width * 0.28), 6
    total_w = max(_text_width(_num(t)) for t in totals) + 8 if show_totals else 0
    bar_area = width - label_w - gap - total_w
    parts = [legend]
    for i, (row, total) in enumerate(zip(rows, totals, strict=True)):
        y = legend_h + i * (bar_height + gap)
        text_y = y + bar_height / 2 + FONT_SIZE * 0.35
        x = float(label_w)
        segments = []
        for s, value in zip(series, row.values, strict=True):
            if value <= 0:
                continue
            seg_w = value / top * bar_area
            segments.append(
                f'<rect class="chart-segment" x="{_num(x)}" y="{_num(y)}" width="{_num(seg_w)}"'
                f' height="{bar_height}" {_fill(s.color)}>'
                f"<title>{_esc(f'{row.label} · {s.label}: {_num(value)}')}</title></rect>"
            )
            x += seg_w
        group = (
            f'<g class="chart-bar"><title>{_esc(f"{row.label}: {_num(total)}")}</title>'
            + _text(label_w - gap, text_y, _truncate(row.label, label_w - gap), anchor="end")
            + "".join(segments)
            + (_text(x + 4, text_y, _num(total)) if show_totals else "")
            + "</g>"
        )
        parts.append(_link(row.href, group, label=f"{row.label}: {_num(total)}"))
    height = legend_h + len(rows) * (bar_height + gap) - gap
    return _svg("stacked", title, width, height, "".join(parts))


def line_chart(
    labels: Sequence[str],
    series: Sequence[LineSeries],
    *,
    title: str,
    percent: bool = False,
    width: int = 640,
    height: int = 260,
    y_max: float | None = None,
    empty_text: str = "—",
) -> SafeString:
    """Lines over ``labels`` (e.g. reporting periods); ``None`` values leave a gap."""
    values = [v for s in series for v in s.values[: len(labels)] if v is not None]
    if not labels or not values:
        return _empty("line", title, width, empty_text)
    fmt = (lambda v: f"{_num(v)}%") if percent else _num
    legend, legend_h = _legend([(s.label, s.color) for s in series], width, 0)
    low = min(0.0, min(values))
    high = 100.0 if percent else (y_max if y_max is not None else max(values))
    if high <= low:
        high = low + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step - 1e-9) * step
    left = max(_text_width(fmt(t)) for t in (low, high)) + 10
    plot_top, plot_bottom, plot_right = legend_h + 6, height - 24, width - 12
    slot = (plot_right - left) / len(labels)

    def px(i: int) -> float:
        return left + slot * (i + 0.5)

    def py(v: float) -> float:
        return plot_bottom - (v - low) / (high - low) * (plot_bottom - plot_top)

    parts = [legend]
    tick = low
    while tick <= high + step / 2:
        y = py(tick)
        parts.append(
            f'<line x1="{_num(left)}" x2="{_num(plot_right)}" y1="{_num(y)}" y2="{_num(y)}"'
            f' stroke="{GRID_COLOR}" stroke-width="1"/>'
            + _text(left - 6, y + 4, fmt(tick), anchor="end", fill="#6b7280")
        )
        tick += step
    every = max(1, math.ceil(max(_text_width(lb) + 8 for lb in labels) / slot))
    for i, label in enumerate(labels):
        if i % every == 0:
            shown = _truncate(label, slot * every - 4)
            parts.append(_text(px(i), height - 6, shown, anchor="middle", fill="#6b7280"))
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        markers = []
        for i, (label, value) in enumerate(zip(labels, s.values, strict=False)):
            if value is None:
                runs.append([])
                continue
            x, y = px(i), py(value)
            runs[-1].append((x, y))
            tip = f"{s.label} · {label}: {fmt(value)}"
            markers.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" {_fill(s.color)}>'
                f"<title>{_esc(tip)}</title></circle>"
            )
        lines = [
            f'<polyline points="{" ".join(f"{_num(x)},{_num(y)}" for x, y in run)}" fill="none"'
            f' stroke="{_esc(s.color)}" stroke-width="2"/>'
            for run in runs
            if len(run) > 1
        ]
        parts.append(f'<g class="chart-series">{"".join(lines)}{"".join(markers)}</g>')
    return _svg("line", title, width, height, "".join(parts))


def _arc_path(cx: float, cy: float, r_out: float, r_in: float, start: float, end: float) -> str:
    def point(r: float, angle: float) -> str:
        return f"{_num(cx + r * math.sin(angle))},{_num(cy - r * math.cos(angle))}"

    large = 1 if end - start > math.pi else 0
    return (
        f"M{point(r_out, start)} A{_num(r_out)},{_num(r_out)} 0 {large} 1 {point(r_out, end)}"
        f" L{point(r_in, end)} A{_num(r_in)},{_num(r_in)} 0 {large} 0 {point(r_in, start)} Z"
    )


def donut_chart(
    items: Sequence[DonutSlice | ChartItem],
    *,
    title: str,
    center_text: str = "",
    width: int = 260,
    colors: Sequence[str] | None = None,
    empty_text: str = "—",
) -> SafeString:
    """Shares as a ring, legend below with values and percentages.

    ``DonutSlice`` carries its own colour; plain ``ChartItem``s take ``colors`` (or the default
    palette) in order.
    """
    palette = list(colors or PALETTE)
    slices = [
        item
        if isinstance(item, DonutSlice)
        else DonutSlice(item.label, item.value, palette[i % len(palette)], item.href)
        for i, item in enumerate(items)
    ]
    total = sum(s.value for s in slices if s.value > 0)
    if total <= 0:
        return _empty("donut", title, width, empty_text)
    size = min(width, 200)
    cx, cy, r_out = width / 2, size / 2, size / 2 - 4
    r_in = r_out * 0.6
    parts, angle = [], 0.0
    for s in slices:
        if s.value <= 0:
            continue
        share = s.value / total
        tip = f"<title>{_esc(f'{s.label}: {_num(s.value)} ({_num(share * 100)}%)')}</title>"
        if share > 0.9999:  # a full ring cannot be drawn as one arc
            shape = (
                f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num((r_out + r_in) / 2)}"'
                f' fill="none" stroke="{_esc(s.color)}" stroke-width="{_num(r_out - r_in)}">'
                f"{tip}</circle>"
            )
        else:
            path = _arc_path(cx, cy, r_out, r_in, angle, angle + share * 2 * math.pi)
            shape = f'<path d="{path}" {_fill(s.color)}>{tip}</path>'
        parts.append(
            _link(s.href, f'<g class="chart-slice">{shape}</g>', label=s.label, duplicate=True)
        )
        angle += share * 2 * math.pi
    if center_text:
        parts.append(_text(cx, cy + 6, center_text, anchor="middle", font_size="18"))
    y = size + 8
    for s in slices:
        share = max(s.value, 0) / total * 100
        value_text = f"{_num(s.value)} ({_num(share)}%)"
        label_w = width - 20 - _text_width(value_text) - 8
        row = (
            f'<g class="chart-legend-item"><rect x="0" y="{_num(y + 2)}" width="12" height="12"'
            f' rx="2" {_fill(s.color)}/>{_text(18, y + 12, _truncate(s.label, label_w))}'
            f"{_text(width, y + 12, value_text, anchor='end')}</g>"
        )
        parts.append(_link(s.href, row, label=f"{s.label}: {value_text}"))
        y += 18
    return _svg("donut", title, width, y + 2, "".join(parts))


def as_data_uri(svg: str) -> str:
    """``data:image/svg+xml;base64,…`` for ``<img src>`` embedding (links inside are lost)."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode()).decode("ascii")
