"""Dashboard benchmark: pages served by gunicorn, roll-ups beside a GROUP BY floor, summary PDF.

    .venv/bin/python bench/dashboards.py [--repeat 200]

Everything is measured in one run on one database, at 20 and then at 2,000 consortia
(``dashboard_data.generate``, 3 programs, 37 provincial authorities):

- database: DATABASE_URL if set; otherwise a scratch PostgreSQL database ``portal_bench`` on
  postgres://postgres@127.0.0.1:5432/ (dropped and created), or, if PostgreSQL cannot be
  reached, a temporary SQLite file (with a warning: the figures then say little);
- pages: ``gunicorn portal.wsgi:application --workers 2`` on a free local port, settings
  ``portal.settings.test`` (DEBUG off, no toolbar), a session cookie of the bench Ministry user;
  N sequential GETs after a warm-up of every dashboard page and dashboard API endpoint
  (``page_cases``: overview national and of the province with the most consortia, heatmap,
  tasks, the drill-down rows, the summary and export lists, and their API twins). /healthz
  (one SELECT 1, no login) is the floor of a request through gunicorn (figures are cached per
  roll-up version, so the first view after a change is also timed in-process with the cache
  cleared). Query counts are taken in-process (Django test client);
  goal (issue 15): the same count at both sizes, p95 at most 100 ms for every one of them;
- roll-ups: the full roll-up, ``rollup_compute`` of every program in one pass as the nightly run
  does it (p50 of 5 runs; each program's own run is listed too), beside ONE hand-written GROUP BY
  of the task entries of handed-in reports (p50 of 5 runs, interleaved); goal: at most 3 times
  the floor;
- incremental roll-ups (``bench/rollup_increments.py``): one consortium's change (a report
  transition, a plan transition, a deliverable) applied by ``rollup_apply`` and committed, p95 of
  30, at 2,000 consortia and then at 20,000 (generated after the pages, roll-ups only); goal:
  at most 30 ms at both sizes;
- summary PDF: the national summary of idfa-2026 for its latest past-due period, requested
  through ``reporting.insights.summaries.summary_request`` (Celery is eager under the test settings, so
  the request renders it); p50 of 3 runs; goal: at most 5 s.

At 2,000 consortia the slowest SQL queries of each page are listed (CaptureQueriesContext).
Nothing is written to the repository: uploaded and rendered files go to a temporary MEDIA_ROOT.
"""

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

import rollup_increments
from common import (
    add_smoke_argument,
    force_login,
    gunicorn,
    http_get,
    scratch_database,
    session_cookie,
    setup_django,
    timed,
)

PROGRAM = "idfa-2026"
SIZES = (20, 2000)
# The incremental roll-ups are timed at 2,000 and, generated apart (roll-ups only), at this size.
INCREMENT_SIZE = 20000
INCREMENT_RUNS = rollup_increments.RUNS
PROGRAMS = 3
SEED = 2026
SETTINGS = "portal.settings.test"
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
BENCH_DB = "portal_bench"
P95_GOAL_MS = 100  # issue 15: every dashboard page and API
ROLLUP_GOAL = 3.0
PDF_GOAL_S = 5.0
ROLLUP_RUNS = 5
PDF_RUNS = 3
WARMUP = 10
IN_PROCESS_RUNS = 10
SMOKE = False  # --smoke: the figures prove the code runs, nothing more; no verdicts
SLOWEST_SHOWN = 3


# --- database -------------------------------------------------------------------------------------


def prepare_database() -> str:
    """Point DATABASE_URL at a fresh scratch database ``portal_bench``; returns a description."""
    return scratch_database(BENCH_DB)


