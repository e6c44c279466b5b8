"""``/api/v1/audit-entries/``: the audit log for the audit administrator, filtered like the page
(``portal.audit_log.AuditEntryFilter``), and its export. Every read is itself audited."""

from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from portal.audit_log import (
    FORMATS,
    AuditEntryFilter,
    audit_entry_list,
    audit_export,
    audit_log_read,
    search_params,
)
from portal.models import AuditEntry
from portal.permissions import can_read_audit_log
from portal.security_audit import mark_audited

from .permissions import Allows


class AuditLogEntrySerializer(serializers.ModelSerializer):
    actor_username = serializers.SerializerMethodField()
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "from_state",
            "to_state",
            "comment",
            "data",
            "ip_address",
            "user_agent",
        ]
        read_only_fields = fields

    def get_actor_username(self, obj) -> str | None:
        return obj.actor.username if obj.actor_id else None

    def get_object_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


@extend_schema(summary="The audit log (audit administrator only)")
class AuditEntryListView(generics.ListAPIView):
    """Newest first. Filters: ``since``/``until`` (dates, inclusive), ``actor``, ``action``
    (``auth.*`` for a family), ``address``, ``object_type`` (``app_label.model``), ``object_id``.
    The search is recorded in the log (``audit.search``)."""

    serializer_class = AuditLogEntrySerializer
    permission_classes = [Allows(can_read_audit_log, business=False)]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEntryFilter

    def get_queryset(self):
        return audit_entry_list()

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        data = response.data if isinstance(response.data, dict) else {}
        audit_log_read(
            actor=request.user,
            action="audit.search",
            params=search_params(request.query_params),
            page=str(request.query_params.get("page", "1"))[:10],
            results=data.get("count"),
            via="api",
        )
        return response


class AuditExportView(APIView):
    """The filtered audit log as CSV or Excel (``?format=csv|xlsx``), recorded as
    ``audit.export``. At most 100,000 entries: more answers 400 (narrow the time range)."""

    permission_classes = [Allows(can_read_audit_log, business=False)]

    def perform_content_negotiation(self, request, force=False):
        # ``?format=`` names the file type here, not a DRF renderer.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Export the audit log (audit administrator only)",
        parameters=[
            OpenApiParameter("format", str, enum=list(FORMATS), default="csv"),
            *[
                OpenApiParameter(name, str)
                for name in ("since", "until", "actor", "action", "address", "object_type")
            ],
            OpenApiParameter("object_id", str),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, FORMATS["xlsx"]): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="Unknown format, a bad filter, or too many rows."),
        },
    )
    def get(self, request):
        filterset = AuditEntryFilter(request.query_params, queryset=audit_entry_list())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        fmt = request.query_params.get("format", "csv")
        content, filename, content_type, count = audit_export(rows=filterset.qs, fmt=fmt)
        audit_log_read(
            actor=request.user,
            action="audit.export",
            params=search_params(request.query_params),
            format=fmt,
            rows=count,
            filename=filename,
            via="api",
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return mark_audited(response)
