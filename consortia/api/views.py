"""Consortia and implementation plans under ``/api/v1/``: thin callers of selectors and services.

Every consortium-scoped view first fetches the consortium with ``consortium_get_for`` (404 for
a consortium the user may not see, so ids cannot be probed); the services then check what the
user may do and answer ``ValidationError`` / ``PermissionDenied``, which the project's
exception handler turns into ``{"detail", "code", "errors"}``.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, mixins, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from portal.api.pagination import KeysFirstPagination
from portal.api.permissions import Allows, PortalUser
from portal.api.schema import PortalAutoSchema
from portal.models import AuditEntry
from tasks_catalog.selectors import program_list

from .. import files, services
from ..actions import PLAN_ACTIONS
from ..compare import compare_summary
from ..filters import ConsortiumFilter
from ..models import Consortium, DeadlineExtension, MemberUnit, PlanVersion
from ..permissions import can_create_consortium
from ..print_views import review_sheet_response
from ..review_comments import comments_between
from ..selectors import (
    consortium_get_for,
    consortium_list_visible_to,
    deadline_extension_list_visible_to,
    plan_audit,
    plan_get_draft_for,
    plan_version_list,
    quota_status,
)
from . import serializers as s

PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF file.")
}
REVISION_QUERY = OpenApiParameter(
    "revision",
    int,
    OpenApiParameter.QUERY,
    required=True,
    description="The plan's revision the deletion is based on; an older one is refused.",
)


def _valid(serializer_class, data, **context):
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ConsortiumScopedView(generics.GenericAPIView):
    """Base of every ``consortia/<pk>/…`` endpoint: the consortium, if the user may see it."""

    permission_classes = [PortalUser]
    filter_backends: list = []

    def get_consortium(self) -> Consortium:
        return consortium_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def get_plan(self):
        return self.get_consortium().plan

    def get_plan_draft(self):
        """The plan whose working copy is read: 404 for the Ministry while the authority drafts
        or revises it (``can_read_plan_draft``; the submitted versions stay readable)."""
        return plan_get_draft_for(user=self.request.user, consortium_pk=self.kwargs["pk"])


# --- consortia ---------------------------------------------------------------------------------


class ConsortiumListView(generics.ListCreateAPIView):
    """Consortia the user may see: the Ministry all, an authority its own, a unit its own."""

    permission_classes = [PortalUser]
    serializer_class = s.ConsortiumSerializer
    # 2,000 consortia sorted by their authority's order: the page's keys first (a narrow sort).
    pagination_class = KeysFirstPagination
    # Filters, search and sort are the list page's (consortia/filters.py): one definition.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ConsortiumFilter

    def get_queryset(self) -> QuerySet[Consortium]:
        return consortium_list_visible_to(user=self.request.user).defer(*s.CONSORTIUM_UNREAD)

    @extend_schema(
        summary="Recommend a consortium",
        description="A provincial authority recommends a consortium; its plan starts as a "
        "draft with the program's mandatory tasks.",
        request=s.ConsortiumCreateSerializer,
        responses={201: s.ConsortiumSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = dict(_valid(s.ConsortiumCreateSerializer, request.data))
        program = data.pop("program")
        consortium = services.consortium_create(actor=request.user, program=program, data=data)
        return Response(s.ConsortiumSerializer(consortium).data, status=status.HTTP_201_CREATED)


class QuotaView(generics.GenericAPIView):
    """The requesting authority's quota in a program: what the new-consortium page says."""

    permission_classes = [Allows(can_create_consortium)]
    serializer_class = s.ProgramQuotaSerializer
    filter_backends: list = []

    @extend_schema(
        summary="The authority's recommendation quota in a program",
        description="Slots used by the authority's plans (submitted, returned or approved), "
        "the limit, and whether it is full. A draft can still be created when it is full; "
        "submitting it is refused.",
        parameters=[
            OpenApiParameter(
                "program", str, description="Program code (default: the active program)."
            )
        ],
    )
    def get(self, request):
        code = (request.query_params.get("program") or "").strip()
        programs = program_list()
        program = (
            get_object_or_404(programs, code=code)
            if code
            else programs.order_by("start_date", "code").first()
        )
        if program is None:
            raise Http404
        quota = quota_status(program=program, authority_id=request.user.organisation_id)
        return Response(s.ProgramQuotaSerializer({**quota, "program": program.code}).data)


