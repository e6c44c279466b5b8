from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tasks_catalog import terms
from tasks_catalog.models import (
    CalendarEntry,
    EntityType,
    Program,
    ReferenceTask,
    ReferenceTerm,
    TaskCategory,
)


class ReferenceTermSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = ReferenceTerm
        fields = ["list", "code", "name", "name_zh", "name_en", "is_active"]


class ReferenceTermField(serializers.CharField):
    """A code of a reference list (``GET /api/v1/reference-terms/?list=…`` lists them).

    Accepted: an active entry (for industries, one the program in the context names, when it
    names some), or the value the record already has."""

    default_error_messages = {
        "unknown": _("“{value}” is not an entry of the reference list “{list}” this form offers."),
    }

    def __init__(self, list_name: str, **kwargs):
        self.list_name = list_name
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "help_text",
            f"A code of the reference list “{list_name}”: "
            f"GET /api/v1/reference-terms/?list={list_name} lists them.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        instance = getattr(self.parent, "instance", None)
        keep = getattr(instance, self.source, None) if instance is not None else None
        offered = terms.choices(self.list_name, program=self.context.get("program"), keep=keep)
        if value not in dict(offered):
            list_label = dict(ReferenceTerm.List.choices).get(self.list_name, self.list_name)
            self.fail("unknown", value=value, list=list_label)
        return value


class EntityTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = EntityType
        fields = ["code", "name", "name_zh", "name_en"]


class CalendarEntrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = CalendarEntry
        fields = [
            "code",
            "kind",
            "name",
            "name_zh",
            "name_en",
            "period_start",
            "period_end",
            "due_date",
        ]


class TaskCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = TaskCategory
        fields = ["number", "name", "name_zh", "name_en"]


class ReferenceTaskSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = TaskCategorySerializer(read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = ReferenceTask
        fields = [
            "id",
            "program",
            "number",
            "category",
            "title",
            "title_zh",
            "title_en",
            "mandatory",
        ]


class ProgramSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    short_name = serializers.CharField(read_only=True)
    issuer = serializers.CharField(read_only=True)
    entity_types = EntityTypeSerializer(many=True, read_only=True)
    calendar = CalendarEntrySerializer(many=True, read_only=True)
    task_count = serializers.SerializerMethodField()
    key_industries = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="Codes of the industries the program names (empty: every industry).",
    )

    class Meta:
        model = Program
        fields = [
            "code",
            "name",
            "name_zh",
            "name_en",
            "short_name",
            "short_name_zh",
            "short_name_en",
            "document_number",
            "issuer",
            "issuer_zh",
            "issuer_en",
            "start_date",
            "end_date",
            "plan_deadline",
            "cadence",
            "recommendation_quota",
            "is_active",
            "entity_types",
            "calendar",
            "key_industries",
            "task_count",
        ]

    @extend_schema_field(serializers.IntegerField())
    def get_task_count(self, obj: Program) -> int:
        return len(obj.tasks.all())
