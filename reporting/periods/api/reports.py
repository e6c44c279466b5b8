"""Progress reports through the API: the same selectors and services as the pages."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from consortia.models import Consortium
from consortia.selectors import consortium_get_for
from portal.api.permissions import PortalUser
from reporting.periods import services
from reporting.periods.actions import REPORT_ACTIONS
from reporting.periods.comparison import report_compare
from reporting.periods.models import (
    ProgressReport,
    ReportingPeriod,
    TaskProgress,
)
from reporting.periods.permissions import can_submit_report
from reporting.periods.selectors import period_is_open, period_list, report_list_visible_to
from reporting.periods.workflows import ReportAction

from .serializers import (
    EvidenceSerializer,
    PeriodSerializer,
    ReportActionInputSerializer,
    ReportListSerializer,
    ReportSerializer,
    ReportSubmitInputSerializer,
    ReportUpdateSerializer,
)


class PeriodListView(generics.ListAPIView):
    """Reporting periods (``?program=idfa-2026``)."""

    serializer_class = PeriodSerializer
    permission_classes = [PortalUser]
    filterset_fields = {"program__code": ["exact"]}

    def get_queryset(self):
        return period_list()


class ReportListView(generics.ListAPIView):
    """Reports the user may see (``?period__code=2026-q2&state=submitted``)."""

    serializer_class = ReportListSerializer
    permission_classes = [PortalUser]
    filterset_fields = {
        "period__code": ["exact"],
        "state": ["exact"],
        "consortium": ["exact"],
        "consortium__authority__code": ["exact"],
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProgressReport.objects.none()
        return report_list_visible_to(user=self.request.user)


PATH = [
    OpenApiParameter("consortium_pk", int, OpenApiParameter.PATH),
    OpenApiParameter("period", str, OpenApiParameter.PATH, description="period code, e.g. 2026-q2"),
]


class _ReportMixin:
    permission_classes = [PortalUser]

    def load(
        self, request, consortium_pk, period
    ) -> tuple[Consortium, ReportingPeriod, ProgressReport | None]:
        consortium = consortium_get_for(user=request.user, pk=consortium_pk)
        period_obj = get_object_or_404(ReportingPeriod, program=consortium.program, code=period)
        report = ProgressReport.objects.filter(consortium=consortium, period=period_obj).first()
        return consortium, period_obj, report

    def load_started(self, request, consortium_pk, period) -> ProgressReport:
        """The report, or 404 (JSON, code ``not_found``) while the period's report is not started."""
        _c, _p, report = self.load(request, consortium_pk, period)
        if report is None:
            raise NotFound(_("This report has not been started."), code="not_found")
        return report

    def report_response(self, report, code=status.HTTP_200_OK):
        report = ProgressReport.objects.prefetch_related("entries__task", "entries__evidence").get(
            pk=report.pk
        )
        return Response(ReportSerializer(report).data, status=code)


class ReportDetailView(_ReportMixin, APIView):
    @extend_schema(
        parameters=PATH, responses=ReportSerializer, summary="A consortium's report for a period"
    )
    def get(self, request, consortium_pk, period):
        report = self.load_started(request, consortium_pk, period)
        return self.report_response(report)

    @extend_schema(
        parameters=PATH,
        request=ReportUpdateSerializer,
        responses=ReportSerializer,
        summary="Save the draft (send the revision you started from)",
    )
    def patch(self, request, consortium_pk, period):
        report = self.load_started(request, consortium_pk, period)
        data = ReportUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision, entries = values.pop("revision"), values.pop("entries", None)
        report = services.report_update(
            actor=request.user, report=report, revision=revision, data=values, entries=entries
        )
        return self.report_response(report)


class ReportStartView(_ReportMixin, APIView):
    @extend_schema(
        parameters=PATH,
        request=None,
        responses={201: ReportSerializer},
        summary="Start the report, pre-filled from the previous period",
    )
    def post(self, request, consortium_pk, period):
        consortium, period_obj, _r = self.load(request, consortium_pk, period)
        report = services.report_start(actor=request.user, consortium=consortium, period=period_obj)
        return self.report_response(report, status.HTTP_201_CREATED)


