"""Final summary reports through the API: the same selectors and services as the pages."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import PortalUser
from portal.pdf import pdf_response
from portal.permissions import require
from portal.security_audit import download_of
from reporting.final import services
from reporting.final.actions import FINAL_ACTIONS
from reporting.final.models import FinalReport, TypicalCase
from reporting.final.pdf import final_pdf, final_pdf_filename
from reporting.final.permissions import can_list_finals
from reporting.final.selectors import final_get_for, final_list_visible_to
from reporting.final.workflows import FinalAction

from .serializers import (
    FinalActionInputSerializer,
    FinalListSerializer,
    FinalRevisionSerializer,
    FinalSerializer,
    FinalSubmitInputSerializer,
    FinalUpdateSerializer,
    TypicalCaseInputSerializer,
    TypicalCaseSerializer,
)

PATH = [OpenApiParameter("consortium_pk", int, OpenApiParameter.PATH)]


class FinalListView(generics.ListAPIView):
    """Final summaries the user may see (``?consortium__program__code=mdr-2026&state=submitted``):
    Ministry staff and provinces (their own)."""

    serializer_class = FinalListSerializer
    permission_classes = [PortalUser]
    filterset_fields = {
        "consortium__program__code": ["exact"],
        "state": ["exact"],
        "consortium__authority__code": ["exact"],
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FinalReport.objects.none()
        require(can_list_finals(self.request.user))
        return final_list_visible_to(user=self.request.user)


class _FinalMixin:
    permission_classes = [PortalUser]

    def load(self, request, consortium_pk):
        return final_get_for(user=request.user, consortium_pk=consortium_pk)

    def load_started(self, request, consortium_pk) -> FinalReport:
        _c, _p, report = self.load(request, consortium_pk)
        if report is None:
            raise NotFound(_("The final summary has not been started."), code="not_found")
        return report

    def answer(self, report, code=status.HTTP_200_OK):
        report = FinalReport.objects.prefetch_related(
            "outcomes__task", "figures", "cases", "reviews__reviewer", "versions"
        ).get(pk=report.pk)
        return Response(FinalSerializer(report).data, status=code)


class FinalDetailView(_FinalMixin, APIView):
    @extend_schema(
        parameters=PATH, responses=FinalSerializer, summary="A consortium's final summary"
    )
    def get(self, request, consortium_pk):
        return self.answer(self.load_started(request, consortium_pk))

    @extend_schema(
        parameters=PATH,
        request=FinalUpdateSerializer,
        responses=FinalSerializer,
        summary="Save the draft (send the revision you started from)",
    )
    def patch(self, request, consortium_pk):
        report = self.load_started(request, consortium_pk)
        data = FinalUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision = values.pop("revision")
        outcomes, figures = values.pop("outcomes", None), values.pop("figures", None)
        report = services.final_update(
            actor=request.user,
            report=report,
            revision=revision,
            data=values,
            outcomes=outcomes,
            figures=figures,
        )
        return self.answer(report)


class FinalStartView(_FinalMixin, APIView):
    @extend_schema(
        parameters=PATH,
        request=None,
        responses={201: FinalSerializer},
        summary="Start the final summary, pre-filled from the baseline plan and the registry",
    )
    def post(self, request, consortium_pk):
        consortium, _p, _r = self.load(request, consortium_pk)
        report = services.final_start(actor=request.user, consortium=consortium)
        return self.answer(report, status.HTTP_201_CREATED)


class FinalFiguresView(_FinalMixin, APIView):
    @extend_schema(
        parameters=PATH,
        request=FinalRevisionSerializer,
        responses=FinalSerializer,
        summary="Pull the “1+4+N” figures from the registry again",
    )
    def post(self, request, consortium_pk):
        report = self.load_started(request, consortium_pk)
        data = FinalRevisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.final_refresh_figures(
            actor=request.user, report=report, revision=data.validated_data["revision"]
        )
        return self.answer(report)


class FinalScanView(_FinalMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=PATH,
        request={
            "multipart/form-data": inline_serializer(
                "FinalScanUpload", {"file": serializers.FileField()}
            )
        },
        responses=FinalSerializer,
        summary="Upload the stamped scan of the generated form",
    )
    def post(self, request, consortium_pk):
        report = self.load_started(request, consortium_pk)
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"detail": _("Choose the stamped scan (PDF) to upload."), "code": "required"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        report = services.final_upload_scan(actor=request.user, report=report, upload=upload)
        return self.answer(report)


class FinalCaseListView(_FinalMixin, APIView):
    @extend_schema(
        parameters=PATH,
        request=TypicalCaseInputSerializer,
        responses={201: TypicalCaseSerializer},
        summary="Add a typical case",
    )
    def post(self, request, consortium_pk):
        report = self.load_started(request, consortium_pk)
        data = TypicalCaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision = values.pop("revision")
        case = services.case_save(actor=request.user, report=report, revision=revision, data=values)
        return Response(TypicalCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class FinalCaseDetailView(_FinalMixin, APIView):
    def case(self, report, case_id) -> TypicalCase:
        case = report.cases.filter(public_id=case_id).first()
        if case is None:
            raise NotFound(_("No such typical case."), code="not_found")
        return case

    @extend_schema(
        parameters=[*PATH, OpenApiParameter("case_id", str, OpenApiParameter.PATH)],
        request=TypicalCaseInputSerializer,
        responses=TypicalCaseSerializer,
        summary="Change a typical case",
    )
    def put(self, request, consortium_pk, case_id):
        report = self.load_started(request, consortium_pk)
        case = self.case(report, case_id)
        data = TypicalCaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision = values.pop("revision")
        case = services.case_save(
            actor=request.user, report=report, revision=revision, data=values, case=case
        )
        return Response(TypicalCaseSerializer(case).data)

    @extend_schema(
        parameters=[
            *PATH,
            OpenApiParameter("case_id", str, OpenApiParameter.PATH),
            OpenApiParameter("revision", int, OpenApiParameter.QUERY, required=True),
        ],
        request=None,
        responses={204: None},
        summary="Delete a typical case",
    )
    def delete(self, request, consortium_pk, case_id):
        report = self.load_started(request, consortium_pk)
        case = self.case(report, case_id)
        services.case_delete(
            actor=request.user,
            report=report,
            revision=request.query_params.get("revision"),
            case=case,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class FinalSubmitView(_FinalMixin, APIView):
    @extend_schema(
        parameters=PATH,
        request=FinalSubmitInputSerializer,
        responses=FinalSerializer,
        summary="Submit exactly this: a version is frozen with the stamped scan",
        description=(
            "Send the revision you reviewed and, optionally, the fields as on the screen. They are "
            "saved and that version submitted in one transaction: if a task's outcome is "
            "unanswered (code `unanswered`), the revision is stale (`stale`), the stamped scan is "
            "missing (`no_scan`) or older than the content (`scan_outdated`), nothing is saved."
        ),
    )
    def post(self, request, consortium_pk):
        report = self.load_started(request, consortium_pk)
        data = FinalSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        revision, outcomes = values.pop("revision"), values.pop("outcomes", None)
        report = FINAL_ACTIONS.take(
            FinalAction.SUBMIT,
            actor=request.user,
            obj=report,
            data={"revision": revision, "data": values, "outcomes": outcomes},
        )
        return self.answer(report)


class FinalActionView(_FinalMixin, APIView):
    @extend_schema(
        parameters=[
            *PATH,
            OpenApiParameter(
                "action",
                str,
                OpenApiParameter.PATH,
                enum=[a.name for a in FINAL_ACTIONS if a.name != FinalAction.SUBMIT],
            ),
        ],
        request=FinalActionInputSerializer,
        responses=FinalSerializer,
        summary="Confirm (with the province's opinion), return or accept",
    )
    def post(self, request, consortium_pk, action):
        report = self.load_started(request, consortium_pk)
        entry = FINAL_ACTIONS.get(action)
        if entry is None or action == FinalAction.SUBMIT:
            raise NotFound(_("Not found."), code="not_found")
        data = entry.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        FINAL_ACTIONS.take(action, actor=request.user, obj=report, data=data.validated_data)
        return self.answer(report)


class FinalPdfView(_FinalMixin, APIView):
    @extend_schema(
        parameters=PATH,
        responses={(200, "application/pdf"): bytes},
        summary="The generated form to print and stamp (“草稿” until it can be submitted)",
    )
    def get(self, request, consortium_pk):
        report = self.load_started(request, consortium_pk)
        draft = bool(services.final_submit_blockers(report))
        pdf, digest = final_pdf(report, draft=draft)
        name = final_pdf_filename(report, suffix="草稿" if draft else digest[:8])
        return download_of(pdf_response(pdf, name, inline=False), report)
