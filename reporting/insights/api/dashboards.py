"""Dashboards through the API: the same scope (``scope_for``) and selectors as the pages.

Read-only except ``refresh``. A province asking for another province (or the national
figures) gets 403 with the translated reason; an unknown filter value gets 400 with the field.
Model objects are given as codes / numbers plus their name in the request's language.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.pagination import PortalPagination
from portal.api.permissions import Allows
from reporting.insights.dashboards import (
    RATE_COMPUTED,
    RATE_NOT_YET_DUE,
    RATE_NOTHING_EXPECTED,
    REPORT_FLAGS,
    TASK_FIGURES,
    Scope,
    cached_figures,
    category_table,
    consortium_rows,
    entity_type_table,
    entry_rows,
    heatmap,
    overview,
    province_table,
    report_rows,
    scope_for,
    task_number,
    task_table,
    trend,
)
from reporting.insights.models import ConsortiumRollup, RollupRun
from reporting.insights.permissions import can_use_dashboards
from reporting.insights.rollups import rollup_request, rollup_status
from reporting.periods.models import TaskProgress
from reporting.registry.api.views import NamedChoiceField

# --- serializers (they read the selectors' dicts and model objects) ---------------------------


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProvinceRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return obj.region_name or obj.name


class CategoryRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class TaskRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.IntegerField(source="category.number")
    mandatory = serializers.BooleanField()


class ScopeSerializer(serializers.Serializer):
    program = CodeNameSerializer()
    period = CodeNameSerializer()
    province = ProvinceRefSerializer(source="authority", allow_null=True)
    entity_type = CodeNameSerializer(allow_null=True)
    category = CategoryRefSerializer(allow_null=True)
    industry = serializers.CharField(allow_blank=True)


class ReportFiguresSerializer(serializers.Serializer):
    """Report figures of expected consortium × period pairs (``reporting.periods.expectations``: a pilot
    approved before the period's due date, for a period that has opened)."""

    expected = serializers.IntegerField(
        help_text="Reports expected: pilots approved before the period's due date, for an "
        "opened period."
    )
    handed_in = serializers.IntegerField()
    on_time = serializers.IntegerField(help_text="First handed in by the due date (Beijing).")
    late = serializers.IntegerField(
        allow_null=True,
        help_text="Handed in after the due date. null while the period is not yet due.",
    )
    overdue = serializers.IntegerField(
        help_text="Expected, not handed in, and the due date has passed."
    )
    not_started = serializers.IntegerField()
    draft = serializers.IntegerField()
    returned = serializers.IntegerField()
    submitted = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    accepted = serializers.IntegerField()
    due = serializers.BooleanField(
        help_text="Whether the period's due date has passed (today > due date, Beijing); "
        "aggregated over several periods: whether any of them is due."
    )
    handed_in_rate = serializers.FloatField(allow_null=True, help_text="Percent of expected.")
    on_time_rate = serializers.FloatField(
        allow_null=True,
        help_text="Percent of expected reports first handed in by the due date, over due "
        "periods only. null when `on_time_rate_status` is not `computed`.",
    )
    on_time_rate_status = serializers.ChoiceField(
        choices=[
            (RATE_COMPUTED, "computed: the rate is given"),
            (RATE_NOT_YET_DUE, "not_yet_due: the period's due date has not passed, no rate"),
            (RATE_NOTHING_EXPECTED, "nothing_expected: due, but no report was expected"),
        ],
        help_text="`computed`, `not_yet_due` (before the due date: pages show “not yet "
        "due”) or `nothing_expected`.",
    )


class TaskFiguresSerializer(serializers.Serializer):
    selected = serializers.IntegerField()
    reported = serializers.IntegerField()
    not_started = serializers.IntegerField()
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    delayed = serializers.IntegerField()
    completed = serializers.IntegerField()
    nothing_to_report = serializers.IntegerField()
    attention = serializers.IntegerField(help_text="At risk plus delayed.")
    mean_percent = serializers.FloatField(allow_null=True)


class DeliverableFiguresSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    records = serializers.IntegerField()
    size_bytes = serializers.IntegerField()
    open_source = serializers.IntegerField()
    listed = serializers.IntegerField()


class PlanStateCountSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class PlanFiguresSerializer(serializers.Serializer):
    recommended = serializers.IntegerField()
    in_quota = serializers.IntegerField()
    approved = serializers.IntegerField()
    quota = serializers.IntegerField()
    by_state = PlanStateCountSerializer(many=True, required=False)


class OverviewFiguresSerializer(serializers.Serializer):
    reports = ReportFiguresSerializer()
    tasks = TaskFiguresSerializer()
    deliverables = serializers.DictField(
        child=DeliverableFiguresSerializer(), help_text="Per deliverable kind (cumulative)."
    )
    plans = PlanFiguresSerializer()


class ProvinceRowSerializer(serializers.Serializer):
    province = ProvinceRefSerializer(source="authority")
    reports = ReportFiguresSerializer()
    tasks = TaskFiguresSerializer()
    plans = PlanFiguresSerializer()
    deliverables = serializers.DictField(child=serializers.IntegerField())


class CategoryRowSerializer(TaskFiguresSerializer):
    category = CategoryRefSerializer()


class TaskRowSerializer(TaskFiguresSerializer):
    task = TaskRefSerializer()


class EntityTypeRowSerializer(serializers.Serializer):
    entity_type = CodeNameSerializer()
    reports = ReportFiguresSerializer()
    tasks = TaskFiguresSerializer()


class TrendRowSerializer(serializers.Serializer):
    period = CodeNameSerializer()
    reports = ReportFiguresSerializer()
    tasks = TaskFiguresSerializer()
    datasets = serializers.IntegerField(help_text="Datasets reported up to this period.")


class OverviewSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    computed_at = serializers.DateTimeField(allow_null=True)
    figures = OverviewFiguresSerializer()
    provinces = ProvinceRowSerializer(many=True)
    categories = CategoryRowSerializer(many=True)
    entity_types = EntityTypeRowSerializer(many=True)
    trend = TrendRowSerializer(many=True)


class TasksSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    computed_at = serializers.DateTimeField(allow_null=True)
    tasks = TaskRowSerializer(many=True)
    categories = CategoryRowSerializer(many=True)


class ConsortiumRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConsortiumRowSerializer(serializers.ModelSerializer):
    consortium = ConsortiumRefSerializer()
    province = ProvinceRefSerializer(source="authority")
    entity_type = serializers.CharField(source="entity_type.code")
    report_state = serializers.CharField(help_text="Empty: the report has not been started.")

    class Meta:
        model = ConsortiumRollup
        fields = [
            "consortium",
            "province",
            "entity_type",
            "report_state",
            "handed_in",
            "first_submitted_at",
            "on_time",
            "overdue",
            "selected",
            "not_started",
            "on_track",
            "at_risk",
            "delayed",
            "completed",
            "nothing_to_report",
        ]
        read_only_fields = fields


class EntryRowSerializer(serializers.ModelSerializer):
    consortium = ConsortiumRefSerializer(source="report.consortium")
    province = ProvinceRefSerializer(source="report.consortium.authority")
    period = serializers.CharField(source="report.period.code")
    report_state = serializers.CharField(source="report.state")
    task = serializers.IntegerField(source="task.number")
    task_title = serializers.CharField(source="task.title")

    class Meta:
        model = TaskProgress
        fields = [
            "id",
            "consortium",
            "province",
            "period",
            "report_state",
            "task",
            "task_title",
            "nothing_to_report",
            "status",
            "percent",
            "work_done",
            "problems",
        ]
        read_only_fields = fields


class HeatmapRowSerializer(serializers.Serializer):
    consortium = ConsortiumRefSerializer(source="rollup.consortium")
    province = ProvinceRefSerializer(source="rollup.authority")
    report_state = serializers.CharField(source="rollup.report_state")
    cells = serializers.ListField(
        child=serializers.CharField(allow_null=True),
        help_text="One per task, in the order of `tasks`: a task status, "
        "`nothing_to_report`, `no_report` (selected, no report handed in) or null "
        "(not selected).",
    )


class HeatmapPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    scope = ScopeSerializer()
    tasks = TaskRefSerializer(many=True)
    results = HeatmapRowSerializer(many=True)


class RollupRunSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program.code")
    status = NamedChoiceField(
        enum_name="RollupRunStatusEnum",
        choices=RollupRun.Status.choices,
        source="shown_status",
        read_only=True,
    )

    class Meta:
        model = RollupRun
        fields = ["id", "program", "status", "reason", "requested_at", "started_at", "finished_at"]
        read_only_fields = fields


class StatusSerializer(serializers.Serializer):
    program = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True)
    as_of = serializers.DateField(allow_null=True)
    active = RollupRunSerializer(allow_null=True)
    failed = RollupRunSerializer(allow_null=True)


