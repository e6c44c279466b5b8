"""Plan PDF benchmark: the 附件1 form of a full plan beside WeasyPrint's floor, in one run.

    .venv/bin/python bench/plan_pdf.py [--repeat 10]

The plan is complete: four member units, 800 + 2,000 characters of text and all 23 reference
tasks. Its HTML is rendered once; then, run by run and interleaved so machine noise hits every
case alike, WeasyPrint turns into PDF:

- portal: the HTML as the portal renders it, set in the Fandol faces (portal.pdf.PDF_FONTS);
- floor: the same HTML with every stack replaced by "DejaVu Serif", a Latin-only font, with
  Fontconfig limited to the DejaVu fonts for the call. Chinese then shows as missing glyphs:
  no CJK font is shaped or subset, which is as cheap as this layout can get;
- fallback: the same replaced HTML with the system's Fontconfig. It is not Latin-only: for the
  glyphs DejaVu lacks, Pango falls back to an installed CJK font (WenQuanYi Zen Hei here), so
  it is shown for information and not used as the floor (see the fonts column);
- service: consortia.pdf.render_plan_pdf, the path a submission takes (template + PDF).

Goal (issue 15): the portal's p50 at most 1.3 times the floor's.
"""

import argparse
import contextlib
import logging
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import add_smoke_argument, setup_django

GOAL = 1.3
LATIN_ONLY = '"DejaVu Serif"'


def full_plan_content():
    """A complete plan built through the services, as a Beijing authority would fill it in."""
    from consortia.content import plan_content
    from consortia.samples import fill_plan
    from consortia.tests.conftest import make_consortium
    from portal.demo import ensure_demo_users
    from tasks_catalog.models import Program

    program = Program.objects.get(code="idfa-2026")
    actor = ensure_demo_users()["beijing"]
    consortium = make_consortium(actor, program)
    plan = fill_plan(actor=actor, consortium=consortium, all_tasks=True)
    return plan_content(plan), program


def latin_only_fontconfig_file() -> str:
    """A Fontconfig configuration that knows only the DejaVu fonts (cache in its own folder)."""
    serif = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Serif"], capture_output=True, text=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="bench-fontconfig-"))
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{Path(serif).parent}</dir><cachedir>{folder}</cachedir></fontconfig>\n"
    )
    return str(config)


@contextlib.contextmanager
def fontconfig_file(path: str):
    """Use the Fontconfig configuration ``path`` for the documents rendered inside the block.

    WeasyPrint loads a Fontconfig configuration for every document (FcInitLoadConfigAndFonts),
    which reads FONTCONFIG_FILE at that moment: the portal's html_to_pdf is timed unchanged.
    """
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = path
    try:
        yield
    finally:
        if previous is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = previous


def stats(samples: list[float]) -> dict:
    s = sorted(samples)
    return {
        "p50": statistics.median(s),
        "p95": s[max(0, int(len(s) * 0.95) - 1)],
        "min": s[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    add_smoke_argument(parser)
    args = parser.parse_args()
    if args.smoke:
        args.repeat, args.warmup = 1, 0
    setup_django()
    # Quiet WeasyPrint: its INFO progress lines, and the floor's one WARNING per missing glyph
    # (thousands of lines, whose writing would be timed too).
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    from consortia.pdf import _plan_pdf_context, render_plan_pdf
    from portal.pdf import (
        PDF_FONT_STACK,
        PDF_FONTS,
        html_to_pdf,
        pdf_fonts,
        pdf_page_count,
        render_html,
    )

    content, program = full_plan_content()
    html = render_html("consortia/pdf/plan.html", _plan_pdf_context(content, program, draft=False))
    assert PDF_FONT_STACK in html, "the font stack is not in the rendered HTML"
    floor_html = html
    for stack in PDF_FONTS.values():  # body, headings, title: every face becomes DejaVu Serif
        floor_html = floor_html.replace(stack, LATIN_ONLY)

    latin_only = latin_only_fontconfig_file()

    def floor_pdf():
        with fontconfig_file(latin_only):
            return html_to_pdf(floor_html)

    cases = {
        "portal: Fandol faces (GB/T 9704)": lambda: html_to_pdf(html),
        "floor: DejaVu Serif, Latin-only fontconfig": floor_pdf,
        "fallback: DejaVu Serif, system fontconfig": lambda: html_to_pdf(floor_html),
        "service: render_plan_pdf (+ template)": lambda: render_plan_pdf(
            content, program, draft=False
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    last: dict[str, bytes] = {}
    for run in range(args.warmup + args.repeat):
        for name, fn in cases.items():
            start = time.perf_counter()
            last[name] = fn()
            elapsed = (time.perf_counter() - start) * 1000
            if run >= args.warmup:
                samples[name].append(elapsed)

    print(
        f"\n附件1 PDF, full plan ({len(content['members'])} members, "
        f"{sum(t['selected'] for t in content['tasks'])} tasks), "
        f"n={args.repeat} interleaved after {args.warmup} warm-up runs"
    )
    print(f"{'case':<42} {'p50 ms':>8} {'p95 ms':>8} {'min ms':>8} {'pages':>6} {'KiB':>6}  fonts")
    results = {}
    for name, runs in samples.items():
        r = results[name] = stats(runs)
        pdf = last[name]
        print(
            f"{name:<42} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['min']:>8.1f} "
            f"{pdf_page_count(pdf):>6} {len(pdf) // 1024:>6}  {', '.join(pdf_fonts(pdf))}"
        )
    portal, floor = (results[name]["p50"] for name in list(cases)[:2])
    ratio = portal / floor
    verdict = "not judged (smoke)" if args.smoke else ("meets" if ratio <= GOAL else "misses")
    print(f"\nportal / floor on p50: {ratio:.2f}× — {verdict} the goal of at most {GOAL}×")


if __name__ == "__main__":
    main()
