"""Summary PDFs and dashboard exports under ``/api/v1/``: the same services as the pages.

``summaries/`` lists and requests summaries, ``summaries/<id>/`` is one's status,
``summaries/<id>/download/`` its PDF. ``dashboards/export/<table>/?format=`` downloads a table
(or, for the raw entries and large tables, answers 202 with the export job it queued),
``exports/`` lists and requests the user's own jobs, ``exports/<id>/`` and ``…/download/``.
"""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import Allows
from portal.api.schema import file_responses
from reporting.insights.dashboards import scope_for
from reporting.insights.exports.services import (
    FORMATS,
    ExportFile,
    export_download,
    export_get_for,
    export_list_for,
    export_request,
    export_table,
)
from reporting.insights.exports.tables import TABLES
from reporting.insights.models import ExportJob, JobStatus, SummaryDocument
from reporting.insights.permissions import can_use_dashboards
from reporting.insights.summaries import (
    summary_download,
    summary_get_for,
    summary_list_for,
    summary_request,
)


class FileFormatMixin:
    """``?format=`` names the file type here, not a DRF renderer: don't let it pick one."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class JobSerializer(serializers.ModelSerializer):
    """A background job (``portal.jobs``): its fields, and its file's URL once it is done."""

    download_route = ""  # the URL name of the job's download
    download_url = serializers.SerializerMethodField()
    # As the pages show them: a job whose worker is gone reads "failed" (``portal.jobs``).
    status = serializers.ChoiceField(
        source="shown_status", choices=JobStatus.choices, read_only=True
    )
    error = serializers.CharField(source="shown_error", read_only=True)

    def get_download_url(self, obj) -> str | None:
        if obj.status != JobStatus.DONE:
            return None
        return reverse(self.download_route, args=[obj.pk])


# --- summaries -------------------------------------------------------------------------------


class SummarySerializer(JobSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    province = serializers.SlugRelatedField(
        source="authority",
        slug_field="code",
        read_only=True,
        help_text="Code of the province; null for the national summary.",
    )
    requested_by = serializers.StringRelatedField()
    download_route = "api-summary-download"

    class Meta:
        model = SummaryDocument
        fields = [
            "id",
            "program",
            "period",
            "province",
            "status",
            "requested_by",
            "requested_at",
            "finished_at",
            "size",
            "pages",
            "sha256",
            "error",
            "download_url",
        ]
        read_only_fields = fields


class SummaryRequestSerializer(serializers.Serializer):
    program = serializers.CharField(required=False, allow_blank=True)
    period = serializers.CharField(required=False, allow_blank=True)
    province = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Empty: the national summary (Ministry staff); a province: its own.",
    )


class SummaryListView(generics.ListCreateAPIView):
    permission_classes = [Allows(can_use_dashboards)]
    serializer_class = SummarySerializer

    def get_queryset(self):
        return summary_list_for(user=self.request.user)

    @extend_schema(
        request=SummaryRequestSerializer,
        responses={202: SummarySerializer, 200: SummarySerializer},
    )
    def post(self, request, *args, **kwargs):
        data = SummaryRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = {k: v or "" for k, v in data.validated_data.items()}
        scope = scope_for(user=request.user, params=params)
        document = summary_request(actor=request.user, scope=scope)
        document.refresh_from_db()  # rendered already when Celery runs eagerly
        code = status.HTTP_200_OK if document.status == JobStatus.DONE else status.HTTP_202_ACCEPTED
        return Response(SummarySerializer(document).data, status=code)


class SummaryDetailView(generics.RetrieveAPIView):
    permission_classes = [Allows(can_use_dashboards)]
    serializer_class = SummarySerializer

    def get_object(self):
        return summary_get_for(user=self.request.user, pk=self.kwargs["pk"])


class SummaryDownloadView(APIView):
    permission_classes = [Allows(can_use_dashboards)]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        return summary_download(user=request.user, pk=pk)  # 404 unless visible and ready


# --- exports ---------------------------------------------------------------------------------


class ExportJobSerializer(JobSerializer):
    download_route = "api-export-download"

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "table",
            "format",
            "params",
            "status",
            "rows",
            "requested_at",
            "finished_at",
            "error",
            "download_url",
        ]
        read_only_fields = fields


class ExportRequestSerializer(serializers.Serializer):
    table = serializers.ChoiceField(choices=list(TABLES))
    format = serializers.ChoiceField(choices=list(FORMATS), default="csv")
    params = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Dashboard filters: program, period, province, entity_type, category, industry.",
    )


class ExportListView(FileFormatMixin, generics.ListCreateAPIView):
    permission_classes = [Allows(can_use_dashboards)]
    serializer_class = ExportJobSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ExportJob.objects.none()
        return export_list_for(user=self.request.user)

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportJobSerializer})
    def post(self, request, *args, **kwargs):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = export_request(
            actor=request.user,
            table=data.validated_data["table"],
            params=data.validated_data.get("params") or {},
            format=data.validated_data["format"],
        )
        job.refresh_from_db()
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(generics.RetrieveAPIView):
    permission_classes = [Allows(can_use_dashboards)]
    serializer_class = ExportJobSerializer

    def get_object(self):
        return export_get_for(user=self.request.user, pk=self.kwargs["pk"])


class ExportDownloadView(APIView):
    permission_classes = [Allows(can_use_dashboards)]

    @extend_schema(responses=file_responses(*FORMATS.values()))
    def get(self, request, pk: int):
        return export_download(user=request.user, pk=pk)  # someone else's or not ready: 404


class ExportTableView(FileFormatMixin, APIView):
    """A dashboard table as CSV or Excel; 202 with the queued job for the large ones."""

    permission_classes = [Allows(can_use_dashboards)]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(FORMATS), default="csv"),
            *[OpenApiParameter(name, str) for name in ("program", "period", "province")],
        ],
        responses={
            **file_responses(*FORMATS.values()),
            202: ExportJobSerializer,
            400: OpenApiResponse(description="Unknown table, format or filter."),
        },
    )
    def get(self, request, table: str):
        params = {k: v for k, v in request.query_params.items() if k != "format"}
        fmt = request.query_params.get("format", "csv")
        export = export_table(actor=request.user, table=table, fmt=fmt, params=params)
        if not isinstance(export, ExportFile):
            export.refresh_from_db()
            return Response(
                ExportJobSerializer(export).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": reverse("api-export", args=[export.pk])},
            )
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
