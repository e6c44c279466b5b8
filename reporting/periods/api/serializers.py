"""Progress reports' API shapes: what the report endpoints answer, and the inputs of saving and of
each workflow action (the action registry, ``reporting/periods/actions.py``, names them)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.api.fields import ChoiceLabelField
from portal.inputs import is_number
from reporting.periods.models import (
    Evidence,
    ProgressReport,
    ReportingPeriod,
    TaskProgress,
    TaskStatus,
)


class PeriodSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = [
            "code",
            "program",
            "name",
            "name_zh",
            "name_en",
            "period_start",
            "period_end",
            "opens_on",
            "due_date",
            "locks_on",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "original_name", "sha256", "size", "content_type", "created_at"]


class EntrySerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task.number", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    answered = serializers.BooleanField(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = TaskProgress
        fields = [
            "task",
            "task_title",
            "answered",
            "nothing_to_report",
            "status",
            "percent",
            "work_done",
            "next_plan",
            "problems",
            "evidence",
        ]


class ReportSerializer(serializers.ModelSerializer):
    consortium = serializers.IntegerField(source="consortium_id", read_only=True)
    period = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = ChoiceLabelField(source="get_state_display", read_only=True)
    entries = EntrySerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "consortium",
            "period",
            "state",
            "state_label",
            "revision",
            "summary",
            "key_figures",
            "problems",
            "requests",
            "submitted_at",
            "updated_at",
            "entries",
        ]


class ReportListSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        fields = [f for f in ReportSerializer.Meta.fields if f != "entries"]


class EntryInputSerializer(serializers.Serializer):
    nothing_to_report = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(
        choices=[("", "—"), *TaskStatus.choices], required=False, allow_blank=True
    )
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    work_done = serializers.CharField(required=False, allow_blank=True)
    next_plan = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)


class ReportUpdateSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    summary = serializers.CharField(required=False, allow_blank=True)
    key_figures = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    requests = serializers.CharField(required=False, allow_blank=True)
    entries = serializers.DictField(
        child=EntryInputSerializer(),
        required=False,
        help_text="Task number → the fields to change.",
    )

    def validate_entries(self, value):
        if bad := [k for k in value if not is_number(k)]:
            raise serializers.ValidationError(
                _("Not task numbers: %(keys)s.") % {"keys": ", ".join(map(str, bad))}
            )
        return {int(k): v for k, v in value.items()}


class ReportSubmitInputSerializer(ReportUpdateSerializer):
    revision = serializers.IntegerField(
        help_text="The revision the user reviewed. If the report was saved since, nothing is submitted."
    )


class ReportActionInputSerializer(serializers.Serializer):
    """Confirm, return or accept: the reviewer's comment, as written."""

    comment = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )
