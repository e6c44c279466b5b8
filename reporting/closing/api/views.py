"""``GET /api/v1/dashboards/final/``: the figures of the dashboard's final view."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import Allows
from reporting.closing.exports import XLSX, closing_workbook
from reporting.closing.selectors import closing_cached, closing_overview
from reporting.closing.services import closing_download, closing_list_for, closing_request
from reporting.closing.views import program_from
from reporting.insights.permissions import can_use_dashboards


class GroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    pilots = serializers.IntegerField()
    accepted = serializers.IntegerField(help_text="Final summaries accepted by the Ministry.")
    published = serializers.IntegerField(help_text="Evaluations published.")
    grades = serializers.DictField(child=serializers.IntegerField(), help_text="Grade → count.")


class RankedSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    consortium = serializers.IntegerField(source="consortium.pk")
    name = serializers.CharField(source="consortium.name")
    province = serializers.CharField(source="consortium.authority.code")
    total = serializers.DecimalField(source="result.total", max_digits=6, decimal_places=2)
    grade = serializers.CharField(source="result.grade_label")


class CaseSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="case.public_id")
    title = serializers.CharField(source="case.title")
    consortium = serializers.IntegerField(source="evaluation.consortium_id")
    reason = serializers.CharField()


class FinalOverviewSerializer(serializers.Serializer):
    program = serializers.CharField(source="program.code")
    pilots = serializers.IntegerField()
    final_summaries = serializers.SerializerMethodField(help_text="State → count.")
    final_not_started = serializers.IntegerField()
    published = serializers.IntegerField()
    grades = serializers.SerializerMethodField(help_text="Grade → count.")
    ranking = RankedSerializer(many=True)
    provinces = GroupSerializer(many=True)
    types = GroupSerializer(many=True)
    cases = CaseSerializer(many=True)
    deliverables = serializers.SerializerMethodField(help_text="Kind label → count.")

    def get_final_summaries(self, data) -> dict[str, int]:
        return {state: count for state, _label, count in data["final_states"]}

    def get_grades(self, data) -> dict[str, int]:
        return dict(data["grades"])

    def get_deliverables(self, data) -> dict[str, int]:
        return {str(label): count for label, count in data["deliverables"]}


class FinalOverviewView(APIView):
    permission_classes = [Allows(can_use_dashboards)]

    @extend_schema(
        parameters=[OpenApiParameter("program", str, description="Program code, e.g. idfa-2026.")],
        responses=FinalOverviewSerializer,
        summary="The program at its close: final summaries, grades, promoted cases, deliverables",
        description="Ministry staff: every pilot; a provincial authority: its own province's.",
    )
    def get(self, request):
        program = program_from(request.query_params)

        def figures() -> dict:
            return dict(
                FinalOverviewSerializer(closing_overview(user=request.user, program=program)).data
            )

        return Response(closing_cached("api", user=request.user, program=program, compute=figures))


class ClosingDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = serializers.CharField(source="program.code")
    status = serializers.CharField(source="shown_status", help_text="A dead job reads failed.")
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    pages = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField()
    error = serializers.CharField(source="shown_error")


class ClosingRequestSerializer(serializers.Serializer):
    program = serializers.CharField(help_text="Program code, e.g. idfa-2026.")


class ClosingDocumentListView(APIView):
    permission_classes = [Allows(can_use_dashboards)]

    @extend_schema(
        parameters=[OpenApiParameter("program", str, description="Program code.")],
        responses=ClosingDocumentSerializer(many=True),
        summary="The closing documents (Ministry staff; others get an empty list)",
    )
    def get(self, request):
        program = (
            program_from(request.query_params) if request.query_params.get("program") else None
        )
        documents = closing_list_for(user=request.user, program=program)[:50]
        return Response(ClosingDocumentSerializer(documents, many=True).data)

    @extend_schema(
        request=ClosingRequestSerializer,
        responses={202: ClosingDocumentSerializer},
        summary="Generate a program's closing document (Ministry staff); rendered by Celery",
        description="A document already waiting or rendering for the program is returned.",
    )
    def post(self, request):
        data = ClosingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        program = program_from(data.validated_data)
        document = closing_request(actor=request.user, program=program)
        document.refresh_from_db()
        return Response(ClosingDocumentSerializer(document).data, status=202)


class ClosingDocumentDownloadView(APIView):
    permission_classes = [Allows(can_use_dashboards)]

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="Download a finished closing document (PDF)",
    )
    def get(self, request, pk: int):
        return closing_download(user=request.user, pk=pk)


class ClosingExportView(APIView):
    permission_classes = [Allows(can_use_dashboards)]

    @extend_schema(
        parameters=[OpenApiParameter("program", str, description="Program code.")],
        responses={(200, XLSX): OpenApiTypes.BINARY},
        summary="Every table of the final view as one Excel workbook (in the user's scope)",
    )
    def get(self, request):
        content, name = closing_workbook(
            user=request.user, program=program_from(request.query_params)
        )
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