class RefreshSerializer(serializers.Serializer):
    program = serializers.CharField(required=False, help_text="Program code; default: active.")


# --- views ---------------------------------------------------------------------------------------

FILTERS = [
    OpenApiParameter("program", str, description="Program code (default: the active program)."),
    OpenApiParameter("period", str, description="Period code (default: the latest one due)."),
    OpenApiParameter(
        "province",
        str,
        description="Code of a provincial authority; empty: national (Ministry only). "
        "A provincial authority always gets its own province.",
    ),
    OpenApiParameter("entity_type", str, description="Implementing-entity type code."),
    OpenApiParameter("category", int, description="Task category number."),
    OpenApiParameter("industry", str, description="Industry code (dataset figures)."),
]


def scope_data(scope: Scope) -> dict:
    return {
        "program": {"code": scope.program.code, "name": scope.program.short_name},
        "period": {"code": scope.period.code, "name": scope.period.name},
        "authority": scope.authority,
        "entity_type": scope.entity_type,
        "category": scope.category,
        "industry": scope.industry,
    }


def _period_ref(rows: list[dict]) -> list[dict]:
    return [{**r, "period": {"code": r["period"].code, "name": r["period"].name}} for r in rows]


def _plain(value):
    """A serializer's output as plain dicts and lists: cheap to pickle into the cache."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _DashboardView(APIView):
    permission_classes = [Allows(can_use_dashboards)]

    def scope(self) -> Scope:
        return scope_for(user=self.request.user, params=self.request.query_params)


def _computed_at(scope: Scope):
    return rollup_status(program=scope.program)["changed_at"]


class DashboardOverviewView(_DashboardView):
    @extend_schema(
        parameters=FILTERS,
        responses=OverviewSerializer,
        summary="Dashboard figures for the filters",
    )
    def get(self, request):
        scope = self.scope()

        def compute() -> dict:
            data = {
                "scope": scope_data(scope),
                "computed_at": _computed_at(scope),
                "figures": overview(scope),
                "provinces": province_table(scope),
                "categories": category_table(scope),
                "entity_types": entity_type_table(scope),
                "trend": _period_ref(trend(scope)),
            }
            return _plain(OverviewSerializer(data).data)

        # The figures change only with the roll-up rows: cached per roll-up version.
        return Response(cached_figures("api-overview", scope, compute))


class DashboardTasksView(_DashboardView):
    @extend_schema(
        parameters=FILTERS, responses=TasksSerializer, summary="Task figures per task and category"
    )
    def get(self, request):
        scope = self.scope()

        def compute() -> dict:
            data = {
                "scope": scope_data(scope),
                "computed_at": _computed_at(scope),
                "tasks": task_table(scope),
                "categories": category_table(scope),
            }
            return _plain(TasksSerializer(data).data)

        return Response(cached_figures("api-tasks", scope, compute))


class DashboardHeatmapView(_DashboardView):
    pagination_class = PortalPagination

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter("page", int, description="Page of 50 consortia."),
            OpenApiParameter("page_size", int, description="At most 200."),
        ],
        responses=HeatmapPageSerializer,
        summary="Consortium × task status grid for the period",
    )
    def get(self, request):
        scope = self.scope()

        def compute() -> dict:
            paginator = self.pagination_class()
            page = paginator.paginate_queryset(consortium_rows(scope), request, view=self)
            grid = heatmap(scope, consortia=list(page))
            data = {
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "scope": scope_data(scope),
                "tasks": grid["tasks"],
                "results": grid["rows"],
            }
            return _plain(HeatmapPageSerializer(data).data)

        # Cached per roll-up version and URL (page, page size; the links are absolute).
        variant = request.build_absolute_uri()
        return Response(cached_figures("api-heatmap", scope, compute, variant=variant))


class _RowsView(generics.ListAPIView):
    """The rows behind a figure, a page at a time: the roll-up rows, or the entries of handed-in
    reports (which change only by a transition, and so with the roll-ups): cached per roll-up
    version and URL."""

    permission_classes = [Allows(can_use_dashboards)]
    filter_backends: list = []

    _scope: Scope | None = None

    def scope(self) -> Scope:
        if self._scope is None:  # once per request
            self._scope = scope_for(user=self.request.user, params=self.request.query_params)
        return self._scope

    def list(self, request, *args, **kwargs):
        scope = self.scope()
        name = f"api-rows:{type(self).__name__}"
        variant = request.build_absolute_uri()

        def compute() -> dict:
            return _plain(super(_RowsView, self).list(request, *args, **kwargs).data)

        return Response(cached_figures(name, scope, compute, variant=variant))


@extend_schema(
    parameters=[
        *FILTERS,
        OpenApiParameter("flag", str, enum=list(REPORT_FLAGS), description="The report figure."),
    ],
    summary="The consortia behind a report figure",
)
class DashboardReportRowsView(_RowsView):
    serializer_class = ConsortiumRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConsortiumRollup.objects.none()
        flag = self.request.query_params.get("flag") or "expected"
        return report_rows(self.scope(), flag=flag)


@extend_schema(
    parameters=[
        *FILTERS,
        OpenApiParameter("task", int, description="Reference-task number."),
        OpenApiParameter(
            "status",
            str,
            enum=[*TASK_FIGURES, "attention"],
            description="A task status, `nothing_to_report`, or `attention` (at risk or delayed).",
        ),
    ],
    summary="The task entries behind a task figure",
)
class DashboardEntryRowsView(_RowsView):
    serializer_class = EntryRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TaskProgress.objects.none()
        params = self.request.query_params
        return entry_rows(
            self.scope(), task=task_number(params.get("task")), status=params.get("status") or ""
        )


def _status_data(program) -> dict:
    status_ = rollup_status(program=program)
    last = status_["last"]
    return {
        "program": program.code,
        "computed_at": status_["changed_at"],
        "as_of": last.as_of if last else None,
        "active": status_["active"],
        "failed": status_["failed"],
    }


class DashboardStatusView(_DashboardView):
    @extend_schema(
        parameters=[FILTERS[0]],
        responses=StatusSerializer,
        summary="When the figures were computed; the run under way, if any",
    )
    def get(self, request):
        scope = scope_for(
            user=request.user, params={"program": request.query_params.get("program", "")}
        )
        return Response(StatusSerializer(_status_data(scope.program)).data)


class DashboardRefreshView(_DashboardView):
    @extend_schema(
        request=RefreshSerializer,
        responses={202: RollupRunSerializer},
        summary="Compute the program's figures again",
    )
    def post(self, request):
        body = RefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scope = scope_for(
            user=request.user, params={"program": body.validated_data.get("program", "")}
        )
        run = rollup_request(
            program_id=scope.program.pk, reason="manual", actor=request.user, force=True
        )
        return Response(RollupRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
