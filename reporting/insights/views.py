"""Dashboard pages under /dashboards/: thin callers of ``reporting.insights.dashboards``.

Every page parses its filters with ``scope_for`` (a province is held to its own province;
an unknown filter value renders the error with status 400), calls the selectors and hands
the rows to the template; charts come from ``reporting.insights.dashboard_charts``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from portal.permissions import is_ministry
from portal.views import PermissionMixin
from reporting.insights import dashboard_charts as charts
from reporting.insights.charts import STATUS_COLORS
from reporting.insights.dashboards import (
    REPORT_FLAGS,
    Scope,
    at_risk_entries,
    cached_figures,
    category_table,
    consortium_rows,
    deliverable_breakdown,
    entity_type_table,
    entry_rows,
    filter_choices,
    format_on_time_rate,
    format_rate,
    heatmap,
    overdue_reports,
    overview,
    province_table,
    report_rows,
    scope_for,
    task_number,
    task_table,
    trend,
)
from reporting.insights.permissions import can_use_dashboards
from reporting.insights.rollups import rollup_request, rollup_status
from reporting.periods.expectations import rule_text
from reporting.periods.models import TaskStatus
from tasks_catalog.models import ReferenceTask

HEATMAP_PAGE_SIZE = 50
ROWS_PAGE_SIZE = 50
OVERDUE_SHOWN = 20  # the full list is the "overdue" drill-down
AT_RISK_SHOWN = 20


def exports_enabled() -> bool:
    """The export URLs land separately; link to them only once they exist."""
    try:
        reverse("dashboards:export", args=["overview"])
    except NoReverseMatch:
        return False
    return True


def report_flag_labels() -> dict[str, str]:
    """What each report drill-down explains."""
    return {
        "expected": _("Reports expected"),
        "handed_in": _("Reports handed in"),
        "on_time": _("Reports handed in on time"),
        "late": _("Reports handed in late"),
        "overdue": _("Reports overdue"),
        "not_started": _("Reports not started"),
        "draft": _("Reports in draft"),
        "returned": _("Reports returned for revision"),
        "submitted": _("Reports submitted to the province"),
        "confirmed": _("Reports confirmed by the province"),
        "accepted": _("Reports accepted by the Ministry"),
    }


def _href(name: str, query: str, *args, **extra) -> str:
    extra_query = "&".join(f"{k}={v}" for k, v in extra.items())
    return f"{reverse(name, args=args)}?{'&'.join(q for q in (query, extra_query) if q)}"


def _rate(value: float | None) -> str:
    return format_rate(value)


def key_figures(figures: dict, scope: Scope, *, ministry: bool) -> list[dict]:
    """The key-figure cards: groups of (testid, label, value, link to what it counts)."""
    query = scope.query()
    reports, tasks, plans = figures["reports"], figures["tasks"], figures["plans"]
    deliverables = figures["deliverables"]

    def report(flag: str, label: str, value=None) -> dict:
        shown = reports[flag] if value is None else value
        href = _href("dashboards:report-rows", query, flag=flag)
        return {"key": flag.replace("_", "-"), "label": label, "value": shown, "href": href}

    def entries(key: str, label: str, value, status: str = "") -> dict:
        extra = {"status": status} if status else {}
        href = _href("dashboards:entry-rows", query, **extra)
        return {"key": key, "label": label, "value": value, "href": href}

    catalogue_query = scope.query(period="", entity_type="", category="", industry="")

    def deliverable(kind: str, label: str, value, note: str = "") -> dict:
        href = _href("reporting:deliverable-catalogue", catalogue_query, kind) if ministry else None
        return {
            "key": kind.replace("_", "-"),
            "label": label,
            "value": value,
            "href": href,
            "note": note,
        }

    dataset = deliverables["dataset"]
    plan_query = f"program={scope.program.code}"
    return [
        {
            "title": _("Progress reports"),
            "key": "reports",
            "help": rule_text(),
            "items": [
                report("expected", _("Reports expected")),
                report("handed_in", _("Handed in")),
                report("confirmed", _("Confirmed by the province")),
                report("accepted", _("Accepted by the Ministry")),
                report("overdue", _("Overdue")),
                {
                    **report("on_time", _("On-time rate"), format_on_time_rate(reports)),
                    "key": "on-time-rate",
                    "note": _("%(n)s of %(total)s on time")
                    % {"n": reports["on_time"], "total": reports["expected"]}
                    if reports["due"]
                    else _("The rate is computed after the due date, %(date)s.")
                    % {"date": scope.period.due_date.isoformat()},
                    "status": reports["on_time_rate_status"],
                },
            ],
        },
        {
            "title": _("Reference tasks"),
            "items": [
                entries("at-risk", _("Tasks at risk"), tasks["at_risk"], "at_risk"),
                entries("delayed", _("Tasks delayed"), tasks["delayed"], "delayed"),
                {
                    **entries("mean-percent", _("Mean completion"), _rate(tasks["mean_percent"])),
                    "note": _("over %(n)s task entries") % {"n": tasks["reported"]},
                },
            ],
        },
        {
            "title": _("Deliverables (cumulative)"),
            "items": [
                deliverable(
                    "dataset",
                    _("Datasets"),
                    dataset["count"],
                    _("%(records)s records · %(size)s · %(open)s open-sourced")
                    % {
                        "records": f"{dataset['records']:,}",
                        "size": filesizeformat(dataset["size_bytes"]),
                        "open": dataset["open_source"],
                    },
                ),
                deliverable("standard", _("Standards"), deliverables["standard"]["count"]),
                deliverable(
                    "data_product", _("Data products"), deliverables["data_product"]["count"]
                ),
                deliverable(
                    "scenario", _("Application scenarios"), deliverables["scenario"]["count"]
                ),
            ],
        },
        {
            "title": _("Implementation plans"),
            "items": [
                {
                    "key": "plans-recommended",
                    "label": _("Recommended (in quota / quota)"),
                    "value": f"{plans['in_quota']} / {plans['quota']}",
                    "note": _("%(n)s plans in all") % {"n": plans["recommended"]},
                    "href": _href("consortia:consortium-list", plan_query),
                },
                *(
                    {
                        "key": f"plans-{row['state']}",
                        "label": row["label"],
                        "value": row["count"],
                        "href": _href("consortia:consortium-list", plan_query, state=row["state"]),
                    }
                    for row in plans["by_state"]
                ),
            ],
        },
    ]


def options_html(options, selected: str) -> str:
    """``<option>`` elements of a filter, built in one pass (a national page offers dozens).
    ``options``: (value, label) pairs; ``selected``: the value chosen."""
    return mark_safe(  # noqa: S308 - every value and label escaped here
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in options
        )
    )


def filter_options(choices: dict, scope: Scope) -> dict[str, str]:
    """The filter form's options (``filter_choices``), the scope's values selected."""
    return {
        "programs": options_html(
            ((p.code, p.short_name) for p in choices["programs"]), scope.program.code
        ),
        "periods": options_html(((p.code, p.name) for p in choices["periods"]), scope.period.code),
        "provinces": options_html(
            ((o.code, o.region_name or o.name) for o in choices["provinces"]),
            scope.authority.code if scope.authority else "",
        ),
        "entity_types": options_html(
            ((t.code, t.name) for t in choices["entity_types"]),
            scope.entity_type.code if scope.entity_type else "",
        ),
        "categories": options_html(
            ((c.number, f"{c.number}. {c.name}") for c in choices["categories"]),
            str(scope.category.number) if scope.category else "",
        ),
        "industries": options_html(choices["industries"], scope.industry),
    }


class DashboardMixin(PermissionMixin):
    """Dashboards for Ministry staff and provincial authorities; the scope from the filters."""

    permission = staticmethod(can_use_dashboards)
    scope: Scope
    error_template = "reporting/dashboards/error.html"
    tab = ""

    def hidden_filters(self) -> list[tuple[str, str]]:
        """Parameters the filter form keeps besides the scope (e.g. the drill-down's figure)."""
        return []

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ValidationError as exc:  # an unknown filter value: say which, status 400
            return render(
                request,
                self.error_template,
                {"errors": exc.messages, "reset_url": reverse("dashboards:overview")},
                status=400,
            )

    def get(self, request, *args, **kwargs):
        self.scope = scope_for(user=request.user, params=request.GET)
        return super().get(request, *args, **kwargs)

    def base_context(self) -> dict:
        scope, user = self.scope, self.request.user
        status = rollup_status(program=scope.program)
        last, failed = status["last"], status["failed"]
        return {
            "tab": self.tab,
            "hidden_filters": self.hidden_filters(),
            "rollup_failed": bool(
                failed
                and (last is None or (failed.finished_at or failed.requested_at) > last.finished_at)
            ),
            "scope": scope,
            "query": scope.query(),
            "query_national": scope.query(province=""),
            "query_all_types": scope.query(entity_type=""),
            "filter_options": filter_options(filter_choices(scope=scope, user=user), scope),
            "is_ministry": is_ministry(user),
            "rollup": status,
            "computed_at": status["changed_at"],
            "exports_enabled": exports_enabled(),
            "status_labels": charts.task_status_labels(),
        }

    #: The page's figures and rows, rendered apart (``body_context``) and cached per roll-up
    #: version, scope, language and ``body_variant``: they change only with the roll-up rows
    #: (the rows behind a figure, handed-in reports and their entries, only by a transition,
    #: which updates the roll-ups). The filters and status line around them stay live.
    body_template = ""

    def body_context(self, context: dict) -> dict:
        return {}

    def body_variant(self) -> str:
        """What else the body depends on besides the scope and the role (page, figure …)."""
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.base_context())
        if self.body_template:

            def compute() -> str:
                values = {**context, **self.body_context(context)}
                return str(render_to_string(self.body_template, values))

            variant = f"{context['is_ministry']}|{self.body_variant()}"
            html = cached_figures(
                f"page:{self.body_template}",
                self.scope,
                compute,
                variant=variant,
                status=context["rollup"],
            )
            context["body"] = mark_safe(html)  # noqa: S308 - rendered by the template engine
        return context

    def page_number(self) -> str:
        """``?page=`` as the paginator reads it (anything but a number: the first page)."""
        value = (self.request.GET.get("page") or "").strip()
        return value if value.isdigit() and len(value) <= 6 else "1"


