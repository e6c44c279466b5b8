"""The final summary's API shapes: what the endpoints answer and the inputs of each write."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.api.fields import ChoiceLabelField
from reporting.final.models import (
    Completion,
    FinalReport,
    FinalReportVersion,
    FinalReview,
    OutcomeFigure,
    TaskOutcome,
    TypicalCase,
)
from reporting.registry.kinds import KINDS
from tasks_catalog import terms
from tasks_catalog.api.serializers import ReferenceTermField


class FinalOutcomeSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task.number", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    answered = serializers.BooleanField(read_only=True)

    class Meta:
        model = TaskOutcome
        fields = [
            "task",
            "task_title",
            "target",
            "responsible",
            "answered",
            "completion",
            "percent",
            "achieved",
            "evidence",
        ]


class FinalFigureSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    confirmed_count = serializers.IntegerField(read_only=True)
    corrected = serializers.BooleanField(read_only=True)

    class Meta:
        model = OutcomeFigure
        fields = [
            "kind",
            "label",
            "pulled_count",
            "pulled",
            "pulled_at",
            "corrected_count",
            "note",
            "confirmed_count",
            "corrected",
        ]

    def get_label(self, obj) -> str:
        return str(KINDS[obj.kind].label) if obj.kind in KINDS else obj.kind


class TypicalCaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    stage = ReferenceTermField(terms.STAGE, read_only=True)
    datasets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    industry_models = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = TypicalCase
        fields = ["id", "title", "scenario", "stage", "effect", "datasets", "industry_models"]


class FinalReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.display_name", read_only=True)

    class Meta:
        model = FinalReview
        fields = ["action", "stage", "comment", "reviewer", "created_at"]


class FinalVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FinalReportVersion
        fields = [
            "number",
            "content_sha256",
            "pdf_sha256",
            "scan_sha256",
            "scan_pages",
            "submitted_at",
        ]


class FinalSerializer(serializers.ModelSerializer):
    consortium = serializers.IntegerField(source="consortium_id", read_only=True)
    consortium_name = serializers.CharField(source="consortium.name", read_only=True)
    period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = ChoiceLabelField(source="get_state_display", read_only=True)
    baseline_version = serializers.IntegerField(
        source="baseline.number", read_only=True, allow_null=True
    )
    has_scan = serializers.SerializerMethodField()
    outcomes = FinalOutcomeSerializer(many=True, read_only=True)
    figures = FinalFigureSerializer(many=True, read_only=True)
    cases = TypicalCaseSerializer(many=True, read_only=True)
    reviews = FinalReviewSerializer(many=True, read_only=True)
    versions = FinalVersionSerializer(many=True, read_only=True)

    class Meta:
        model = FinalReport
        fields = [
            "id",
            "consortium",
            "consortium_name",
            "period",
            "state",
            "state_label",
            "revision",
            "baseline_version",
            "paths_mechanisms",
            "problems",
            "suggestions",
            "province_opinion",
            "has_scan",
            "scan_sha256",
            "submitted_at",
            "updated_at",
            "outcomes",
            "figures",
            "cases",
            "reviews",
            "versions",
        ]

    def get_has_scan(self, obj) -> bool:
        return bool(obj.scan)


class FinalListSerializer(serializers.ModelSerializer):
    consortium = serializers.IntegerField(source="consortium_id", read_only=True)
    consortium_name = serializers.CharField(source="consortium.name", read_only=True)
    program = serializers.CharField(source="consortium.program.code", read_only=True)
    province = serializers.CharField(source="consortium.authority.code", read_only=True)
    period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = ChoiceLabelField(source="get_state_display", read_only=True)

    class Meta:
        model = FinalReport
        fields = [
            "id",
            "consortium",
            "consortium_name",
            "program",
            "province",
            "period",
            "state",
            "state_label",
            "revision",
            "submitted_at",
        ]


class FinalOutcomeInputSerializer(serializers.Serializer):
    completion = serializers.ChoiceField(
        choices=[("", "—"), *Completion.choices], required=False, allow_blank=True
    )
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    achieved = serializers.CharField(required=False, allow_blank=True)
    evidence = serializers.CharField(required=False, allow_blank=True)


class FinalFigureInputSerializer(serializers.Serializer):
    corrected_count = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


def _numbered(value: dict) -> dict:
    if bad := [k for k in value if not str(k).isdigit()]:
        raise serializers.ValidationError(
            _("Not task numbers: %(keys)s.") % {"keys": ", ".join(map(str, bad))}
        )
    return {int(k): v for k, v in value.items()}


class FinalUpdateSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The revision you started from.")
    paths_mechanisms = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    suggestions = serializers.CharField(required=False, allow_blank=True)
    outcomes = serializers.DictField(
        child=FinalOutcomeInputSerializer(), required=False, help_text="Task number → fields."
    )
    figures = serializers.DictField(
        child=FinalFigureInputSerializer(),
        required=False,
        help_text="Kind → the corrected figure (null: as pulled) and a note.",
    )

    def validate_outcomes(self, value):
        return _numbered(value)


class FinalSubmitInputSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        help_text="The revision the user reviewed. If saved since, nothing is submitted."
    )
    paths_mechanisms = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    suggestions = serializers.CharField(required=False, allow_blank=True)
    outcomes = serializers.DictField(child=FinalOutcomeInputSerializer(), required=False)

    def validate_outcomes(self, value):
        return _numbered(value)


class FinalActionInputSerializer(serializers.Serializer):
    """Confirm (the province's opinion), return or accept: the comment, as written."""

    comment = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )


class FinalRevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField()


class TypicalCaseInputSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    scenario = serializers.CharField(max_length=200)
    stage = ReferenceTermField(terms.STAGE)
    effect = serializers.CharField()
    datasets = serializers.ListField(child=serializers.IntegerField(), required=False)
    industry_models = serializers.ListField(child=serializers.IntegerField(), required=False)
