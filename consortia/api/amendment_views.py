"""Amendments of an approved plan under ``/api/v1/consortia/<pk>/plan/amendments/``: the same
services, permission helpers and action registry (``AMENDMENT_ACTIONS``) as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from .. import files, services
from ..actions import AMENDMENT_ACTIONS
from ..models import PlanAmendment
from ..selectors import amendment_get_for, amendment_list
from . import amendment_serializers as sa
from . import serializers as s
from .views import PDF_RESPONSE, REVISION_QUERY, ActionSchema, ConsortiumScopedView, _valid


class AmendmentScopedView(ConsortiumScopedView):
    def get_amendment(self) -> PlanAmendment:
        return amendment_get_for(
            user=self.request.user, consortium_pk=self.kwargs["pk"], number=self.kwargs["number"]
        )

    def answer(self, amendment: PlanAmendment, status_code=status.HTTP_200_OK) -> Response:
        amendment = PlanAmendment.objects.get(pk=amendment.pk)
        body = sa.AmendmentSerializer(amendment, context={"request": self.request}).data
        return Response(body, status=status_code)


class AmendmentListView(AmendmentScopedView):
    serializer_class = sa.AmendmentSerializer
    pagination_class = None  # a plan has a handful of amendments: the whole list, no pages

    @extend_schema(
        summary="Amendments of the approved plan, oldest first",
        responses=sa.AmendmentSerializer(many=True),
    )
    def get(self, request, pk):
        amendments = amendment_list(plan=self.get_plan())
        return Response(
            sa.AmendmentSerializer(amendments, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="Propose an amendment of the approved plan (recommending authority)",
        description="Starts from a copy of the baseline's content; one amendment is open at a "
        "time. The plan stays approved (the consortium a pilot) until the amendment is approved.",
        request=sa.AmendmentProposeSerializer,
        responses={201: sa.AmendmentSerializer},
    )
    def post(self, request, pk):
        reason = _valid(sa.AmendmentProposeSerializer, request.data)["reason"]
        amendment = services.amendment_propose(
            actor=request.user, plan=self.get_plan(), reason=reason
        )
        return self.answer(amendment, status.HTTP_201_CREATED)


class AmendmentDetailView(AmendmentScopedView):
    serializer_class = sa.AmendmentSerializer

    @extend_schema(summary="An amendment with its content, state and what keeps it from submission")
    def get(self, request, pk, number):
        return self.answer(self.get_amendment())

    @extend_schema(
        summary="Change the reason and sections 3–4 of the amendment",
        request=sa.AmendmentWriteSerializer,
        responses=sa.AmendmentSerializer,
    )
    def patch(self, request, pk, number):
        amendment = self.get_amendment()
        data = dict(_valid(sa.AmendmentWriteSerializer, request.data))
        revision = data.pop("revision")
        amendment = services.amendment_update(
            actor=request.user, amendment=amendment, data=data, revision=revision
        )
        return self.answer(amendment)


class AmendmentMemberListView(AmendmentScopedView):
    serializer_class = sa.AmendmentSerializer

    @extend_schema(
        summary="Add a member unit to the amendment",
        request=sa.AmendmentMemberWriteSerializer,
        responses={201: sa.AmendmentSerializer},
    )
    def post(self, request, pk, number):
        amendment = self.get_amendment()
        data = dict(_valid(sa.AmendmentMemberWriteSerializer, request.data))
        revision = data.pop("revision")
        services.amendment_member_save(
            actor=request.user, amendment=amendment, data=data, revision=revision
        )
        return self.answer(amendment, status.HTTP_201_CREATED)


class AmendmentMemberDetailView(AmendmentScopedView):
    """A member unit of the amendment by its position (1-based) in the amendment's list."""

    serializer_class = sa.AmendmentSerializer

    @extend_schema(
        summary="Change a member unit of the amendment (a renamed unit keeps its tasks)",
        request=sa.AmendmentMemberUpdateSerializer,
        responses=sa.AmendmentSerializer,
    )
    def patch(self, request, pk, number, index):
        amendment = self.get_amendment()
        data = dict(_valid(sa.AmendmentMemberUpdateSerializer, request.data))
        revision = data.pop("revision")
        services.amendment_member_save(
            actor=request.user, amendment=amendment, data=data, revision=revision, index=index
        )
        return self.answer(amendment)

    @extend_schema(
        summary="Remove a member unit from the amendment",
        parameters=[REVISION_QUERY],
        request=None,
        responses=sa.AmendmentSerializer,
    )
    def delete(self, request, pk, number, index):
        amendment = self.get_amendment()
        revision = _valid(s.RevisionSerializer, request.query_params)["revision"]
        services.amendment_member_delete(
            actor=request.user, amendment=amendment, index=index, revision=revision
        )
        return self.answer(amendment)


class AmendmentTasksView(AmendmentScopedView):
    serializer_class = sa.AmendmentSerializer

    @extend_schema(
        summary="Choose the amendment's tasks and their responsible member units (by name)",
        request=sa.AmendmentTasksSerializer,
        responses=sa.AmendmentSerializer,
    )
    def put(self, request, pk, number):
        amendment = self.get_amendment()
        data = _valid(sa.AmendmentTasksSerializer, request.data)
        services.amendment_set_tasks(
            actor=request.user,
            amendment=amendment,
            selections=data["selections"],
            targets=data.get("targets"),
            revision=data["revision"],
        )
        return self.answer(amendment)


class AmendmentPdfView(AmendmentScopedView):
    @extend_schema(
        summary="The amended form as PDF",
        description="Watermarked 草稿 (draft) until every section is complete.",
        responses=PDF_RESPONSE,
    )
    def get(self, request, pk, number):
        return files.amendment_pdf_response(self.get_amendment())


class AmendmentScanView(AmendmentScopedView):
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = s.ScanUploadSerializer

    @extend_schema(
        summary="Upload the stamped scan of the amended form (only when the program asks)",
        request={"multipart/form-data": s.ScanUploadSerializer},
        responses=sa.AmendmentSerializer,
    )
    def post(self, request, pk, number):
        amendment = self.get_amendment()
        upload = _valid(s.ScanUploadSerializer, request.data)["file"]
        try:
            services.amendment_upload_scan(actor=request.user, amendment=amendment, upload=upload)
        except DjangoValidationError as exc:
            return Response(
                {
                    "detail": " ".join(exc.messages),
                    "code": getattr(exc, "code", None) or "invalid",
                    "errors": {"file": exc.messages},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self.answer(amendment)


class AmendmentActionSchema(ActionSchema):
    def get_response_serializers(self):
        return self.view.entry.response or AMENDMENT_ACTIONS.response


class AmendmentActionView(AmendmentScopedView):
    """POST one action of ``AMENDMENT_ACTIONS``; the service checks the state and who may."""

    action_name = ""
    schema = AmendmentActionSchema()

    @property
    def entry(self):
        return AMENDMENT_ACTIONS.get(self.action_name)

    def get_serializer_class(self):
        return self.entry.response or AMENDMENT_ACTIONS.response

    def post(self, request, pk, number):
        amendment = self.get_amendment()
        entry = self.entry
        data = _valid(entry.serializer, request.data) if entry.serializer else {}
        result = AMENDMENT_ACTIONS.take(
            self.action_name, actor=request.user, obj=amendment, data=data
        )
        amendment.refresh_from_db()
        response = entry.response or AMENDMENT_ACTIONS.response
        return Response(response(amendment, context={"request": request, "result": result}).data)
