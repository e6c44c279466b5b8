"""The reports list for reviewers (filters, search, sort, counts), its bulk actions and the
"remind now" button: thin callers of ``report_list`` and ``review_services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from portal.listing import authority_choices, page_of, sortable_columns
from portal.permissions import is_ministry
from portal.views import PermissionMixin
from reporting.periods import views
from reporting.periods.report_list import (
    ReportRowFilter,
    report_rows_visible_to,
    report_rows_with_periods,
    row_state_choices,
)
from reporting.periods.review_permissions import can_review_report_list
from reporting.periods.review_services import (
    parse_items,
    reports_bulk_action,
    reports_remind_overdue,
)
from reporting.periods.selectors import period_list
from reporting.periods.workflows import ReportAction
from tasks_catalog.models import Program

FILTER_KEYS = ("program", "period", "authority", "state", "overdue", "search")


def filtered_rows(request, data=None):
    data = request.GET if data is None else data
    return ReportRowFilter(data or None, queryset=report_rows_visible_to(user=request.user))


class ReportIndexView(View):
    """``/reports/``: reviewers get the filtered list; a consortium's users their periods."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and can_review_report_list(request.user):
            return ReportListView.as_view()(request, *args, **kwargs)
        return views.ReportIndexView.as_view()(request, *args, **kwargs)


class ReportListView(PermissionMixin, TemplateView):
    template_name = "reporting/report_list.html"
    permission = staticmethod(can_review_report_list)

    def get_context_data(self, **kwargs):
        user, query = self.request.user, self.request.GET
        filterset = filtered_rows(self.request)
        rows = filterset.qs
        page = page_of(self.request, rows)
        page.object_list = report_rows_with_periods(page.object_list)
        counts = dict(
            rows.order_by()
            .values("report_state")
            .annotate(n=Count("pk", distinct=False))
            .values_list("report_state", "n")
        )
        overdue = rows.filter(overdue=True).count()
        bulk_action = ReportAction.ACCEPT if is_ministry(user) else ReportAction.CONFIRM
        return super().get_context_data(
            filterset=filterset,
            page_obj=page,
            filtered=any(query.get(k) for k in FILTER_KEYS),
            state_counts=[(v, label, counts.get(v, 0)) for v, label in row_state_choices()],
            overdue_count=overdue,
            columns=sortable_columns(
                query.get("ordering", ""),
                [
                    (_("Select"), "", True),
                    (_("Consortium"), "consortium"),
                    (_("Recommending authority"), "authority"),
                    (_("Reporting period"), ""),
                    (_("Due date"), "due_date"),
                    (_("State"), "state"),
                    (_("Submitted"), "submitted"),
                    (_("Actions"), "", True),
                ],
            ),
            programs=Program.objects.filter(is_active=True),
            periods=period_list().filter(program__is_active=True),
            authorities=authority_choices(user),
            states=row_state_choices(),
            bulk_action=bulk_action,
            bulk_label=ReportAction(bulk_action).label,
            **kwargs,
        )


class ReportBulkView(PermissionMixin, TemplateView):
    """POST the checked rows with ``action`` = confirm, accept or remind; answers a page with
    one result per row. ``remind`` with ``all_overdue`` reminds every overdue row the list's
    current filters (sent along) show."""

    template_name = "reporting/bulk_result.html"
    permission = staticmethod(can_review_report_list)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        try:
            if action == "remind":
                if request.POST.get("all_overdue"):
                    filterset = filtered_rows(request, request.POST)
                    items = [(r.pk, r.period_code) for r in filterset.qs.filter(overdue=True)]
                    if not items:
                        messages.info(request, _("No overdue report in this list."))
                        return redirect(_back(request))
                else:
                    items = parse_items(request.POST.getlist("items"))
                results = reports_remind_overdue(actor=request.user, items=items)
            elif action in (ReportAction.CONFIRM, ReportAction.ACCEPT):
                results = reports_bulk_action(
                    actor=request.user,
                    action=action,
                    items=parse_items(request.POST.getlist("items")),
                    comment=request.POST.get("comment", "").strip(),
                )
            else:
                raise ValidationError(_("Choose an action."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(_back(request))
        except PermissionDenied:
            raise
        ok = [r for r in results if r.ok]
        return self.render_to_response(
            self.get_context_data(
                action=action,
                action_label=_("Remind now") if action == "remind" else ReportAction(action).label,
                results=results,
                succeeded=len(ok),
                refused=len(results) - len(ok),
                reminded=sum(r.reminded for r in ok),
                back=_back(request),
            )
        )


def _back(request) -> str:
    """The list as the user left it (its filters came along as ``back``)."""
    base = reverse("reporting:report-index")
    sent = QueryDict(request.POST.get("back", ""))
    query = QueryDict(mutable=True)
    for key in (*FILTER_KEYS, "ordering", "page"):
        if sent.get(key):
            query[key] = sent[key]
    return f"{base}?{query.urlencode()}" if query else base
