"""Reviewing at scale through the API: the reports list with the page's filters, bulk confirm /
accept and "remind now" with one result per item, and a report as PDF."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from consortia.models import Consortium
from portal.api.filters import query_boolean
from portal.api.permissions import Allows, PortalUser
from portal.inputs import MAX_ID
from reporting.periods.print_views import report_pdf_response
from reporting.periods.report_list import (
    ReportRowFilter,
    report_rows_visible_to,
    report_rows_with_periods,
)
from reporting.periods.review_permissions import can_review_report_list
from reporting.periods.review_services import reports_bulk_action, reports_remind_overdue
from reporting.periods.workflows import ReportAction


class ReportRowSerializer(serializers.Serializer):
    consortium = serializers.IntegerField(source="pk")
    consortium_name = serializers.CharField(source="name")
    lead_unit_name = serializers.CharField()
    program = serializers.CharField(source="program.code")
    authority = serializers.CharField(source="authority.code")
    authority_name = serializers.CharField(source="authority.region_name")
    period = serializers.CharField(source="period_code")
    period_name = serializers.CharField(source="period.name")
    due_date = serializers.DateField(source="period_due")
    report = serializers.IntegerField(source="report_ref", allow_null=True)
    state = serializers.CharField(source="report_state", help_text="not_started or the state")
    submitted_at = serializers.DateTimeField(source="report_submitted", allow_null=True)
    overdue = serializers.BooleanField()


class ReportRowListView(generics.ListAPIView):
    """One row per pilot × opened period the user may see, with its report's state (or
    ``not_started``): the reports list page's rows, filtered, searched and sorted the same way."""

    serializer_class = ReportRowSerializer
    permission_classes = [Allows(can_review_report_list)]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportRowFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consortium.objects.none()
        return report_rows_visible_to(user=self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return report_rows_with_periods(page) if page is not None else None


class ItemSerializer(serializers.Serializer):
    consortium = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    period = serializers.CharField(help_text="period code, e.g. 2026-q2")


class BulkInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[ReportAction.CONFIRM, ReportAction.ACCEPT])
    items = ItemSerializer(many=True, allow_empty=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RemindInputSerializer(serializers.Serializer):
    items = ItemSerializer(many=True, allow_empty=False)


class ItemResultSerializer(serializers.Serializer):
    consortium = serializers.IntegerField()
    period = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField(help_text="what was done, or why it was refused")
    consortium_name = serializers.CharField()
    period_name = serializers.CharField()
    report = serializers.IntegerField(allow_null=True)
    reminded = serializers.IntegerField()


class BulkResultSerializer(serializers.Serializer):
    succeeded = serializers.IntegerField()
    refused = serializers.IntegerField()
    reminded = serializers.IntegerField()
    results = ItemResultSerializer(many=True)


def _body(results) -> dict:
    ok = [r for r in results if r.ok]
    return BulkResultSerializer(
        {
            "succeeded": len(ok),
            "refused": len(results) - len(ok),
            "reminded": sum(r.reminded for r in ok),
            "results": results,
        }
    ).data


def _items(data) -> list[tuple[int, str]]:
    return list(dict.fromkeys((i["consortium"], i["period"]) for i in data["items"]))


class ReportBulkView(APIView):
    permission_classes = [Allows(can_review_report_list)]

    @extend_schema(
        request=BulkInputSerializer,
        responses=BulkResultSerializer,
        summary="Confirm (province) or accept (Ministry) several reports",
        description="Each report goes through the same checks as its own action, in its own "
        "transaction: the answer lists which succeeded and why the others were refused.",
    )
    def post(self, request):
        data = BulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = reports_bulk_action(
            actor=request.user,
            action=data.validated_data["action"],
            items=_items(data.validated_data),
            comment=data.validated_data["comment"].strip(),
        )
        return Response(_body(results))


class ReportRemindView(APIView):
    permission_classes = [Allows(can_review_report_list)]

    @extend_schema(
        request=RemindInputSerializer,
        responses=BulkResultSerializer,
        summary="Send the overdue reminder now (Ministry staff; a province for its own)",
        description="Without ``items``, every overdue row the query string's filters select "
        "(the same filters as ``reporting-status``). A pilot reminded in the last 10 minutes "
        "is not reminded again.",
        parameters=[
            OpenApiParameter("all_overdue", bool, OpenApiParameter.QUERY, required=False),
        ],
    )
    def post(self, request):
        all_overdue = query_boolean(request.query_params, "all_overdue")
        if all_overdue and not request.data.get("items"):
            filterset = ReportRowFilter(
                request.query_params, queryset=report_rows_visible_to(user=request.user)
            )
            if not filterset.is_valid():
                raise serializers.ValidationError(filterset.errors)
            items = [(r.pk, r.period_code) for r in filterset.qs.filter(overdue=True)]
            if not items:
                return Response(_body([]))
        else:
            data = RemindInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            items = _items(data.validated_data)
        return Response(_body(reports_remind_overdue(actor=request.user, items=items)))


class ReportPdfView(APIView):
    permission_classes = [PortalUser]

    @extend_schema(
        parameters=[
            OpenApiParameter("consortium_pk", int, OpenApiParameter.PATH),
            OpenApiParameter("period", str, OpenApiParameter.PATH),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF file."
            )
        },
        summary="The report as PDF: every task entry, its evidence files, the reviews",
    )
    def get(self, request, consortium_pk, period):
        return report_pdf_response(user=request.user, consortium_pk=consortium_pk, period=period)