def with_state_labels(rows):
    labels = charts.report_state_labels()
    for row in rows:
        row.state_label = labels.get(row.report_state or "not_started", row.report_state)
    return rows


class OverviewView(DashboardMixin, TemplateView):
    template_name = "reporting/dashboards/overview.html"
    body_template = "reporting/dashboards/_overview_body.html"
    tab = "overview"

    def figures_context(self, *, ministry: bool) -> dict:
        """Everything computed from the roll-ups: it changes only when a run finishes."""
        scope = self.scope
        figures = overview(scope)
        categories = category_table(scope)
        provinces = province_table(scope)
        trend_rows = trend(scope)
        breakdown = deliverable_breakdown(scope)
        entity_types = entity_type_table(scope)
        for reports in [
            figures["reports"],
            *(row["reports"] for row in [*provinces, *entity_types, *trend_rows]),
        ]:
            reports["on_time_rate_text"] = format_on_time_rate(reports)
        return {
            "figures": figures,
            "provinces": provinces,
            "categories": categories,
            "entity_types": entity_types,
            "trend": trend_rows,
            "breakdown": breakdown,
            "overdue": with_state_labels(list(overdue_reports(scope)[:OVERDUE_SHOWN])),
            "key_figures": key_figures(figures, scope, ministry=ministry),
            "charts": {
                "report_states": charts.report_state_donut(figures["reports"], scope),
                "categories": charts.category_status_chart(categories, scope),
                "trend": charts.trend_chart(trend_rows),
                "datasets": charts.datasets_by_industry_chart(breakdown["datasets"], scope),
                "scenarios": charts.scenarios_by_stage_chart(breakdown["scenarios"]),
                "provinces": charts.province_attention_chart(provinces, scope),
            },
        }

    def body_context(self, context: dict) -> dict:
        attention = list(at_risk_entries(self.scope)[: AT_RISK_SHOWN + 1])
        return {
            **self.figures_context(ministry=context["is_ministry"]),
            "attention": attention[:AT_RISK_SHOWN],
            "attention_more": len(attention) > AT_RISK_SHOWN,
            # Reversed once: the tables link every figure (hundreds of links at national scope).
            "urls": {
                "overview": reverse("dashboards:overview"),
                "report_rows": reverse("dashboards:report-rows"),
                "entry_rows": reverse("dashboards:entry-rows"),
            },
        }


