"""Evaluations through the API: the same selectors, services and scores as the pages."""

import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from consortia.selectors import consortium_get_for
from portal.api.permissions import Allows, PortalUser
from portal.api.schema import file_responses
from portal.permissions import is_ministry
from reporting.evaluation import services
from reporting.evaluation.actions import EVALUATION_ACTIONS
from reporting.evaluation.export import CONTENT_TYPES, ranking_export
from reporting.evaluation.models import Evaluation, Scorecard
from reporting.evaluation.permissions import can_manage_evaluations
from reporting.evaluation.scoring import evaluation_result, evaluation_results
from reporting.evaluation.selectors import (
    evaluation_cases,
    evaluation_get_for,
    evaluation_list_visible_to,
    evaluation_ranking,
    scheme_for,
)
from reporting.evaluation.workflows import EvaluationState
from tasks_catalog.models import Program

from .serializers import (
    CaseSelectionInputSerializer,
    EvaluationActionInputSerializer,
    EvaluationCaseSerializer,
    EvaluationSerializer,
    EvaluationStartSerializer,
    ModerationInputSerializer,
    RankingRowSerializer,
    SchemeSerializer,
    ScorecardInputSerializer,
    ScorecardSerializer,
)


def _context(request) -> dict:
    return {"request": request, "ministry": is_ministry(request.user)}


def evaluation_response(request, evaluation: Evaluation, code=status.HTTP_200_OK) -> Response:
    evaluation = evaluation_get_for(user=request.user, pk=evaluation.pk)
    data = EvaluationSerializer(evaluation_result(evaluation), context=_context(request)).data
    return Response(data, status=code)


class EvaluationFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="consortium__program__code")
    state = django_filters.ChoiceFilter(choices=EvaluationState.choices)
    province = django_filters.CharFilter(field_name="consortium__authority__code")
    entity_type = django_filters.CharFilter(field_name="consortium__entity_type__code")

    class Meta:
        model = Evaluation
        fields = ["program", "state", "province", "entity_type"]


class EvaluationListView(generics.ListAPIView):
    """Evaluations the user may see: the Ministry every one, the consortium and its province the
    published ones (``?program=idfa-2026&state=published``)."""

    serializer_class = EvaluationSerializer
    permission_classes = [PortalUser]
    filterset_class = EvaluationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evaluation.objects.none()
        return evaluation_list_visible_to(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = EvaluationSerializer(
            evaluation_results(page), many=True, context=_context(request)
        ).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=EvaluationStartSerializer,
        responses={201: EvaluationSerializer},
        summary="Start the evaluation of a consortium with an approved plan (Ministry)",
        operation_id="v1_evaluations_start",
    )
    def post(self, request):
        data = EvaluationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consortium = consortium_get_for(user=request.user, pk=data.validated_data["consortium"])
        evaluation = services.evaluation_start(actor=request.user, consortium=consortium)
        return evaluation_response(request, evaluation, status.HTTP_201_CREATED)


class EvaluationDetailView(APIView):
    permission_classes = [PortalUser]

    @extend_schema(
        responses=EvaluationSerializer,
        summary="An evaluation: final scores, grade (and, for the Ministry, each reviewer's)",
    )
    def get(self, request, pk):
        return evaluation_response(request, evaluation_get_for(user=request.user, pk=pk))


class ScorecardView(APIView):
    """The requesting reviewer's own scorecard."""

    permission_classes = [PortalUser]

    @extend_schema(responses=ScorecardSerializer, summary="My scorecard of this evaluation")
    def get(self, request, pk):
        evaluation = evaluation_get_for(user=request.user, pk=pk)
        card = get_object_or_404(Scorecard, evaluation=evaluation, reviewer=request.user)
        return Response(ScorecardSerializer(card).data)

    @extend_schema(
        request=ScorecardInputSerializer,
        responses=ScorecardSerializer,
        summary="Save (or, with submit, submit) my scorecard",
        description=(
            "Send each criterion's score (0 to its maximum) and comment, and your scorecard's "
            "revision (code `stale` when it was saved elsewhere meanwhile). With `submit`, every "
            "criterion must be scored (`unscored`) and the scorecard counts in the average."
        ),
    )
    def put(self, request, pk):
        evaluation = evaluation_get_for(user=request.user, pk=pk)
        data = ScorecardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = services.scorecard_save(
            actor=request.user,
            evaluation=evaluation,
            scores=data.validated_data["scores"],
            revision=data.validated_data.get("revision"),
            submit=data.validated_data["submit"],
        )
        return Response(ScorecardSerializer(card).data)