class ReportSubmitView(_ReportMixin, APIView):
    @extend_schema(
        parameters=PATH,
        request=ReportSubmitInputSerializer,
        responses=ReportSerializer,
        summary="Submit exactly this: save the fields sent (if any) and submit that revision",
        description=(
            "Send the revision you started from and, optionally, the fields as they are on the "
            "screen (like PATCH). The fields are saved and that version is submitted, in one "
            "transaction: if the revision is stale (code `stale`), the period is closed (`locked`) "
            "or a task is unanswered (`unanswered`), nothing is saved or submitted. "
            "`GET …/preview/` shows beforehand which tasks read the same as the previous period."
        ),
    )
    def post(self, request, consortium_pk, period):
        report = self.load_started(request, consortium_pk, period)
        data = ReportSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision, entries = values.pop("revision"), values.pop("entries", None)
        report = REPORT_ACTIONS.take(
            ReportAction.SUBMIT,
            actor=request.user,
            obj=report,
            data={"revision": revision, "data": values, "entries": entries},
        )
        return self.report_response(report)


UNCHANGED_FIELDS = serializers.ListField(
    child=serializers.ChoiceField(choices=["work_done", "next_plan", "problems"]),
    help_text="Text fields that read the same as in the previous period's report.",
)


class PreviousSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.code")
    period_name = serializers.CharField(source="period.name")
    state = serializers.CharField()
    revision = serializers.IntegerField()


class PreviewTaskSerializer(serializers.Serializer):
    task = serializers.IntegerField(source="task.number")
    task_title = serializers.CharField(source="task.title")
    category = serializers.CharField(source="task.category.name")
    answered = serializers.BooleanField(source="entry.answered")
    unchanged = UNCHANGED_FIELDS


class ReportPreviewSerializer(serializers.Serializer):
    revision = serializers.IntegerField(source="report.revision")
    can_submit = serializers.BooleanField()
    blockers = serializers.ListField(child=serializers.CharField())
    unanswered = serializers.ListField(child=serializers.IntegerField())
    answered = serializers.IntegerField(source="answered_count")
    total = serializers.IntegerField()
    previous = PreviousSerializer(allow_null=True)
    overall_unchanged = serializers.ListField(child=serializers.CharField())
    unchanged_tasks = serializers.ListField(
        child=serializers.IntegerField(), help_text="Tasks with any text unchanged."
    )
    tasks = PreviewTaskSerializer(many=True)
    report = ReportSerializer(source="report_full")


class EntryValuesSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskProgress
        fields = services.ENTRY_FIELDS


class CompareTaskSerializer(PreviewTaskSerializer):
    previous = EntryValuesSerializer(allow_null=True)
    current = EntryValuesSerializer(source="entry")


class CompareOverallSerializer(serializers.Serializer):
    field = serializers.CharField()
    previous = serializers.CharField(allow_null=True)
    current = serializers.CharField()
    unchanged = serializers.BooleanField()


class ReportCompareSerializer(serializers.Serializer):
    period = serializers.CharField(source="report.period.code")
    state = serializers.CharField(source="report.state")
    revision = serializers.IntegerField(source="report.revision")
    previous = PreviousSerializer(allow_null=True)
    overall = CompareOverallSerializer(many=True, source="overall_rows")
    unchanged_tasks = serializers.ListField(child=serializers.IntegerField())
    tasks = CompareTaskSerializer(many=True)


def _comparison_payload(comparison, **extra) -> dict:
    return {
        "report": comparison.report,
        "previous": comparison.previous,
        "overall_rows": comparison.overall_rows(),
        "overall_unchanged": comparison.overall_unchanged,
        "unchanged_tasks": [t.task.number for t in comparison.flagged],
        "unanswered": comparison.unanswered,
        "answered_count": comparison.answered_count,
        "total": len(comparison.tasks),
        "tasks": comparison.tasks,
        **extra,
    }


