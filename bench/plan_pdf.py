"""Plan PDF benchmark: the 附件1 form of a full plan beside WeasyPrint's floor, in one run.

    .venv/bin/python bench/plan_pdf.py [--repeat 10]

The plan is complete: four member units, 800 + 2,000 characters of text and all 23 reference
tasks. Its HTML is rendered once; then, run by run and interleaved so machine noise hits every
case alike, WeasyPrint turns into PDF:

- portal: the HTML as the portal renders it, set in the CJK serif stack (portal.pdf.PDF_FONT_STACK);
- floor: the same HTML with that stack replaced by "DejaVu Serif", a Latin-only font. Chinese
  text then has no glyphs to draw, which is as cheap as this layout can get;
- service: consortia.pdf.render_plan_pdf, the path a submission takes (template + PDF).

Goal (from the issue): the portal's p50 at most 1.5 times the floor's.
"""

import argparse
import io
import logging
import statistics
import time

from common import setup_django

GOAL = 1.5
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


def embedded_fonts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            names.add(str(font.get_object().get("/BaseFont", "?")).split("+")[-1])
    return sorted(names)


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
    args = parser.parse_args()
    setup_django()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    from consortia.pdf import _plan_pdf_context, render_plan_pdf
    from portal.pdf import PDF_FONT_STACK, html_to_pdf, pdf_page_count, render_html

    content, program = full_plan_content()
    html = render_html("consortia/pdf/plan.html", _plan_pdf_context(content, program, draft=False))
    assert PDF_FONT_STACK in html, "the font stack is not in the rendered HTML"
    floor_html = html.replace(PDF_FONT_STACK, LATIN_ONLY)
    cases = {
        "portal: CJK serif stack": lambda: html_to_pdf(html),
        "floor: Latin-only (DejaVu Serif)": lambda: html_to_pdf(floor_html),
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
    print(f"{'case':<40} {'p50 ms':>8} {'p95 ms':>8} {'min ms':>8} {'pages':>6} {'KiB':>6}  fonts")
    results = {}
    for name, runs in samples.items():
        r = results[name] = stats(runs)
        pdf = last[name]
        print(
            f"{name:<40} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['min']:>8.1f} "
            f"{pdf_page_count(pdf):>6} {len(pdf) // 1024:>6}  {', '.join(embedded_fonts(pdf))}"
        )
    portal, floor = (results[name]["p50"] for name in list(cases)[:2])
    ratio = portal / floor
    verdict = "meets" if ratio <= GOAL else "misses"
    print(f"\nportal / floor on p50: {ratio:.2f}× — {verdict} the goal of at most {GOAL}×")


if __name__ == "__main__":
    main()
