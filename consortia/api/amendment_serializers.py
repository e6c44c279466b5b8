"""Shapes of the amendment API (``/api/v1/consortia/<pk>/plan/amendments/…``): what is read, and
what a write sends to its service (``consortia/services/amendments.py``)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.fields import ChoiceLabelField

from ..content import content_problems
from ..models import PlanAmendment
from ..permissions import can_edit_amendment, can_take_amendment_action
from ..workflows import AmendmentAction
from .serializers import (
    CommentSerializer,
    OnlyRevisionRequiredMixin,
    RevisionSerializer,
    TaskSelectionsField,
    TaskTargetsField,
)


class AmendmentSerializer(serializers.ModelSerializer):
    """An amendment with its content (the shape of a plan version's ``content``)."""

    state_label = ChoiceLabelField(source="get_state_display", read_only=True)
    based_on = serializers.IntegerField(
        source="based_on.number", read_only=True, help_text="The baseline version it amends."
    )
    versions = serializers.SerializerMethodField(
        help_text="Numbers of the plan versions this amendment was submitted as."
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    has_scan = serializers.SerializerMethodField()
    scan_required = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField(
        help_text="What keeps the amendment from being submitted, by section key."
    )
    can_edit = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="The workflow actions the requesting user may take now."
    )

    class Meta:
        model = PlanAmendment
        fields = [
            "number",
            "state",
            "state_label",
            "reason",
            "based_on",
            "versions",
            "revision",
            "created_at",
            "created_by",
            "updated_at",
            "submitted_at",
            "has_scan",
            "scan_required",
            "problems",
            "can_edit",
            "actions",
            "content",
        ]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_versions(self, amendment: PlanAmendment) -> list[int]:
        return list(amendment.versions.order_by("number").values_list("number", flat=True))

    def get_has_scan(self, amendment: PlanAmendment) -> bool:
        return bool(amendment.scan)

    def get_scan_required(self, amendment: PlanAmendment) -> bool:
        return amendment.plan.consortium.program.amendment_requires_scan

    @extend_schema_field(
        serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    )
    def get_problems(self, amendment: PlanAmendment) -> dict:
        return content_problems(amendment.plan, amendment.content)

    def get_can_edit(self, amendment: PlanAmendment) -> bool:
        user = self._user()
        return bool(user and can_edit_amendment(user, amendment))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, amendment: PlanAmendment) -> list[str]:
        user = self._user()
        if user is None:
            return []
        return [
            a.value for a in AmendmentAction if can_take_amendment_action(user, amendment, a.value)
        ]


class AmendmentStateSerializer(serializers.ModelSerializer):
    """The amendment's state after a workflow action."""

    state_label = ChoiceLabelField(source="get_state_display", read_only=True)

    class Meta:
        model = PlanAmendment
        fields = ["number", "state", "state_label", "revision", "submitted_at"]
        read_only_fields = fields


class AmendmentSubmittedSerializer(AmendmentStateSerializer):
    version = serializers.SerializerMethodField(help_text="Number of the version just frozen.")

    class Meta(AmendmentStateSerializer.Meta):
        fields = [*AmendmentStateSerializer.Meta.fields, "version"]
        read_only_fields = fields

    def get_version(self, amendment: PlanAmendment) -> int:
        return self.context["result"].number  # what amendment_submit returned


class AmendmentProposeSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why the plan is amended (members, task division, targets…)."
    )


class AmendmentWriteSerializer(OnlyRevisionRequiredMixin, RevisionSerializer):
    """The reason and sections 3 and 4; only the fields sent are changed."""

    reason = serializers.CharField(max_length=1000, required=False)
    work_foundation = serializers.CharField(required=False, allow_blank=True)
    implementation_plan = serializers.CharField(required=False, allow_blank=True)


class AmendmentMemberWriteSerializer(RevisionSerializer):
    name = serializers.CharField(max_length=200)
    profile = serializers.CharField(max_length=600)
    role = serializers.CharField(max_length=600)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    gets_account = serializers.BooleanField(required=False)


class AmendmentMemberUpdateSerializer(OnlyRevisionRequiredMixin, AmendmentMemberWriteSerializer):
    """Only the fields sent are changed."""


class AmendmentTasksSerializer(RevisionSerializer):
    selections = TaskSelectionsField(
        child=serializers.ListField(child=serializers.CharField(), allow_empty=True),
        help_text=(
            "Task number -> names of the responsible member units (as the amendment lists "
            "them), for every task taken on. Mandatory tasks must be present."
        ),
    )
    targets = TaskTargetsField()


class AmendmentReturnSerializer(CommentSerializer):
    section_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="Section key (members, foundation, plan, tasks, …) -> what to revise.",
    )