def analyze() -> None:
    """After a bulk load, the tables as a database in service has them: vacuumed (visibility
    map and hint bits set, so the first timed reads do not write pages) with fresh statistics,
    as autovacuum leaves them, and a checkpoint taken, so the load's dirty pages are not flushed
    in the middle of the timings."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            try:
                cursor.execute("CHECKPOINT")
            except Exception as exc:  # needs superuser or pg_checkpoint: timed without it
                print(f"(no CHECKPOINT before timing: {str(exc).strip()})")


def clear_bench_data() -> None:
    """``dashboard_data.clear()``, after every roll-up row and roll-up state: clear() leaves the
    SelectionRollup rows (no FK constraint), which would dangle once the bench programs are
    gone, and does not cascade to RollupState."""
    from dashboard_data import clear

    from reporting.insights.models import RollupState
    from reporting.insights.rollups import ROLLUP_MODELS

    for model in ROLLUP_MODELS:
        model.objects.all().delete()
    RollupState.objects.all().delete()  # its FK to the program: clear() would fail at commit
    clear()


# --- roll-ups -------------------------------------------------------------------------------------


def rollup_all(today) -> dict[str, tuple[float, int]]:
    """Compute every program's roll-ups: {program code: (ms, rows)}."""
    from reporting.insights.rollups import rollup_compute
    from tasks_catalog.models import Program

    out = {}
    for program in Program.objects.order_by("code"):
        start = time.perf_counter()
        rows = rollup_compute(program=program, today=today)
        out[program.code] = ((time.perf_counter() - start) * 1000, rows)
    return out


def record_runs(results: dict[str, tuple[float, int]], today) -> None:
    """A finished RollupRun per program, as after a real run: the pages show "computed at"."""
    from django.utils import timezone

    from reporting.insights.models import RollupRun
    from tasks_catalog.models import Program

    now = timezone.now()
    for program in Program.objects.filter(code__in=results):
        RollupRun.objects.create(
            program=program,
            reason="bench",
            status=RollupRun.Status.DONE,
            started_at=now,
            finished_at=now,
            attempts=1,
            as_of=today,
            rows=results[program.code][1],
        )


def floor_sql() -> str:
    """ONE GROUP BY over the rows the task roll-up reads (handed-in reports of pilots, periods
    opened): entries by status, nothing to report, percent sum and count."""
    from consortia.models import Consortium
    from reporting.insights.rollups import HANDED_IN, STATUSES
    from reporting.periods.models import ProgressReport, ReportingPeriod, TaskProgress

    live = "NOT e.nothing_to_report"
    counts = ",\n  ".join(f"count(*) FILTER (WHERE {live} AND e.status = '{s}')" for s in STATUSES)
    states = ", ".join(f"'{s}'" for s in HANDED_IN)
    return f"""
SELECT r.period_id, e.task_id, c.authority_id, c.entity_type_id,
  count(*),
  {counts},
  count(*) FILTER (WHERE e.nothing_to_report),
  sum(e.percent) FILTER (WHERE {live}),
  count(e.percent) FILTER (WHERE {live})
FROM {TaskProgress._meta.db_table} e
JOIN {ProgressReport._meta.db_table} r ON r.id = e.report_id
JOIN {ReportingPeriod._meta.db_table} p ON p.id = r.period_id
JOIN {Consortium._meta.db_table} c ON c.id = r.consortium_id
WHERE r.state IN ({states}) AND c.pilot_since IS NOT NULL AND c.pilot_since < p.due_date
  AND p.opens_on <= %s
GROUP BY 1, 2, 3, 4"""