class ModerationView(APIView):
    permission_classes = [PortalUser]

    @extend_schema(
        request=ModerationInputSerializer,
        responses=EvaluationSerializer,
        summary="Moderate: final scores (with reasons), comments to the consortium",
    )
    def put(self, request, pk):
        evaluation = evaluation_get_for(user=request.user, pk=pk)
        data = ModerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.moderation_save(
            actor=request.user,
            evaluation=evaluation,
            revision=data.validated_data["revision"],
            finals=data.validated_data["finals"],
            conclusion=data.validated_data.get("conclusion"),
        )
        return evaluation_response(request, evaluation)


class EvaluationActionView(APIView):
    permission_classes = [PortalUser]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "action", str, OpenApiParameter.PATH, enum=[a.name for a in EVALUATION_ACTIONS]
            )
        ],
        request=EvaluationActionInputSerializer,
        responses=EvaluationSerializer,
        summary="Close scoring (moderate), reopen, finalise or publish",
        operation_id="v1_evaluations_action",
    )
    def post(self, request, pk, action):
        evaluation = evaluation_get_for(user=request.user, pk=pk)
        entry = EVALUATION_ACTIONS.get(action)
        if entry is None:
            return Response(
                {"detail": _("Not found."), "code": "not_found"}, status=status.HTTP_404_NOT_FOUND
            )
        data = entry.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        EVALUATION_ACTIONS.take(
            action, actor=request.user, obj=evaluation, data=data.validated_data
        )
        return evaluation_response(request, evaluation)


FILTERS = [
    OpenApiParameter("program", str, required=True, description="program code, e.g. idfa-2026"),
    OpenApiParameter("entity_type", str, description="implementing-entity type code"),
    OpenApiParameter("province", str, description="province (authority) code, e.g. 110000"),
]


def _program(request) -> Program:
    return get_object_or_404(Program, code=request.query_params.get("program", ""))


class RankingView(APIView):
    """The program's ranking of finalised and published evaluations (Ministry)."""

    permission_classes = [Allows(can_manage_evaluations)]

    @extend_schema(parameters=FILTERS, responses=RankingRowSerializer(many=True))
    def get(self, request):
        rows = evaluation_ranking(
            program=_program(request),
            entity_type=request.query_params.get("entity_type", ""),
            province=request.query_params.get("province", ""),
        )
        return Response(RankingRowSerializer(rows, many=True, context=_context(request)).data)


class RankingExportView(APIView):
    """The ranking as CSV or Excel (``?file=xlsx``), the same table as the page's download."""

    permission_classes = [Allows(can_manage_evaluations)]

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter("file", str, enum=list(CONTENT_TYPES), default="xlsx"),
        ],
        responses=file_responses(*CONTENT_TYPES.values()),
    )
    def get(self, request):
        export = ranking_export(
            user=request.user,
            program=_program(request),
            fmt=request.query_params.get("file", "xlsx"),
            entity_type=request.query_params.get("entity_type", ""),
            province=request.query_params.get("province", ""),
        )
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response


class SchemeView(APIView):
    """A program's scorecard: criteria with weights and grade bands (anyone with a role)."""

    permission_classes = [PortalUser]

    @extend_schema(responses=SchemeSerializer)
    def get(self, request, program):
        program_obj = get_object_or_404(Program, code=program)
        criteria, bands = scheme_for(program=program_obj)
        return Response(
            SchemeSerializer(
                {"program": program_obj.code, "criteria": criteria, "grade_bands": bands}
            ).data
        )


class EvaluationCasesView(APIView):
    """The consortium's typical cases and the Ministry's selection of them for promotion."""

    permission_classes = [PortalUser]

    def _cases(self, request, evaluation):
        items = evaluation_cases(user=request.user, evaluation=evaluation)
        return Response(EvaluationCaseSerializer(items, many=True).data)

    @extend_schema(
        responses=EvaluationCaseSerializer(many=True),
        summary="Typical cases of an evaluation (the Ministry: all; others: the selected ones)",
    )
    def get(self, request, pk):
        return self._cases(request, evaluation_get_for(user=request.user, pk=pk))

    @extend_schema(
        request=CaseSelectionInputSerializer,
        responses=EvaluationCaseSerializer(many=True),
        summary="Select a typical case for promotion, or drop it (Ministry, before publication)",
        description="Code `unknown_case` when the consortium has no such case in a final "
        "summary its province confirmed; 403 once the evaluation is published or for anyone "
        "outside the Ministry.",
    )
    def post(self, request, pk):
        evaluation = evaluation_get_for(user=request.user, pk=pk)
        data = CaseSelectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_select(
            actor=request.user,
            evaluation=evaluation,
            case_id=data.validated_data["case"],
            selected=data.validated_data["selected"],
            reason=data.validated_data["reason"],
        )
        return self._cases(request, evaluation)