class RefreshView(PermissionMixin, View):
    """POST: ask for a fresh computation of the program's figures, back to the dashboard."""

    permission = staticmethod(can_use_dashboards)

    def post(self, request):
        try:
            scope = scope_for(user=request.user, params=request.POST)
        except ValidationError as exc:
            return render(
                request,
                DashboardMixin.error_template,
                {"errors": exc.messages, "reset_url": reverse("dashboards:overview")},
                status=400,
            )
        rollup_request(program_id=scope.program.pk, reason="manual", actor=request.user, force=True)
        messages.success(request, _("The figures are being computed again."))
        return redirect(f"{reverse('dashboards:overview')}?{scope.query()}")


def heatmap_cells_html(grid: dict, *, period_code: str, labels: dict[str, str]) -> None:
    """Give each row of ``heatmap``'s grid its report link and its cells as one HTML string.

    A page holds 50 consortia × every task (1,500 cells and more): built here in one pass
    with the labels escaped once, instead of a dozen template nodes per cell. The markup is
    the template's: each cell carries its status, its test id, a title and, when there is a
    status, a link to the report with the label for screen readers.
    """
    numbers = [task.number for task in grid["tasks"]]
    # status → (its code, its label), escaped once for the whole grid
    escaped = {}
    for row in grid["rows"]:
        for status in row["cells"]:
            if status and status not in escaped:
                escaped[status] = (escape(status), escape(labels.get(status, "")))
    for row in grid["rows"]:
        cid = row["rollup"].consortium_id
        url = reverse("reporting:report-detail", args=[cid, period_code])
        link = escape(url)
        parts = []
        for number, status in zip(numbers, row["cells"], strict=True):
            if status:
                code, label = escaped[status]
                parts.append(
                    f'<td class="dash-cell heat-{code}" data-testid="cell-{cid}-{number}" '
                    f'data-status="{code}" title="{number} · {label}"><a href="{link}">'
                    f'<span class="sr-only">{label}</span></a></td>'
                )
            else:
                parts.append(
                    f'<td class="dash-cell dash-cell-none" data-testid="cell-{cid}-{number}" '
                    'data-status=""></td>'
                )
        row["report_url"] = url
        row["cells_html"] = mark_safe("".join(parts))  # noqa: S308 - every value escaped above