def rollup_statements(today) -> list[tuple[float, str]]:
    """The slowest statements of one roll-up run of the program."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from reporting.insights.rollups import rollup_compute
    from tasks_catalog.models import Program

    # Inside a transaction the run computes its tables one after the other on this connection,
    # so every statement is captured (a worker's run computes two halves at once).
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        rollup_compute(program=Program.objects.get(code=PROGRAM), today=today)
    queries = sorted(ctx.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    total = sum(float(q["time"]) for q in queries) * 1000
    top = [(float(q["time"]) * 1000, q["sql"]) for q in queries[:4]]
    return [(total, f"{len(queries)} statements"), *top]


def measure_rollups(today) -> dict:
    """The full roll-up (every program in one pass), each program's run, and the floor,
    interleaved, ROLLUP_RUNS times each. The full roll-up is timed as the nightly run meets the
    tables (the rows current: the increments kept up; on PostgreSQL it writes only rows that
    differ) and from empty tables (every row written), both printed; the goal is judged on the
    first."""
    from django.db import connection

    from reporting.insights.models import TaskRollup

    # Counted in the database, nothing crosses the wire (the roll-up does INSERT … SELECT).
    # MATERIALIZED: PostgreSQL would otherwise drop the aggregates nobody reads.
    sql = f"WITH g AS MATERIALIZED ({floor_sql()}) SELECT count(*) FROM g"
    totals, floors, empties, per_program = [], [], [], {}
    rows = {}
    floor_rows = 0
    from reporting.insights.rollups import ROLLUP_MODELS, rollup_compute
    from tasks_catalog.models import Program

    programs = list(Program.objects.all())
    for _ in range(ROLLUP_RUNS):
        results = rollup_all(today)
        for code, (ms, n) in results.items():
            per_program.setdefault(code, []).append(ms)
            rows[code] = n
        # The full roll-up: every program in one pass, as the nightly run does it.
        start = time.perf_counter()
        rollup_compute(programs=programs, today=today)
        totals.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [today])
            floor_rows = cursor.fetchone()[0]
        floors.append((time.perf_counter() - start) * 1000)
        # From empty tables (a first run, or after a restore without them): every row written.
        for model in ROLLUP_MODELS:
            model.objects.all().delete()
        start = time.perf_counter()
        rollup_compute(programs=programs, today=today)
        empties.append((time.perf_counter() - start) * 1000)
    return {
        "total_ms": statistics.median(totals),
        "empty_ms": statistics.median(empties),
        "floor_ms": statistics.median(floors),
        "floor_rows": floor_rows,
        "task_rollup_rows": TaskRollup.objects.count(),
        "statements": rollup_statements(today),
        "programs": {
            code: {"ms": statistics.median(samples), "rows": rows[code]}
            for code, samples in per_program.items()
        },
    }


# --- pages ----------------------------------------------------------------------------------------


def busiest_province() -> str:
    """The provincial authority with the most pilot consortia in the program."""
    from django.db.models import Count

    from consortia.models import Consortium

    row = (
        Consortium.objects.filter(program__code=PROGRAM, pilot_since__isnull=False)
        .values("authority__code")
        .annotate(n=Count("id"))
        .order_by("-n", "authority__code")
        .first()
    )
    return row["authority__code"] if row else "110000"


def page_cases(province: str) -> list[tuple[str, str, dict]]:
    """Every dashboard page and dashboard API endpoint (reporting/insights/urls.py and
    reporting/insights/api/urls.py, and the final stage's tab under /dashboards/final/) that
    answers a GET with a page or figures; downloads and the POSTs are left out."""
    json = {"Accept": "application/json"}
    q = f"program={PROGRAM}"
    return [
        ("overview, national", f"/dashboards/?{q}", {}),
        ("overview, busiest province", f"/dashboards/?{q}&province={province}", {}),
        ("heatmap, national (page 1)", f"/dashboards/heatmap/?{q}", {}),
        ("heatmap, province (page 1)", f"/dashboards/heatmap/?{q}&province={province}", {}),
        ("tasks, national", f"/dashboards/tasks/?{q}", {}),
        ("report rows, expected (page 1)", f"/dashboards/reports/?{q}&flag=expected", {}),
        ("entry rows, attention (page 1)", f"/dashboards/entries/?{q}&status=attention", {}),
        ("summaries list", "/dashboards/summaries/", {}),
        ("exports list", "/dashboards/exports/", {}),
        ("final stage", f"/dashboards/final/?{q}", {}),
        ("API overview, national", f"/api/v1/dashboards/overview/?{q}", json),
        ("API overview, province", f"/api/v1/dashboards/overview/?{q}&province={province}", json),
        ("API tasks, national", f"/api/v1/dashboards/tasks/?{q}", json),
        ("API heatmap, national (page 1)", f"/api/v1/dashboards/heatmap/?{q}", json),
        ("API report rows (page 1)", f"/api/v1/dashboards/reports/?{q}&flag=expected", json),
        ("API entry rows (page 1)", f"/api/v1/dashboards/entries/?{q}&status=attention", json),
        ("API status", f"/api/v1/dashboards/status/?{q}", json),
        ("API summaries", "/api/v1/summaries/", json),
        ("API exports", "/api/v1/exports/", json),
        ("API final stage", f"/api/v1/dashboards/final/?{q}", json),
    ]


def in_process(user, cases, runs: int | None = None) -> dict[str, dict]:
    """Per page, through the test client (no network): status, size, p50 of wall and CPU time
    of this process (CPU leaves out the database server and other processes' load), the query
    count and the slowest queries of one more request."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    runs = runs or IN_PROCESS_RUNS
    client = Client()
    force_login(client, user)
    out = {}
    for name, path, headers in cases:
        client.get(path, headers=headers)  # warm caches (templates, translations)
        wall, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(path, headers=headers)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        # The first view after a run: the overview's figures are not cached yet.
        cold = []
        for _ in range(runs):
            cache.clear()
            start = time.perf_counter()
            client.get(path, headers=headers)
            cold.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, headers=headers)
        queries = sorted(ctx.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        out[name] = {
            "cold_ms": statistics.median(cold),
            "status": response.status_code,
            "kib": len(response.content) // 1024,
            "queries": len(ctx.captured_queries),
            "ms": statistics.median(wall),
            "cpu_ms": statistics.median(cpu),
            "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
            "slowest": [(float(q["time"]) * 1000, q["sql"]) for q in queries[:SLOWEST_SHOWN]],
        }
    return out


def measure_pages(user, cases, *, repeat: int) -> tuple[dict, dict]:
    """(gunicorn timings per page, in-process figures per page); pages not there are skipped."""
    local = in_process(user, cases)
    cookie = session_cookie(user)
    served = {"load": [os.getloadavg()[0]]}
    with gunicorn() as base:
        served["floor: /healthz via gunicorn"] = timed(
            lambda: http_get(f"{base}/healthz"), repeat=repeat, warmup=WARMUP
        )
        for name, path, headers in cases:
            if local[name]["status"] != 200:
                continue

            def get(path=path, headers=headers):
                http_get(base + path, {**headers, "Cookie": cookie})

            served[name] = timed(get, repeat=repeat, warmup=WARMUP)
    served["load"].append(os.getloadavg()[0])
    return served, local


# --- summary PDF ----------------------------------------------------------------------------------


def measure_summary(user) -> dict:
    """The national summary of the program's latest past-due period, through the service:
    ``summary_request`` (permission, coalescing, audit; its Celery dispatch held back) and then
    ``summary_render`` (the task's body: figures, template, WeasyPrint, storage), timed.

    If the service fails, the error is reported and ``summary_pdf`` (figures, template and
    WeasyPrint, no storage) is timed instead, so there is still a figure for the PDF itself.
    """
    from unittest import mock

    from django.utils import translation

    from portal.pdf import pdf_page_count, render_html
    from reporting.insights import dashboards as d
    from reporting.insights.rollups import rollup_status
    from reporting.insights.summaries import (
        PDF_LANGUAGE,
        PDF_TEMPLATE,
        summary_context,
        summary_pdf,
        summary_render,
        summary_request,
    )
    from tasks_catalog.models import Program

    program = Program.objects.get(code=PROGRAM)
    period = d.default_period(program=program)
    scope = d.Scope(program, period)
    samples, context_samples, html_samples, error, pages, size = [], [], [], None, 0, 0
    for _ in range(PDF_RUNS):
        if error is None:
            with mock.patch("portal.jobs.dispatch_on_commit"):
                document = summary_request(actor=user, scope=scope)
            start = time.perf_counter()
            try:
                document = summary_render(document_id=document.pk)
            except Exception as exc:
                error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
            else:
                samples.append(time.perf_counter() - start)
                pages, size = document.pages, document.size
        if error is not None:  # the service failed: the PDF alone
            run = rollup_status(program=program)["last"]
            start = time.perf_counter()
            content = summary_pdf(scope=scope, rollup_run=run)
            samples.append(time.perf_counter() - start)
            pages, size = pdf_page_count(content), len(content)
        start = time.perf_counter()
        with translation.override(PDF_LANGUAGE):
            context = summary_context(scope=scope)
        context_samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_html(PDF_TEMPLATE, context, language=PDF_LANGUAGE)
        html_samples.append(time.perf_counter() - start)
    return {
        "period": period.code,
        "s": statistics.median(samples),
        "context_s": statistics.median(context_samples),
        "html_s": statistics.median(html_samples),
        "pages": pages,
        "kib": size // 1024,
        "error": error,
        "timed": "summary_pdf (service failed)" if error else "summary_render",
    }


# --- one size -------------------------------------------------------------------------------------


def run_size(consortia: int, *, repeat: int) -> dict:
    from dashboard_data import BENCH_USERNAME, generate
    from django.utils import timezone

    from portal.models import User

    today = timezone.localdate()
    print(f"\n=== {consortia:,} consortia ===", flush=True)
    start = time.perf_counter()
    counts = generate(consortia=consortia, seed=SEED, programs=PROGRAMS)
    print(
        f"generated in {time.perf_counter() - start:.1f} s: {counts['consortia']} consortia, "
        f"{counts['pilots']} pilots, {counts['reports']} reports, {counts['entries']} task "
        f"entries, {counts['datasets']} datasets",
        flush=True,
    )
    first = rollup_all(today)
    record_runs(first, today)
    analyze()
    rollups = measure_rollups(today)
    print(
        f"roll-ups: all programs in one pass p50 {rollups['total_ms']:.1f} ms (from empty tables "
        f"{rollups['empty_ms']:.1f} ms), floor GROUP BY p50 "
        f"{rollups['floor_ms']:.1f} ms ({rollups['floor_rows']} groups; TaskRollup rows "
        f"{rollups['task_rollup_rows']})",
        flush=True,
    )

    increments = rollup_increments.measure(today, runs=INCREMENT_RUNS)
    print(
        "increments (p95 ms): "
        + ", ".join(f"{k} {v['p95_ms']:.1f}" for k, v in increments.items() if isinstance(v, dict)),
        flush=True,
    )

    user = User.objects.get(username=BENCH_USERNAME)
    province = busiest_province()
    cases = page_cases(province)
    served, local = measure_pages(user, cases, repeat=repeat)
    rows = []
    for name, _path, _headers in [("floor: /healthz via gunicorn", "", {}), *cases]:
        info = local.get(name, {})
        if name in served:
            rows.append((name, {**served[name], "queries": info.get("queries", "")}))
        else:
            rows.append((name, {"n": 0, "p50_ms": "-", "p95_ms": "-", "max_ms": "-"}))
    load = served.pop("load")
    print(
        f"\nPages via gunicorn (2 workers), n={repeat} sequential GETs after 10 warm-up, "
        f"province {province}; load average {load[0]:.2f} before, {load[1]:.2f} after "
        f"({os.cpu_count()} CPUs)"
    )
    print(
        "in-process (test client, p50 of 10): wall ms, CPU ms of this process, SQL ms and "
        "response KiB of one more request"
    )
    print(
        f"{'case':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} "
        f"{'wall':>7} {'CPU':>7} {'SQL':>7} {'KiB':>5}"
    )
    for name, r in rows:
        info = local.get(name)
        status = "" if info is None or info["status"] == 200 else f"  HTTP {info['status']}"
        extra = (
            f"{info['ms']:>7.1f} {info['cpu_ms']:>7.1f} {info['sql_ms']:>7.1f} {info['kib']:>5}"
            if info
            else ""
        )
        print(
            f"{name:<34} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} "
            f"{r.get('queries', ''):>8} {extra}{status}"
        )
    summary = measure_summary(user)
    if summary["error"]:
        print(f"\nSUMMARY SERVICE FAILED: {summary['error']}")
    print(
        f"\nSummary PDF ({PROGRAM} {summary['period']}, national) via {summary['timed']}: "
        f"p50 {summary['s']:.2f} s "
        f"of {PDF_RUNS}, {summary['pages']} pages, {summary['kib']} KiB "
        f"(of which, timed apart: figures and text {summary['context_s'] * 1000:.0f} ms, "
        f"template {summary['html_s'] * 1000:.0f} ms; the rest is WeasyPrint and storage)",
        flush=True,
    )
    return {
        "consortia": consortia,
        "counts": counts,
        "province": province,
        "rollups": rollups,
        "increments": increments,
        "served": served,
        "local": local,
        "summary": summary,
        "cases": [name for name, _p, _h in cases],
    }


# --- report ---------------------------------------------------------------------------------------


def print_slowest(result: dict) -> None:
    print(f"\nSlowest SQL per page at {result['consortia']:,} consortia (in-process)")
    for name in result["cases"]:
        info = result["local"][name]
        if info["status"] != 200:
            continue
        print(f"  {name}: {info['queries']} queries, {info['sql_ms']:.1f} ms of SQL")
        for ms, sql in info["slowest"]:
            print(f"    {ms:7.1f} ms  {sql_gist(sql)}")


def sql_gist(sql: str, width: int = 200) -> str:
    """The FROM … part of a query (its columns say little), shortened in the middle."""
    text = " ".join(sql.split()).replace('"', "")
    at = text.find(" FROM ")
    if at > 0:
        head = text.split(" (")[0] if text.startswith("INSERT") else text[:6]
        text = f"{head} …{text[at:]}"
    return text if len(text) <= width else f"{text[: width - 70]} … {text[-65:]}"


def verdict(ok: bool | None) -> str:
    if SMOKE:
        return "(smoke: not judged)"
    return "n/a" if ok is None else ("meets" if ok else "MISSES")


def print_final(small: dict, large: dict, database: str) -> None:
    """Each figure at both sizes beside its floor or goal."""
    lines = []  # (figure, at 20, at 2,000, goal or floor, met: True / False / None)
    floor = "floor: /healthz via gunicorn"
    a, b = small["served"].get(floor), large["served"].get(floor)
    lines.append(("/healthz p95 ms", a["p95_ms"], b["p95_ms"], "(floor)", None))
    for name in large["cases"]:
        a, b = small["served"].get(name), large["served"].get(name)
        if a is None or b is None:
            lines.append((f"{name} p95 ms", "missing", "missing", f"≤ {P95_GOAL_MS} ms", False))
            continue
        met = max(a["p95_ms"], b["p95_ms"]) <= P95_GOAL_MS
        lines.append((f"{name} p95 ms", a["p95_ms"], b["p95_ms"], f"≤ {P95_GOAL_MS} ms", met))
        qa, qb = small["local"][name]["queries"], large["local"][name]["queries"]
        lines.append((f"{name} queries", qa, qb, "same at both sizes", qa == qb))
        ca, cb = small["local"][name]["cold_ms"], large["local"][name]["cold_ms"]
        lines.append(
            (f"{name}, uncached in-process p50 ms", f"{ca:.1f}", f"{cb:.1f}", "(first view)", None)
        )
    ra, rb = small["rollups"], large["rollups"]
    lines.append(
        (
            "roll-up, all programs (one pass) p50 ms",
            f"{ra['total_ms']:.1f}",
            f"{rb['total_ms']:.1f}",
            "(nightly: rows current)",
            None,
        )
    )
    lines.append(
        (
            "… from empty tables p50 ms",
            f"{ra['empty_ms']:.1f}",
            f"{rb['empty_ms']:.1f}",
            "(every row written)",
            None,
        )
    )
    lines.append(
        ("one GROUP BY p50 ms", f"{ra['floor_ms']:.1f}", f"{rb['floor_ms']:.1f}", "(floor)", None)
    )
    ratio_a, ratio_b = ra["total_ms"] / ra["floor_ms"], rb["total_ms"] / rb["floor_ms"]
    lines.append(
        (
            "roll-ups / floor",
            f"{ratio_a:.1f}×",
            f"{ratio_b:.1f}×",
            f"≤ {ROLLUP_GOAL:g}× (at 2,000)",
            ratio_b <= ROLLUP_GOAL,
        )
    )
    sa, sb = small["summary"], large["summary"]
    star = " *" if sa["error"] or sb["error"] else ""
    met = max(sa["s"], sb["s"]) <= PDF_GOAL_S
    lines.append(
        (f"summary PDF p50 s{star}", f"{sa['s']:.2f}", f"{sb['s']:.2f}", f"≤ {PDF_GOAL_S:g} s", met)
    )
    lines.append(("summary PDF pages", sa["pages"], sb["pages"], "", None))

    print(f"\nFinal ({database})")
    sizes = f"{small['consortia']:>10,} {large['consortia']:>10,}"
    print(f"{'figure (consortia →)':<58} {sizes}  {'goal / floor':<22} verdict")
    for label, x, y, goal, ok in lines:
        shown = "" if ok is None else verdict(ok)
        print(f"{label:<58} {x!s:>10} {y!s:>10}  {goal:<22} {shown}")
    if star:
        print(f"* the summary service failed ({sb['error'] or sa['error']}): summary_pdf timed")


def increments_at(consortia: int) -> dict:
    """Generate ``consortia`` (roll-ups only: no pages, no PDF), one full run, then the
    increments timed."""
    from dashboard_data import generate
    from django.utils import timezone

    today = timezone.localdate()
    print(f"\n=== {consortia:,} consortia (incremental roll-ups only) ===", flush=True)
    start = time.perf_counter()
    counts = generate(consortia=consortia, seed=SEED, programs=PROGRAMS)
    print(
        f"generated in {time.perf_counter() - start:.1f} s: {counts['reports']} reports, "
        f"{counts['entries']} task entries",
        flush=True,
    )
    start = time.perf_counter()
    rollup_all(today)
    print(f"full roll-up of every program: {(time.perf_counter() - start) * 1000:.0f} ms")
    analyze()
    return rollup_increments.measure(today, runs=INCREMENT_RUNS)


def print_increments(results: dict[int, dict]) -> None:
    sizes = sorted(results)
    print(f"\nIncremental roll-ups (one consortium's change, p95 of {INCREMENT_RUNS} commits)")
    header = " ".join(f"{s:>10,}" for s in sizes)
    print(f"{'figure (consortia →)':<44} {header}  {'goal':<14} verdict")
    for label, values, goal, ok in rollup_increments.lines(results):
        shown = "" if ok is None else verdict(ok)
        row = " ".join(f"{values[s]!s:>10}" for s in sizes)
        print(f"{label:<44} {row}  {goal:<14} {shown}")


def print_rollup_detail(result: dict) -> None:
    r = result["rollups"]
    print(f"\nRoll-ups per program at {result['consortia']:,} consortia (p50 of {ROLLUP_RUNS})")
    print(f"{'program':<20} {'p50 ms':>9} {'rows':>8}")
    for code, p in r["programs"].items():
        print(f"{code:<20} {p['ms']:>9.1f} {p['rows']:>8}")
    print(
        f"{'all, one pass':<20} {r['total_ms']:>9.1f} {sum(p['rows'] for p in r['programs'].values()):>8}"
    )
    print(f"{'floor: GROUP BY':<20} {r['floor_ms']:>9.1f} {r['floor_rows']:>8}")
    (total, count), *top = r["statements"]
    print(f"{PROGRAM}, one run: {count}, {total:.0f} ms of SQL; the slowest:")
    for ms, sql in top:
        print(f"  {ms:7.1f} ms  {sql_gist(sql)}")


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    add_smoke_argument(parser)
    args = parser.parse_args()
    if args.smoke:  # tiny sizes, one repetition: proves the benchmark still runs (./dev test)
        global SIZES, ROLLUP_RUNS, PDF_RUNS, WARMUP, IN_PROCESS_RUNS, SMOKE
        global INCREMENT_SIZE, INCREMENT_RUNS, BENCH_DB
        SIZES, ROLLUP_RUNS, PDF_RUNS, WARMUP, IN_PROCESS_RUNS = (4, 8), 1, 1, 1, 1
        BENCH_DB = f"{BENCH_DB}_smoke"  # never the database of a real run going on
        INCREMENT_SIZE, INCREMENT_RUNS = 12, 1
        SMOKE = True
        args.repeat = 1
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped by the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    media = None
    if not os.environ.get("MEDIA_ROOT"):  # rendered summaries: not in the repository's var/
        media = os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="portal-bench-media-")
    try:
        run(args.repeat)
    finally:
        if media:
            shutil.rmtree(media, ignore_errors=True)


def run(repeat: int) -> None:
    database = prepare_database()
    setup_django()  # migrates
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    # A line per login and per run's corrections would bury the figures.
    for name in ("axes", "reporting.insights.rollups"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from django.db import connection

    database = f"{connection.vendor}: {database}"
    print(f"Database: {database}; settings {SETTINGS}; MEDIA_ROOT {os.environ['MEDIA_ROOT']}")

    clear_bench_data()
    small = run_size(SIZES[0], repeat=repeat)
    clear_bench_data()
    large = run_size(SIZES[1], repeat=repeat)
    clear_bench_data()
    increments = {large["consortia"]: large["increments"]}
    increments[INCREMENT_SIZE] = increments_at(INCREMENT_SIZE)

    print_rollup_detail(small)
    print_rollup_detail(large)
    print_slowest(large)
    print_final(small, large, database)
    print_increments(increments)


if __name__ == "__main__":
    main()