class ReportPreviewView(_ReportMixin, APIView):
    @extend_schema(
        parameters=PATH,
        responses=ReportPreviewSerializer,
        summary="Before submitting: what will be sent, what blocks it, what reads like last period",
    )
    def get(self, request, consortium_pk, period):
        report = self.load_started(request, consortium_pk, period)
        consortium, period_obj = report.consortium, report.period
        decision = can_submit_report(
            request.user,
            report,
            period_open=period_is_open(period=period_obj, consortium=consortium),
        )
        if not decision:
            raise PermissionDenied(decision.reason)
        blockers = [m for e in services.report_submit_blockers(report) for m in e.messages]
        payload = _comparison_payload(
            report_compare(report=report),
            can_submit=not blockers,
            blockers=blockers,
            report_full=ProgressReport.objects.prefetch_related(
                "entries__task", "entries__evidence"
            ).get(pk=report.pk),
        )
        return Response(ReportPreviewSerializer(payload).data)


class ReportCompareView(_ReportMixin, APIView):
    @extend_schema(
        parameters=PATH,
        responses=ReportCompareSerializer,
        summary="The report beside the same consortium's previous report, field by field",
    )
    def get(self, request, consortium_pk, period):
        report = self.load_started(request, consortium_pk, period)
        return Response(
            ReportCompareSerializer(_comparison_payload(report_compare(report=report))).data
        )


class ReportActionView(_ReportMixin, APIView):
    @extend_schema(
        parameters=[
            *PATH,
            OpenApiParameter(
                "action",
                str,
                OpenApiParameter.PATH,
                enum=[a.name for a in REPORT_ACTIONS if a.name != ReportAction.SUBMIT],
            ),
        ],
        request=ReportActionInputSerializer,
        responses=ReportSerializer,
        summary="Confirm, return or accept (submitting is `POST …/submit/`)",
    )
    def post(self, request, consortium_pk, period, action):
        _c, _p, report = self.load(request, consortium_pk, period)
        entry = REPORT_ACTIONS.get(action)
        if report is None or entry is None:
            return Response(
                {"detail": _("Not found."), "code": "not_found"}, status=status.HTTP_404_NOT_FOUND
            )
        data = entry.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        REPORT_ACTIONS.take(action, actor=request.user, obj=report, data=data.validated_data)
        return self.report_response(report)


class EvidenceUploadView(_ReportMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[*PATH, OpenApiParameter("task", int, OpenApiParameter.PATH)],
        request={
            "multipart/form-data": inline_serializer(
                "EvidenceUpload", {"file": serializers.FileField()}
            )
        },
        responses={201: EvidenceSerializer},
        summary="Attach an evidence file to a task entry",
    )
    def post(self, request, consortium_pk, period, task):
        report = self.load_started(request, consortium_pk, period)
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"detail": _("Send the file in the field “file”."), "code": "required"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        evidence = services.report_add_evidence(
            actor=request.user, report=report, task_number=task, upload=upload
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class PeriodReopenInputSerializer(serializers.Serializer):
    consortium = serializers.IntegerField()
    period = serializers.CharField(help_text="period code, e.g. 2026-q1")
    locks_on = serializers.DateField()
    reason = serializers.CharField()


class PeriodReopenView(APIView):
    permission_classes = [PortalUser]

    @extend_schema(
        request=PeriodReopenInputSerializer,
        responses={
            201: inline_serializer(
                "PeriodReopening",
                {"id": serializers.IntegerField(), "locks_on": serializers.DateField()},
            )
        },
        summary="Reopen a period for one consortium (Ministry administrator)",
    )
    def post(self, request):
        data = PeriodReopenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consortium = consortium_get_for(user=request.user, pk=data.validated_data["consortium"])
        period = get_object_or_404(
            ReportingPeriod, program=consortium.program, code=data.validated_data["period"]
        )
        reopening = services.period_reopen(
            actor=request.user,
            consortium=consortium,
            period=period,
            locks_on=data.validated_data["locks_on"],
            reason=data.validated_data["reason"],
        )
        return Response(
            {
                "id": reopening.pk,
                "locks_on": reopening.locks_on,
                "open": period_is_open(period=period, consortium=consortium),
            },
            status=status.HTTP_201_CREATED,
        )