class ConsortiumDetailView(ConsortiumScopedView):
    serializer_class = s.ConsortiumDetailSerializer

    @extend_schema(summary="A consortium with its members and selected tasks")
    def get(self, request, pk):
        return Response(
            s.ConsortiumDetailSerializer(self.get_consortium(), context={"request": request}).data
        )

    @extend_schema(
        summary="Change the basic information (section 1)",
        request=s.ConsortiumUpdateSerializer,
        responses=s.ConsortiumDetailSerializer,
    )
    def patch(self, request, pk):
        consortium = self.get_consortium()
        data = dict(_valid(s.ConsortiumUpdateSerializer, request.data, program=consortium.program))
        revision = data.pop("revision")
        consortium = services.consortium_update(
            actor=request.user, consortium=consortium, data=data, revision=revision
        )
        return Response(s.ConsortiumDetailSerializer(consortium, context={"request": request}).data)


# --- member units ----------------------------------------------------------------------------


class MemberListView(mixins.ListModelMixin, ConsortiumScopedView):
    serializer_class = s.MemberSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no consortium
            return MemberUnit.objects.none()
        return self.get_plan_draft().consortium.members.prefetch_related("tasks__task")

    @extend_schema(summary="Member units (section 2)")
    def get(self, request, pk):
        return self.list(request)

    @extend_schema(
        summary="Add a member unit",
        request=s.MemberWriteSerializer,
        responses={201: s.MemberSavedSerializer},
    )
    def post(self, request, pk):
        plan = self.get_plan()
        data = dict(_valid(s.MemberWriteSerializer, request.data))
        revision = data.pop("revision")
        member = services.member_save(actor=request.user, plan=plan, data=data, revision=revision)
        plan.refresh_from_db(fields=["revision"])
        body = {"revision": plan.revision, "member": s.MemberSerializer(member).data}
        return Response(body, status=status.HTTP_201_CREATED)


class MemberDetailView(ConsortiumScopedView):
    serializer_class = s.MemberSavedSerializer

    def get_member(self, consortium: Consortium):
        return get_object_or_404(consortium.members, pk=self.kwargs["member_id"])

    @extend_schema(
        summary="Change a member unit",
        request=s.MemberUpdateSerializer,
        responses=s.MemberSavedSerializer,
    )
    def patch(self, request, pk, member_id):
        consortium = self.get_consortium()
        member = self.get_member(consortium)
        data = dict(_valid(s.MemberUpdateSerializer, request.data))
        revision = data.pop("revision")
        plan = consortium.plan
        member = services.member_save(
            actor=request.user, plan=plan, data=data, revision=revision, member=member
        )
        plan.refresh_from_db(fields=["revision"])
        return Response({"revision": plan.revision, "member": s.MemberSerializer(member).data})

    @extend_schema(
        summary="Remove a member unit",
        parameters=[REVISION_QUERY],
        request=None,
        responses={200: s.PlanRevisionSerializer},
    )
    def delete(self, request, pk, member_id):
        consortium = self.get_consortium()
        member = self.get_member(consortium)
        revision = _valid(s.RevisionSerializer, request.query_params)["revision"]
        plan = consortium.plan
        services.member_delete(actor=request.user, plan=plan, member=member, revision=revision)
        plan.refresh_from_db(fields=["revision"])
        return Response({"revision": plan.revision})


# --- the plan ----------------------------------------------------------------------------------


class PlanView(ConsortiumScopedView):
    serializer_class = s.PlanSerializer

    @extend_schema(summary="The implementation plan (sections 3 to 6) and its state")
    def get(self, request, pk):
        return Response(s.PlanSerializer(self.get_plan_draft(), context={"request": request}).data)

    @extend_schema(
        summary="Change sections 3 to 6",
        request=s.PlanWriteSerializer,
        responses=s.PlanSerializer,
    )
    def patch(self, request, pk):
        plan = self.get_plan()
        data = dict(_valid(s.PlanWriteSerializer, request.data))
        revision = data.pop("revision")
        plan = services.plan_update(actor=request.user, plan=plan, data=data, revision=revision)
        return Response(s.PlanSerializer(plan, context={"request": request}).data)


