"""Load test: a mixed scenario of five request types, driven by locust against gunicorn.

    .venv/bin/python bench/load.py [--users 20] [--spawn-rate 5] [--duration 60s]
                                   [--worker-class sync|gthread|both] [--threads 4]

In one run on one database:

- database: DATABASE_URL if set; otherwise a scratch PostgreSQL database ``load_bench`` on
  postgres://postgres@127.0.0.1:5432/ (dropped and created, dropped again at the end), or, if
  PostgreSQL cannot be reached, a temporary SQLite file (with a warning);
- data: ``dashboard_data.generate`` at 2,000 consortia (3 programs, 37 provincial authorities)
  and its roll-ups, as ``bench/dashboards.py`` prepares them; then the people of the scenario: the
  bench Ministry user, a provincial-authority user of the busiest province and one consortium
  lead per simulated user, each the lead of a pilot with the most tasks, its report of the open
  period a draft with two evidence files per task (a realistic, large report page);
- in-process (Django test client, no network): CPU ms of this process per request type (p50),
  the query count and the response size, the figures a request costs the server whatever the
  load;
- under load: ``gunicorn --workers 3`` (``--worker-class``: sync by default, as
  portal/gunicorn.conf.py; ``both`` runs sync and then gthread with ``--threads`` on the same
  data, which is how sync was chosen: see the README's "Load test"; each worker keeps its
  database connection ``--conn-max-age`` seconds, 60 as production: 0 opens one a request), then
  ``locust -f bench/locustfile.py --headless -u 20 -r 5 -t 60s``: every simulated user sends its
  next request as soon as the previous one is answered (no think time: a closed loop, so by
  Little's law 100 req/s from 20 users means ~200 ms per request on average). The five request
  types are equally likely (``bench/locustfile.py``): the Ministry dashboard, the province's
  home, the lead's report page, the lead's report save (the page's autosave: the whole form
  posted, answered in JSON, really saved) and the consortia list of the API. Printed: total
  req/s, p50/p95 per request type, failures, the CPU the gunicorn workers used per request, and
  the verdict against the goal: at least 100 req/s mixed at p95 at most 300 ms for 20 users with
  3 gunicorn workers on the 2-core machine.

``--smoke``: a tiny data set, 2 users for ~5 s, no verdicts (tests/test_benchmarks.py).
"""

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    add_smoke_argument,
    force_login,
    gunicorn,
    scratch_database,
    scratch_database_drop,
    session_cookie,
    setup_django,
)

PROGRAM = "idfa-2026"
CONSORTIA = 2000
PROGRAMS = 3
SEED = 2026
SETTINGS = "portal.settings.test"
BENCH_DB = "load_bench"
WORKERS = 3
THREADS = 4
CONN_MAX_AGE = 60  # as production (portal/settings/production.py)
WORKER_CLASS = "sync"  # measured against gthread (--worker-class both): README, "Load test"
USERS = 20
SPAWN_RATE = 5
DURATION = "60s"
GOAL_RPS = 100
GOAL_P95_MS = 300
EVIDENCE_PER_TASK = 2
IN_PROCESS_RUNS = 10
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
SMOKE = False  # --smoke: the figures prove the code runs, nothing more; no verdicts

# The request types of bench/locustfile.py, in its order (the names locust reports).
REQUEST_TYPES = [
    "ministry dashboard",
    "province home",
    "lead report page",
    "lead report save",
    "API consortia list",
]


# --- data and people ------------------------------------------------------------------------------


def prepare_data(consortia: int) -> dict:
    """The data set and its roll-ups, as bench/dashboards.py prepares them."""
    from dashboard_data import generate
    from dashboards import analyze, record_runs, rollup_all
    from django.utils import timezone

    today = timezone.localdate()
    start = time.perf_counter()
    counts = generate(consortia=consortia, seed=SEED, programs=PROGRAMS)
    record_runs(rollup_all(today), today)
    analyze()
    print(
        f"data: {counts['consortia']} consortia, {counts['pilots']} pilots, {counts['reports']} "
        f"reports, {counts['entries']} task entries, {counts['datasets']} datasets "
        f"({time.perf_counter() - start:.1f} s with the roll-ups)",
        flush=True,
    )
    return counts


