from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tasks_catalog.models import CalendarEntry, EntityType, Program, ReferenceTask, TaskCategory


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
            "task_count",
        ]

    @extend_schema_field(serializers.IntegerField())
    def get_task_count(self, obj: Program) -> int:
        return len(obj.tasks.all())