class PlanTasksView(ConsortiumScopedView):
    serializer_class = s.PlanSelectionsSerializer

    @extend_schema(summary="The reference tasks taken on, with their responsible member units")
    def get(self, request, pk):
        return Response(s.PlanSelectionsSerializer(self.get_plan_draft()).data)

    @extend_schema(
        summary="Choose the reference tasks and their responsible member units",
        description="Send every task taken on; the ones left out are dropped. "
        "Mandatory tasks cannot be dropped. Targets come in the separate `targets` map "
        "(task number -> text); without it every target stays as it is.",
        request=s.PlanTasksSerializer,
        responses=s.PlanSelectionsSerializer,
    )
    def put(self, request, pk):
        plan = self.get_plan()
        data = _valid(s.PlanTasksSerializer, request.data)
        plan = services.plan_set_tasks(
            actor=request.user,
            plan=plan,
            selections=data["selections"],
            targets=data.get("targets"),
            revision=data["revision"],
        )
        return Response(s.PlanSelectionsSerializer(plan).data)


class PlanPdfView(ConsortiumScopedView):
    @extend_schema(
        summary="The current form as PDF",
        description="Watermarked 草稿 (draft) until every section is complete.",
        responses=PDF_RESPONSE,
    )
    def get(self, request, pk):
        return files.plan_pdf_response(self.get_plan_draft())