class HeatmapView(DashboardMixin, TemplateView):
    template_name = "reporting/dashboards/heatmap.html"
    body_template = "reporting/dashboards/_heatmap_body.html"
    tab = "heatmap"

    def body_variant(self) -> str:
        return self.page_number()

    def body_context(self, context: dict) -> dict:
        page = Paginator(consortium_rows(self.scope), HEATMAP_PAGE_SIZE).get_page(
            self.page_number()
        )
        grid = heatmap(self.scope, consortia=list(page.object_list))
        labels = context["status_labels"]
        heatmap_cells_html(grid, period_code=self.scope.period.code, labels=labels)
        return {
            "page": page,
            "grid": grid,
            "page_query": self.scope.query(),
            "legend": [(key, labels[key]) for key in STATUS_COLORS],
        }


STATUS_COLUMNS = [*TaskStatus.values, "nothing_to_report"]


def task_count_rows(rows: list[dict], scope: Scope, *, kind: str) -> list[dict]:
    """Rows of ``task_table`` / ``category_table`` with the drill-down query of each count."""
    out = []
    for row in rows:
        obj = row[kind]
        if kind == "task":
            key, name, query = obj.number, obj.title, scope.query(task=obj.number)
        else:
            key, name, query = obj.number, obj.name, scope.query(category=obj.number)
        out.append(
            {
                **row,
                "key": key,
                "name": name,
                "query": query,
                "counts": [{"status": s, "value": row[s]} for s in STATUS_COLUMNS],
            }
        )
    return out


