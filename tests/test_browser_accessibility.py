"""In a real browser, axe-core finds nothing critical or serious on the key pages (issue 9).

The demo data is loaded (the same loaders as ``manage.py load_demo``) and the lead starts the
open quarter's report, so every page is reached with content: the login page, the three homes
(Ministry, province, consortium lead), a draft plan's form and task selection, the lead's
report open for entry, locked (its period closed while still a draft) and accepted, the lead's
deliverables, the Ministry's dashboard and heatmap, and the task catalogue; each in Chinese and
in English.

axe-core comes from the npm registry, pinned: ``./dev test`` installs it into ``var/node``
(never from a CDN). The test reads ``axe.min.js`` from there and injects it into each page.
"""

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings

from consortia.models import Consortium
from portal.demo import DEMO_PASSWORD, demo_loaders, ensure_demo_users
from reporting.periods import services
from reporting.periods.models import ProgressReport, ReportingPeriod
from reporting.periods.permissions import is_lead_of
from reporting.periods.selectors import period_is_open
from reporting.periods.workflows import ReportState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = (
    Path(django_settings.BASE_DIR) / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
)
#: The demo's "today": Q1–Q3 are past their lock dates, Q4 is open for entry.
DEMO_TODAY = dt.date(2026, 12, 2)
LANGUAGES = {"zh-hans": "zh-CN", "en": "en"}  # language code -> <html lang>
BLOCKING = ("critical", "serious")

RUN_AXE = """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
})))"""

#: axe-core 4.10 no longer reports duplicate ids (the rule is deprecated), but a label pointing at
#: an id worn by 23 inputs names none of them well: checked here beside axe-core.
DUPLICATE_IDS = """() => {
    const seen = {};
    document.querySelectorAll("[id]").forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
    return Object.keys(seen).filter(id => seen[id] > 1).map(id => "#" + id + " ×" + seen[id]);
}"""


#: Every Content-Security-Policy violation a page reports, kept on the page for the test to read.
WATCH_CSP = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber));"""


def inject_axe(page, source: str) -> None:
    """axe-core into the page from the test, not as an inline <script> (the portal's
    Content-Security-Policy refuses those, as it should)."""
    page.evaluate("(source) => { (0, eval)(source); }", source)


def watch_browser_errors(context) -> list[str]:
    """Console errors and uncaught exceptions of every page the context opens (CSP refusals are
    console errors too); ``csp_violations(page)`` reads the page's own violation events."""
    errors: list[str] = []
    context.add_init_script(WATCH_CSP)

    def on_page(page):
        page.on(
            "console",
            lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))

    context.on("page", on_page)
    return errors


def csp_violations(page) -> list[str]:
    return [f"{page.url}: {v}" for v in page.evaluate("() => window.__csp || []")]


def axe_source(path: Path = AXE_JS) -> str:
    if not path.exists():
        pytest.fail(
            f"{path} is missing: run `./dev test`, which installs the pinned axe-core "
            "from the npm registry into var/node"
        )
    return path.read_text(encoding="utf-8")


def load_demo() -> dict:
    users = ensure_demo_users()
    for loader in demo_loaders():
        loader(users=users, stdout=mock.Mock())
    return users


def key_pages(users) -> list[tuple[str | None, str, str, str, str | None]]:
    """(login, page name, URL, a selector that shows the page has its content, a button to click
    first or None)."""
    lead = users["lead"]
    consortium = next(
        c for c in Consortium.objects.filter(pilot_since__isnull=False) if is_lead_of(lead, c)
    )
    reports = ProgressReport.objects.filter(consortium=consortium).select_related("period")
    accepted = reports.filter(state=ReportState.ACCEPTED).order_by("period__due_date").first()
    locked = next(
        r
        for r in reports.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED])
        if not period_is_open(period=r.period, consortium=consortium)
    )
    period = next(
        p
        for p in ReportingPeriod.objects.filter(program=consortium.program).order_by("due_date")
        if period_is_open(period=p, consortium=consortium) and not reports.filter(period=p).exists()
    )
    open_report = services.report_start(actor=lead, consortium=consortium, period=period)
    draft_plan = Consortium.objects.get(
        authority=users["beijing"].organisation, plan__state="draft"
    )
    assert accepted is not None
    submitted = (
        ProgressReport.objects.filter(state=ReportState.SUBMITTED).select_related("period").first()
    )
    reviewer = next(
        u.username
        for u in users.values()
        if u.role == "provincial_authority"
        and u.organisation_id == submitted.consortium.authority_id
    )

    def report(r):
        return f"/reports/{r.consortium_id}/{r.period.code}/"

    program = consortium.program.code
    pages = [
        (None, "login", "/accounts/login/", "#id_username"),
        ("ministry", "home (Ministry)", "/home/ministry/", "[data-testid=home-title]"),
        ("beijing", "home (province)", "/home/province/", "[data-testid=home-title]"),
        ("beijing", "plan form", f"/consortia/{draft_plan.pk}/plan/", "form textarea"),
        ("beijing", "task selection", f"/consortia/{draft_plan.pk}/tasks/", "tr[data-task]"),
        ("lead", "home (consortium lead)", "/home/consortium/", "[data-testid=home-title]"),
        ("lead", "report open", report(open_report), "form textarea"),
        (
            "lead",
            "report submit confirmation",
            report(open_report),
            "[data-testid=confirm-title]",
            "[data-testid=submit-report]",
        ),
        ("lead", "report locked", report(locked), "h1"),
        ("lead", "report accepted", report(accepted), "h1"),
        (
            "lead",
            "deliverables",
            f"/reports/deliverables/{consortium.pk}/dataset/",
            "[data-testid=deliverable-table] tbody tr",
        ),
        (reviewer, "report under review", report(submitted), "[data-testid=review-form]"),
        ("ministry", "dashboard", "/dashboards/", "svg.chart"),
        ("ministry", "heatmap", "/dashboards/heatmap/", "[data-testid=heatmap]"),
        ("ministry", "catalog", "/catalog/", f"a[href='/catalog/{program}/']"),
        ("ministry", "catalog (program)", f"/catalog/{program}/", "[data-testid=task-table]"),
        ("ministry", "final summaries", "/reports/final/", "[data-testid=final-list]"),
    ]
    return [(*p, None) if len(p) == 4 else p for p in pages]