class PlanScanView(ConsortiumScopedView):
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = s.ScanUploadSerializer

    @extend_schema(
        summary="The stamped scan uploaded for the next submission", responses=PDF_RESPONSE
    )
    def get(self, request, pk):
        return files.plan_scan_response(self.get_plan_draft())

    @extend_schema(
        summary="Upload the stamped scan",
        description="A refused file answers 400 with ``code`` one of empty, too_large, not_pdf, "
        "encrypted, damaged, too_few_pages, and the message under ``errors.file``; the plan's "
        "scan stays as it was.",
        request={"multipart/form-data": s.ScanUploadSerializer},
        responses=s.PlanSerializer,
    )
    def post(self, request, pk):
        plan = self.get_plan()
        upload = _valid(s.ScanUploadSerializer, request.data)["file"]
        try:
            plan = services.plan_upload_scan(actor=request.user, plan=plan, upload=upload)
        except DjangoValidationError as exc:
            # The project's handler reduces every ValidationError to code "invalid"; a client
            # needs the upload check's own code (not_pdf, encrypted …) to tell the user what to do.
            return Response(
                {
                    "detail": " ".join(exc.messages),
                    "code": getattr(exc, "code", None) or "invalid",
                    "errors": {"file": exc.messages},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        plan.refresh_from_db()
        return Response(s.PlanSerializer(plan, context={"request": request}).data)


# --- workflow ----------------------------------------------------------------------------------


class ActionSchema(PortalAutoSchema):
    """The API docs of one workflow action, from its entry in the registry."""

    def get_summary(self):
        return self.view.entry.summary

    def get_description(self):
        return self.view.entry.description or super().get_description()

    def get_request_serializer(self):
        return self.view.entry.serializer

    def get_response_serializers(self):
        return self.view.entry.response or PLAN_ACTIONS.response


class PlanActionView(ConsortiumScopedView):
    """POST one workflow action; the service checks the state and who may take it."""

    # One view for every action of the registry (consortia/actions.py): as_view(action_name=…).
    action_name = ""
    schema = ActionSchema()

    @property
    def entry(self):
        return PLAN_ACTIONS.get(self.action_name)

    def get_serializer_class(self):
        return self.entry.response or PLAN_ACTIONS.response

    def post(self, request, pk):
        plan = self.get_plan()
        entry = self.entry
        data = _valid(entry.serializer, request.data) if entry.serializer else {}
        result = PLAN_ACTIONS.take(self.action_name, actor=request.user, obj=plan, data=data)
        plan.refresh_from_db()
        response = entry.response or PLAN_ACTIONS.response
        return Response(response(plan, context={"request": request, "result": result}).data)


# --- submitted versions, comparison, audit ------------------------------------------------------


class PlanVersionListView(mixins.ListModelMixin, ConsortiumScopedView):
    serializer_class = s.PlanVersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no consortium
            return PlanVersion.objects.none()
        return plan_version_list(plan=self.get_plan())

    @extend_schema(summary="Submitted versions, oldest first, with the Ministry's decisions")
    def get(self, request, pk):
        return self.list(request)


class PlanVersionMixin:
    def get_version(self) -> PlanVersion:
        versions = plan_version_list(plan=self.get_plan())
        return get_object_or_404(versions, number=self.kwargs["number"])


class PlanVersionDetailView(PlanVersionMixin, ConsortiumScopedView):
    serializer_class = s.PlanVersionDetailSerializer

    @extend_schema(summary="A submitted version with its frozen content")
    def get(self, request, pk, number):
        return Response(s.PlanVersionDetailSerializer(self.get_version()).data)


class PlanVersionFileView(PlanVersionMixin, ConsortiumScopedView):
    kind = "pdf"  # or "scan"

    @extend_schema(summary="A submitted version's file", responses=PDF_RESPONSE)
    def get(self, request, pk, number):
        return files.version_file_response(self.get_version(), self.kind)


class PlanCompareView(ConsortiumScopedView):
    serializer_class = s.CompareSerializer

    @extend_schema(
        summary="Which sections changed between two submitted versions",
        parameters=[
            OpenApiParameter("a", int, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("b", int, OpenApiParameter.QUERY, required=True),
        ],
    )
    def get(self, request, pk):
        plan = self.get_plan()
        query = _valid(s.CompareQuerySerializer, request.query_params)
        versions = {v.number: v for v in plan_version_list(plan=plan)}
        a, b = versions.get(query["a"]), versions.get(query["b"])
        if a is None or b is None:
            raise Http404
        body = {
            "a": a.number,
            "b": b.number,
            "changed": compare_summary(a.content, b.content),
            "review_comments": comments_between(versions, a.number, b.number),
        }
        return Response(s.CompareSerializer(body).data)


class PlanAuditView(mixins.ListModelMixin, ConsortiumScopedView):
    serializer_class = s.AuditEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no consortium
            return AuditEntry.objects.none()
        return plan_audit(plan=self.get_plan())

    @extend_schema(summary="Everything that happened to the plan, newest first")
    def get(self, request, pk):
        return self.list(request)


# --- deadline extensions -------------------------------------------------------------------------


class DeadlineExtensionFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program__code", help_text="Program code.")
    authority = django_filters.CharFilter(
        field_name="authority__code", help_text="Code of the provincial authority."
    )

    class Meta:
        model = DeadlineExtension
        fields = ["program", "authority"]


class DeadlineExtensionListView(generics.ListCreateAPIView):
    """Extensions of the plan deadline: the Ministry sees all, an authority its own."""

    permission_classes = [PortalUser]
    serializer_class = s.DeadlineExtensionSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = DeadlineExtensionFilter
    ordering_fields = ["created_at", "new_deadline"]

    def get_queryset(self):
        return deadline_extension_list_visible_to(user=self.request.user)

    @extend_schema(
        summary="Grant a deadline extension (Ministry administrator)",
        request=s.DeadlineExtensionCreateSerializer,
        responses={201: s.DeadlineExtensionSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = _valid(s.DeadlineExtensionCreateSerializer, request.data)
        extension = services.deadline_extension_grant(actor=request.user, **data)
        return Response(s.DeadlineExtensionSerializer(extension).data, status=201)


class PlanReviewSheetView(ConsortiumScopedView):
    @extend_schema(
        summary="The review sheet as PDF: the plan's content with every review comment",
        description="The latest submitted version (or ``?version=N``; the draft if never "
        "submitted), each section followed by the Ministry's comments on it from every review.",
        parameters=[OpenApiParameter("version", int, OpenApiParameter.QUERY, required=False)],
        responses=PDF_RESPONSE,
    )
    def get(self, request, pk):
        return review_sheet_response(
            user=request.user, pk=pk, version_number=request.query_params.get("version")
        )