class TasksView(DashboardMixin, TemplateView):
    template_name = "reporting/dashboards/tasks.html"
    body_template = "reporting/dashboards/_tasks_body.html"
    tab = "tasks"

    def body_context(self, context: dict) -> dict:
        labels = context["status_labels"]
        return {
            "tasks": task_count_rows(task_table(self.scope), self.scope, kind="task"),
            "categories": task_count_rows(category_table(self.scope), self.scope, kind="category"),
            "status_columns": [(s, labels[s]) for s in STATUS_COLUMNS],
            "entry_rows_url": reverse("dashboards:entry-rows"),
        }


class ReportRowsView(DashboardMixin, TemplateView):
    """The consortia behind a report figure (``?flag=overdue``)."""

    template_name = "reporting/dashboards/report_rows.html"
    body_template = "reporting/dashboards/_report_rows_body.html"

    def flag(self) -> str:
        flag = self.request.GET.get("flag") or "expected"
        if flag not in REPORT_FLAGS:
            report_rows(self.scope, flag=flag)  # raises the ValidationError: unknown figure
        return flag

    def hidden_filters(self):
        return [("flag", self.request.GET.get("flag") or "expected")]

    def body_variant(self) -> str:
        return f"{self.flag()}|{self.page_number()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figure_label"] = report_flag_labels()[self.flag()]
        return context

    def body_context(self, context: dict) -> dict:
        flag = self.flag()
        rows = report_rows(self.scope, flag=flag)
        page = Paginator(rows, ROWS_PAGE_SIZE).get_page(self.page_number())
        page.object_list = with_state_labels(list(page.object_list))
        return {
            "flag": flag,
            "flags": list(REPORT_FLAGS),
            "figure_label": report_flag_labels()[flag],
            "page": page,
            "state_labels": charts.report_state_labels(),
            "page_query": self.scope.query(flag=flag),
        }


class EntryRowsView(DashboardMixin, TemplateView):
    """The task entries behind a task figure (``?task=4&status=at_risk``)."""

    template_name = "reporting/dashboards/entry_rows.html"
    body_template = "reporting/dashboards/_entry_rows_body.html"

    def hidden_filters(self):
        return [(k, self.request.GET[k]) for k in ("task", "status") if self.request.GET.get(k)]

    def figure(self) -> tuple[int | None, str]:
        """The task number and status asked for; ``ValidationError`` for an unknown one."""
        task = task_number(self.request.GET.get("task"))
        status = (self.request.GET.get("status") or "").strip()
        entry_rows(self.scope, task=task, status=status)  # validates the status (no query)
        return task, status

    def body_variant(self) -> str:
        task, status = self.figure()
        return f"{task}|{status}|{self.page_number()}"

    def figure_label(self, status: str) -> str:
        labels = charts.task_status_labels()
        return labels[status] if status else _("Task entries of handed-in reports")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figure_label"] = self.figure_label(self.figure()[1])
        return context

    def body_context(self, context: dict) -> dict:
        task, status = self.figure()
        rows = entry_rows(self.scope, task=task, status=status)
        page = Paginator(rows, ROWS_PAGE_SIZE).get_page(self.page_number())
        task_obj = (
            ReferenceTask.objects.filter(program=self.scope.program, number=task).first()
            if task is not None
            else None
        )
        return {
            "task": task,
            "task_obj": task_obj,
            "status": status,
            "figure_label": self.figure_label(status),
            "page": page,
            "page_query": self.scope.query(task=task, status=status),
        }