def test_key_pages_have_no_critical_or_serious_axe_violations(browser, live_server, reference_data):
    axe = axe_source()
    with mock.patch("django.utils.timezone.localdate", return_value=DEMO_TODAY):
        users = load_demo()
        pages = key_pages(users)
        found, counts = [], {}
        for language, html_lang in LANGUAGES.items():
            context, who = None, "?"
            for username, name, url, content, click in pages:
                if context is None or username != who:
                    if context is not None:
                        context.close()
                    context = browser.new_context(base_url=live_server.url)
                    browser_errors = watch_browser_errors(context)
                    context.add_cookies(
                        [{"name": "django_language", "value": language, "url": live_server.url}]
                    )
                    page = context.new_page()
                    page.set_default_timeout(15000)
                    who = username
                    if username:
                        page.goto("/accounts/login/")
                        page.fill("#id_username", username)
                        page.fill("#id_password", DEMO_PASSWORD)
                        page.click("[data-testid=login-submit]")
                        page.wait_for_load_state()
                response = page.goto(url)
                assert response.status == 200, (language, name, url, response.status)
                if click:
                    page.click(click)
                    page.wait_for_load_state()
                assert page.get_attribute("html", "lang") == html_lang, (language, name)
                assert page.locator(content).count() > 0, f"{name} ({url}) has no {content}"
                # Collapsed sections are checked too: axe-core skips what is not rendered.
                page.evaluate(
                    "() => document.querySelectorAll('details').forEach(d => d.open = true)"
                )
                # The strict Content-Security-Policy (no inline script or style) breaks nothing:
                # no violation, no console error, before axe-core is injected.
                found += [f"[{language}] {name}: CSP {v}" for v in csp_violations(page)]
                found += [f"[{language}] {name}: console {e}" for e in browser_errors]
                browser_errors.clear()
                inject_axe(page, axe)
                blocking = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
                if duplicates := page.evaluate(DUPLICATE_IDS):
                    blocking.append(
                        {
                            "id": "duplicate-id",
                            "impact": "critical",
                            "help": "id attribute values must be unique",
                            "targets": duplicates,
                        }
                    )
                counts[(language, name)] = sum(len(v["targets"]) for v in blocking)
                found += [
                    f"[{language}] {name} {url}: {v['id']} ({v['impact']}) {v['help']} — "
                    + ", ".join(v["targets"])
                    for v in blocking
                ]
            context.close()
        found += csp_walk_extra_pages(browser, live_server)
    print("\naxe-core critical+serious elements per page:")
    for (language, name), n in counts.items():
        print(f"  {language:8} {name:28} {n}")
    assert not found, "axe-core violations (critical/serious), CSP violations:\n" + "\n".join(found)


def csp_walk_extra_pages(browser, live_server) -> list[str]:
    """Under the Content-Security-Policy, pages with script of their own work: the final list's
    program filter submits itself (static/js/portal.js), the API docs (Swagger UI, its init script
    from ?script) render the operations, Redoc renders, and the admin's pages and periodic-task form
    run. Returns the violations and console errors found."""
    context = browser.new_context(base_url=live_server.url)
    errors = watch_browser_errors(context)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()
    found = []

    page.goto("/reports/final/")
    options = page.locator("#id_program option")
    other = options.nth(1).get_attribute("value")
    with page.expect_navigation():
        page.select_option("#id_program", other)
    assert f"program={other}" in page.url
    found += csp_violations(page)

    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    found += csp_violations(page)
    page.goto("/api/redoc/")
    page.wait_for_selector("redoc [role=search], redoc .api-content, .redoc-wrap", timeout=30000)
    # Redoc's "API docs by Redocly" logo comes from its CDN: refused, as it should be.
    cdn_logo = "img-src https://cdn.redoc.ly/"
    found += [v for v in csp_violations(page) if cdn_logo not in v]
    errors[:] = [e for e in errors if "cdn.redoc.ly" not in e]
    for url in ["/admin/", "/admin/consortia/plan/", "/admin/django_celery_beat/periodictask/add/"]:
        assert page.goto(url).status == 200, url
        found += csp_violations(page)
    context.close()
    return [f"CSP {f}" for f in found] + [f"console {e}" for e in errors]


def test_a_missing_axe_core_fails_the_test_and_says_to_run_dev_test(tmp_path):
    with pytest.raises(pytest.fail.Exception, match=r"run `\./dev test`"):
        axe_source(tmp_path / "axe.min.js")