def province_user(code: str):
    from dashboard_data import bench_account

    from portal.models import User

    return bench_account(
        "bench-province",
        role=User.Role.PROVINCIAL_AUTHORITY,
        organisation=code,
        email="bench-province@example.cn",
        last_name="基准",
        first_name="省厅",
    )


def open_period_drafts(count: int) -> list:
    """Reports of an open period whose consortia have the most tasks (the largest report pages),
    one per lead to come: drafts first; if there are too few (the smoke run's tiny data set),
    reports handed in are turned back into drafts (bench data only)."""
    from django.db.models import Case, Count, IntegerField, Value, When
    from django.utils import timezone

    from reporting.periods.models import ProgressReport
    from reporting.periods.selectors import period_is_final, period_is_open

    today = timezone.localdate()
    reports = (
        ProgressReport.objects.filter(period__opens_on__lte=today, period__locks_on__gte=today)
        .select_related("consortium", "period__calendar_entry")
        .annotate(
            tasks=Count("entries"),
            not_draft=Case(
                When(state="draft", then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("not_draft", "-tasks", "consortium_id")
    )
    out, seen = [], set()
    for report in reports.iterator():
        if report.consortium_id in seen or period_is_final(report.period):
            continue  # one lead per consortium; the final period has its own form
        if period_is_open(period=report.period, consortium=report.consortium):
            seen.add(report.consortium_id)
            out.append(report)
            if len(out) == count:
                break
    if len(out) < count:
        raise RuntimeError(f"only {len(out)} reports in an open period; {count} needed")
    ProgressReport.objects.filter(pk__in=[r.pk for r in out if r.state != "draft"]).update(
        state="draft"
    )
    return out


def lead_of(report, n: int):
    """A consortium-lead account for the report's consortium, as the plan's approval opens it
    (consortia/services/accounts.py): its own unit organisation, granted the consortium."""
    from guardian.shortcuts import assign_perm

    from consortia.permissions import VIEW_PERMISSION
    from portal.models import Organisation, User
    from portal.services import user_sync_role

    consortium = report.consortium
    organisation = Organisation.objects.create(
        code=f"BENCH-LEAD-{n}",
        kind=Organisation.Kind.UNIT,
        name_zh=consortium.lead_unit_name,
        name_en=consortium.lead_unit_name,
    )
    consortium.lead_organisation = organisation
    consortium.save(update_fields=["lead_organisation"])
    user = User.objects.create(
        username=f"bench-lead-{n}",
        role=User.Role.CONSORTIUM_LEAD,
        organisation=organisation,
        last_name=consortium.contact_name,
        email=f"bench-lead-{n}@example.cn",
    )
    user.set_unusable_password()
    user.save()
    user_sync_role(user=user)
    assign_perm(VIEW_PERMISSION, user, consortium)
    return user


def add_evidence(report, user) -> int:
    """EVIDENCE_PER_TASK evidence rows per task entry (names only: the page lists and links them,
    it never opens the files)."""
    from reporting.periods.models import Evidence

    rows = [
        Evidence(
            entry=entry,
            file=f"reports/evidence/bench-{entry.pk}-{i}.pdf",
            original_name=f"任务{entry.task.number}佐证材料{i + 1}.pdf",
            sha256="0" * 64,
            size=123_456,
            content_type="application/pdf",
            uploaded_by=user,
        )
        for entry in report.entries.select_related("task")
        for i in range(EVIDENCE_PER_TASK)
    ]
    Evidence.objects.bulk_create(rows)
    return len(rows)


def form_data(report) -> dict:
    """What the report page's form posts as it stands (its fields' current values): what the
    page's autosave sends, with ``intent=autosave``."""
    from django import forms

    from reporting.periods.forms import ReportForm

    entries = list(report.entries.select_related("task__category"))
    initial = {k: getattr(report, k) for k in ("summary", "key_figures", "problems", "requests")}
    initial["revision"] = report.revision
    form = ReportForm(entries=entries, initial=initial)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name.endswith("_file"):
            continue
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    data["intent"] = "autosave"
    return data


def prepare_people(leads: int) -> dict:
    """The scenario's people and what locust needs of them (bench/locustfile.py)."""
    from dashboard_data import BENCH_USERNAME
    from dashboards import busiest_province

    from portal.models import User

    ministry = User.objects.get(username=BENCH_USERNAME)
    province_code = busiest_province()
    province = province_user(province_code)
    lead_rows = []
    evidence = 0
    for n, report in enumerate(open_period_drafts(leads), start=1):
        user = lead_of(report, n)
        evidence += add_evidence(report, user)
        lead_rows.append(
            {
                "user": user,
                "cookie": session_cookie(user),
                "path": f"/reports/{report.consortium_id}/{report.period.code}/",
                "form": form_data(report),
                "tasks": report.tasks,
            }
        )
    tasks = [row["tasks"] for row in lead_rows]
    print(
        f"people: Ministry staff, provincial authority {province_code}, {len(lead_rows)} leads "
        f"(reports of {min(tasks)}–{max(tasks)} tasks, {EVIDENCE_PER_TASK} evidence files each)",
        flush=True,
    )
    return {
        "ministry": ministry,
        "province": province,
        "leads": lead_rows,
        "paths": {
            "ministry dashboard": f"/dashboards/?program={PROGRAM}",
            "province home": "/home/province/",
            "API consortia list": "/api/v1/consortia/",
        },
    }


def sessions_file(people: dict, folder: Path) -> Path:
    """The JSON bench/locustfile.py reads (LOAD_BENCH_SESSIONS): cookies, paths, forms."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    path = folder / "sessions.json"
    path.write_text(
        json.dumps(
            {
                "ministry": session_cookie(people["ministry"]),
                "province": session_cookie(people["province"]),
                "paths": people["paths"],
                "leads": [
                    {
                        "cookie": f"{row['cookie']}; {settings.CSRF_COOKIE_NAME}={csrf}",
                        "csrf": csrf,
                        "path": row["path"],
                        "form": row["form"],
                    }
                    for row in people["leads"][1:]  # the first is in_process()'s
                    # The CSRF cookie a browser gets with the page, and sends back in the header.
                    for csrf in [get_random_string(32)]
                ],
            },
            ensure_ascii=False,
        )
    )
    return path


# --- in-process cost ------------------------------------------------------------------------------


def in_process(people: dict, runs: int, *, profile: bool = False) -> dict[str, dict]:
    """Per request type, through the test client: p50 wall and CPU ms of this process, queries,
    response KiB, status. The save posts the form with one field changed each time, so every
    save really writes. ``profile``: also print each type's costliest functions (cProfile)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def client_for(user):
        client = Client()
        force_login(client, user)
        return client

    ministry, province = client_for(people["ministry"]), client_for(people["province"])
    lead = people["leads"][0]
    lead_client = client_for(lead["user"])
    form = dict(lead["form"])
    saves = iter(range(10**6))

    def save():
        form["summary"] = f"{lead['form']['summary']}（自动保存 {next(saves)}）"
        response = lead_client.post(lead["path"], form, headers={"Accept": "application/json"})
        if response.status_code == 200:
            form["revision"] = str(response.json()["revision"])
        return response

    json_headers = {"Accept": "application/json"}
    cases = {
        "ministry dashboard": lambda: ministry.get(people["paths"]["ministry dashboard"]),
        "province home": lambda: province.get(people["paths"]["province home"]),
        "lead report page": lambda: lead_client.get(lead["path"]),
        "lead report save": save,
        "API consortia list": lambda: ministry.get(
            people["paths"]["API consortia list"], headers=json_headers
        ),
    }
    out = {}
    for name, request in cases.items():
        request()  # warm caches (templates, translations)
        wall, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            request()
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            response = request()
        out[name] = {
            "status": response.status_code,
            "kib": len(response.content) // 1024,
            "queries": len(ctx.captured_queries),
            "ms": statistics.median(wall),
            "cpu_ms": statistics.median(cpu),
        }
        if profile:
            print_profile(name, request, runs)
    return out


def print_profile(name: str, request, runs: int) -> None:
    """The functions that cost ``request`` the most over ``runs`` calls: own time and cumulative."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        request()
    profiler.disable()
    # Own time over everything; cumulative time over the project's own functions only.
    project = rf"^{ROOT}/(?!\.venv|bench)"
    for order, restrictions in (("tottime", (25,)), ("cumulative", (project, 30))):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(*restrictions)
        text = out.getvalue()
        print(f"\n=== {name}: by {order}, {runs} requests ===")
        print(text[text.find("ncalls") :], flush=True)


# --- under load -----------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU seconds of the processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def run_locust(base: str, sessions: Path, *, users: int, spawn_rate: int, duration: str) -> dict:
    """locust headless against ``base``; its figures per request type and aggregated."""
    folder = sessions.parent
    prefix = folder / "locust"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        duration,
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOAD_BENCH_SESSIONS": str(sessions)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    stats_path = prefix.with_name("locust_stats.csv")
    if not stats_path.exists():
        raise RuntimeError(f"locust failed ({result.returncode}):\n{result.stderr[-3000:]}")
    rows = {}
    with open(stats_path, newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "n": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]) if row["50%"] != "N/A" else 0.0,
                "p95": float(row["95%"]) if row["95%"] != "N/A" else 0.0,
                "max": float(row["Max Response Time"]),
            }
    failures = []
    failures_path = prefix.with_name("locust_failures.csv")
    if failures_path.exists():
        with open(failures_path, newline="") as f:
            failures = [
                f"{r['Name']}: {r['Error']} (×{r['Occurrences']})" for r in csv.DictReader(f)
            ]
    return {"rows": rows, "failures": failures, "stderr": result.stderr}


def server_database_url(url: str, conn_max_age: int) -> str:
    """``url`` with the connection kept ``conn_max_age`` seconds across requests, as production
    keeps it (``CONN_MAX_AGE``, portal/settings/production.py; the test settings the workers run
    with would otherwise open a connection per request)."""
    if not conn_max_age or not url.startswith("postgres"):
        return url
    return f"{url}{'&' if '?' in url else '?'}conn_max_age={conn_max_age}&conn_health_checks=True"


def measure_load(sessions: Path, *, worker_class: str, threads: int, args) -> dict:
    load_before = os.getloadavg()[0]
    server = gunicorn(workers=WORKERS, worker_class=worker_class, threads=threads)
    url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = server_database_url(url, args.conn_max_age)
    try:
        result = _measure_load(server, sessions, args)
    finally:
        os.environ["DATABASE_URL"] = url
    result["load"] = (load_before, os.getloadavg()[0])
    return result


def _measure_load(server, sessions: Path, args) -> dict:
    with server as base:
        cpu_before = cpu_seconds(server.pids())
        result = run_locust(
            base, sessions, users=args.users, spawn_rate=args.spawn_rate, duration=args.duration
        )
        result["cpu_s"] = cpu_seconds(server.pids()) - cpu_before
    return result


# --- report ---------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    if SMOKE:
        return "(smoke: not judged)"
    return "meets" if ok else "MISSES"


def print_in_process(local: dict) -> None:
    print(f"\nIn-process cost per request type (test client, p50 of {IN_PROCESS_RUNS})")
    print(f"{'request type':<24} {'wall ms':>8} {'CPU ms':>8} {'queries':>8} {'KiB':>5} status")
    for name in REQUEST_TYPES:
        r = local[name]
        print(
            f"{name:<24} {r['ms']:>8.1f} {r['cpu_ms']:>8.1f} {r['queries']:>8} {r['kib']:>5} "
            f"{r['status']}"
        )


def print_load(result: dict, *, label: str, args) -> bool:
    rows = result["rows"]
    total = rows.get("Aggregated", {"n": 0, "failures": 0, "rps": 0.0, "p50": 0, "p95": 0})
    print(
        f"\nUnder load: {label}, locust -u {args.users} -r {args.spawn_rate} -t {args.duration}; "
        f"load average {result['load'][0]:.2f} before, {result['load'][1]:.2f} after "
        f"({os.cpu_count()} CPUs)"
    )
    print(
        f"{'request type':<24} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'failures':>8}"
    )
    for name in [*REQUEST_TYPES, "Aggregated"]:
        r = rows.get(name)
        if r is None:
            print(f"{name:<24} {'(none)':>8}")
            continue
        print(
            f"{name:<24} {r['n']:>8} {r['rps']:>7.1f} {r['p50']:>7.0f} {r['p95']:>7.0f} "
            f"{r['max']:>7.0f} {r['failures']:>8}"
        )
    if total["n"]:
        print(
            f"gunicorn CPU: {result['cpu_s']:.1f} s for {total['n']} requests = "
            f"{result['cpu_s'] * 1000 / total['n']:.1f} CPU ms per request (all workers)"
        )
    for line in result["failures"][:10]:
        print(f"  failure: {line}")
    ok = total["rps"] >= GOAL_RPS and 0 < total["p95"] <= GOAL_P95_MS and not total["failures"]
    print(
        f"Goal: ≥ {GOAL_RPS} req/s mixed at p95 ≤ {GOAL_P95_MS} ms, no failures, {args.users} "
        f"users, {WORKERS} workers: {total['rps']:.1f} req/s at p95 {total['p95']:.0f} ms, "
        f"{total['failures']} failures → {verdict(ok)}"
    )
    return ok


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--spawn-rate", type=int, default=SPAWN_RATE)
    parser.add_argument("--duration", default=DURATION)
    parser.add_argument(
        "--worker-class",
        choices=["sync", "gthread", "both"],
        default=WORKER_CLASS,
        help="gunicorn's worker class; both: one run with each, on the same data",
    )
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per gthread worker")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=CONN_MAX_AGE,
        help="seconds the workers keep a database connection (production: 60; 0: a new "
        "connection per request)",
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop load_bench")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the in-process figures, print each request type's costliest functions "
        "(cProfile) and skip the load",
    )
    add_smoke_argument(parser)
    args = parser.parse_args()
    global CONSORTIA, IN_PROCESS_RUNS, SMOKE, BENCH_DB
    if args.smoke:  # tiny data, 2 users for a few seconds: proves the benchmark still runs
        CONSORTIA, IN_PROCESS_RUNS, SMOKE = 40, 1, True  # enough drafts of the open period
        BENCH_DB = f"{BENCH_DB}_smoke"  # never the database of a real run going on
        args.users, args.spawn_rate, args.duration = 2, 2, "5s"
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped by the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ.pop("REDIS_URL", None)  # each worker its own local cache, as the other benches
    folder = Path(tempfile.mkdtemp(prefix="portal-load-"))
    if not os.environ.get("MEDIA_ROOT"):
        os.environ["MEDIA_ROOT"] = str(folder / "media")
    database = scratch_database(BENCH_DB)
    try:
        run(args, folder, database)
    finally:
        if not args.keep_database:
            scratch_database_drop(BENCH_DB)
        shutil.rmtree(folder, ignore_errors=True)


def run(args, folder: Path, database: str) -> None:
    setup_django()  # migrates
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per session made
    from django.db import connection

    print(f"Database: {connection.vendor}: {database}; settings {SETTINGS}", flush=True)
    prepare_data(CONSORTIA)
    # One lead per simulated user, and one more for the in-process figures (its saves move its
    # report's revision on).
    people = prepare_people(max(args.users, 1) + 1)
    local = in_process(people, IN_PROCESS_RUNS, profile=args.profile)
    print_in_process(local)
    if args.profile:
        return
    sessions = sessions_file(people, folder)
    connection.close()  # gunicorn's workers and locust from here on
    classes = ["sync", "gthread"] if args.worker_class == "both" else [args.worker_class]
    for worker_class in classes:
        label = (
            f"gunicorn {WORKERS} {worker_class} workers"
            + (f" × {args.threads} threads" if worker_class == "gthread" else "")
            + f", CONN_MAX_AGE {args.conn_max_age}"
        )
        result = measure_load(sessions, worker_class=worker_class, threads=args.threads, args=args)
        print_load(result, label=label, args=args)
        if not result["rows"].get("Aggregated", {}).get("n"):
            raise SystemExit(f"locust sent no request:\n{result['stderr'][-3000:]}")


if __name__ == "__main__":
    main()
