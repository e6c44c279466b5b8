"""Shapes of the consortia API: what is read, and what a write sends to its service.

Write serializers only check types and resolve codes to objects; the rules (who may, in which
state, which revision, which tasks) stay in ``consortia.services``.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.fields import ChoiceLabelField
from portal.inputs import is_number
from portal.selectors import organisation_list
from tasks_catalog import terms
from tasks_catalog.api.serializers import ReferenceTermField
from tasks_catalog.selectors import program_list

from ..content import content_problems, text_limits
from ..models import (
    Consortium,
    DeadlineExtension,
    MemberUnit,
    Plan,
    PlanVersion,
)
from ..permissions import can_edit_plan, can_read_plan_draft, can_take_action
from ..review_comments import returned_comments
from ..selectors import plan_holds_slot, quota_blocks_submission, quota_status
from ..validators import count_characters
from ..workflows import PlanAction

# --- read -------------------------------------------------------------------------------------


class OrganisationBriefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PlanSummarySerializer(serializers.ModelSerializer):
    state_label = ChoiceLabelField(source="get_state_display", read_only=True)
    has_scan = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "state",
            "state_label",
            "revision",
            "updated_at",
            "submitted_at",
            "has_scan",
            "scan_pages",
        ]
        read_only_fields = fields

    def get_has_scan(self, plan: Plan) -> bool:
        return bool(plan.scan)


def _value(field, value):
    """What DRF writes of a read-only field's value: nothing (None) for None, else the field's
    representation."""
    return None if value is None else field.to_representation(value)


class ConsortiumListSerializer(serializers.ListSerializer):
    """The consortia list (``GET /api/v1/consortia/``, fifty a page) written field by field
    with ``ConsortiumSerializer``'s own fields, without DRF's generic walk over them (for each
    field of each row: its source path, whether it is callable, its default; about half the
    list's cost). ``test_the_list_writes_what_the_serializer_writes`` compares the two on rows
    of every shape; a serializer other than ``ConsortiumSerializer`` itself gets DRF's walk."""

    def to_representation(self, data):
        child = self.child
        if type(child) is not ConsortiumSerializer:
            return super().to_representation(data)
        rows = data.all() if hasattr(data, "all") else data
        f = child.fields
        plan_fields, kind_label = f["plan"].fields, f["lead_unit_kind_label"]
        state_label = plan_fields["state_label"]
        plan = _writers(
            plan_fields,
            state_label=lambda p: _value(state_label, state_label.get_attribute(p)),
            has_scan=lambda p: bool(p.scan),  # PlanSummarySerializer.get_has_scan
        )
        authority = _writers(f["authority"].fields)
        row = _writers(
            f,
            authority=lambda c: _nested(c.authority, authority),
            lead_unit_kind_label=lambda c: _value(kind_label, kind_label.get_attribute(c)),
            plan=lambda c: _nested(_plan_of(c), plan),
        )
        return [_nested(c, row) for c in rows]


def _writers(fields, **special) -> list[tuple[str, object]]:
    """Per field of a serializer's ``fields``, in their order: the function writing it from an
    object. A plain field: its value read from its ``source`` (``_value``); the others:
    ``special``. A field added to the serializer is written here too, in its place."""
    return [
        (
            name,
            special.get(name)
            or (lambda obj, field=field: _value(field, getattr(obj, field.source))),
        )
        for name, field in fields.items()
    ]


def _nested(obj, writers) -> dict | None:
    return None if obj is None else {name: write(obj) for name, write in writers}


def _plan_of(consortium):
    try:
        return consortium.plan
    except ObjectDoesNotExist:
        return None


class ConsortiumSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    authority = OrganisationBriefSerializer(read_only=True)
    entity_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_unit_kind = ReferenceTermField(terms.LEAD_UNIT_KIND, read_only=True)
    lead_unit_kind_label = ChoiceLabelField(source="get_lead_unit_kind_display", read_only=True)
    plan = PlanSummarySerializer(read_only=True)
    is_pilot = serializers.BooleanField(read_only=True)

    class Meta:
        model = Consortium
        fields = [
            "id",
            "program",
            "authority",
            "name",
            "entity_type",
            "lead_unit_name",
            "lead_unit_kind",
            "lead_unit_kind_label",
            "lead_unit_credit_code",
            "contact_name",
            "contact_title",
            "contact_phone",
            "contact_email",
            "signing_date",
            "created_at",
            "plan",
            "is_pilot",
            "pilot_since",
        ]
        read_only_fields = fields
        list_serializer_class = ConsortiumListSerializer


# What ConsortiumSerializer never reads of the rows it is given: the plan's texts and the
# program's form texts (the list reads them deferred: fewer bytes from the database, no JSON).
CONSORTIUM_UNREAD = (
    "plan__work_foundation",
    "plan__implementation_plan",
    "plan__commitments",
    "plan__authority_opinion",
    "program__plan_form_subject_zh",
    "program__plan_form_annex_label_zh",
    "program__plan_form_issuers_zh",
    "program__plan_form_notes_zh",
    "program__plan_commitment_text_zh",
    "program__task_table_annex_label_zh",
    "program__task_table_title_zh",
)


class MemberSerializer(serializers.ModelSerializer):
    tasks = serializers.SerializerMethodField(
        help_text="Numbers of the tasks it is responsible for."
    )

    class Meta:
        model = MemberUnit
        fields = [
            "id",
            "name",
            "profile",
            "role",
            "contact_name",
            "contact_email",
            "gets_account",
            "sort_order",
            "tasks",
        ]
        read_only_fields = fields

    def get_tasks(self, member: MemberUnit) -> list[int]:
        return sorted(selection.task.number for selection in member.tasks.all())


class SelectedTaskSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="task.number", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    mandatory = serializers.BooleanField(source="task.mandatory", read_only=True)
    responsible = serializers.SerializerMethodField(help_text="Ids of the member units.")
    target = serializers.CharField(
        read_only=True, help_text="The task's target (预期目标); not printed on the official form."
    )

    def get_responsible(self, selection) -> list[int]:
        return sorted(member.pk for member in selection.responsible.all())


class QuotaSerializer(serializers.Serializer):
    """The recommending authority's quota in the program. Plans hold a slot while submitted,
    returned for revision or approved; rejected and withdrawn plans and drafts hold none."""

    used = serializers.IntegerField(
        help_text="The authority's plans in this program holding a slot: submitted, returned "
        "for revision or approved."
    )
    limit = serializers.IntegerField(help_text="The program's quota per provincial authority.")
    full = serializers.BooleanField(
        help_text="used >= limit: no new plan can be submitted (drafts can still be prepared)."
    )


class ConsortiumQuotaSerializer(QuotaSerializer):
    holds_slot = serializers.BooleanField(
        help_text="This consortium's plan holds one of the slots (submitted, returned or "
        "approved); a returned plan can always be submitted again."
    )
    blocks_submission = serializers.BooleanField(
        help_text="This plan would need a slot and none is free: submitting it is refused "
        "(code `quota`) until a plan is rejected or withdrawn."
    )


class ProgramQuotaSerializer(QuotaSerializer):
    program = serializers.CharField(help_text="Program code.")


class ConsortiumDetailSerializer(ConsortiumSerializer):
    members = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    quota = serializers.SerializerMethodField()

    class Meta(ConsortiumSerializer.Meta):
        fields = [*ConsortiumSerializer.Meta.fields, "members", "tasks", "quota"]
        read_only_fields = fields

    @extend_schema_field(ConsortiumQuotaSerializer)
    def get_quota(self, consortium: Consortium) -> dict:
        quota = quota_status(program=consortium.program, authority_id=consortium.authority_id)
        return {
            **quota,
            "holds_slot": plan_holds_slot(consortium.plan),
            "blocks_submission": quota_blocks_submission(consortium.plan),
        }

    def _draft_hidden(self, consortium: Consortium) -> bool:
        """The Ministry does not read a plan the authority is drafting or revising
        (``can_read_plan_draft``): members and tasks are then null (read the submitted versions)."""
        request = self.context.get("request")
        return request is None or not can_read_plan_draft(request.user, consortium.plan)

    @extend_schema_field(MemberSerializer(many=True, allow_null=True))
    def get_members(self, consortium: Consortium):
        if self._draft_hidden(consortium):
            return None
        members = consortium.members.prefetch_related("tasks__task")
        return MemberSerializer(members, many=True).data

    @extend_schema_field(SelectedTaskSerializer(many=True, allow_null=True))
    def get_tasks(self, consortium: Consortium):
        if self._draft_hidden(consortium):
            return None
        selections = consortium.plan.selections.select_related("task").prefetch_related(
            "responsible"
        )
        return SelectedTaskSerializer(selections, many=True).data


class CharacterCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Characters except whitespace, as the form counts.")
    guide = serializers.IntegerField(allow_null=True, help_text="About this many are expected.")
    max = serializers.IntegerField(help_text="At most this many fit the form.")


class PlanSerializer(serializers.ModelSerializer):
    """Sections 3 to 6, the workflow state, what still blocks submission, what the user may do."""

    consortium = serializers.IntegerField(source="consortium_id", read_only=True)
    state_label = ChoiceLabelField(source="get_state_display", read_only=True)
    has_scan = serializers.SerializerMethodField()
    characters = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField(
        help_text="What keeps the plan from being submitted, per section; empty when complete."
    )
    can_edit = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="Workflow actions the requesting user may take in this state; whether the "
        "plan is complete, scanned and on time is checked when it is submitted."
    )
    review_comments = serializers.SerializerMethodField(
        help_text="While the plan is returned: the Ministry's comment on each section "
        "(section key -> text, version, reviewer, time); empty otherwise."
    )

    class Meta:
        model = Plan
        fields = [
            "consortium",
            "state",
            "state_label",
            "revision",
            "work_foundation",
            "implementation_plan",
            "commitments",
            "authority_opinion",
            "characters",
            "problems",
            "has_scan",
            "scan_sha256",
            "scan_pages",
            "scan_uploaded_at",
            "updated_at",
            "submitted_at",
            "can_edit",
            "actions",
            "review_comments",
        ]
        read_only_fields = fields

    def get_review_comments(self, plan: Plan) -> dict[str, dict]:
        return {
            key: {
                "text": c["text"],
                "version": c["version"],
                "reviewer": c["reviewer"],
                "time": c["time"].isoformat(),
            }
            for key, c in returned_comments(plan).items()
        }

    def get_has_scan(self, plan: Plan) -> bool:
        return bool(plan.scan)

    @extend_schema_field(serializers.DictField(child=CharacterCountSerializer()))
    def get_characters(self, plan: Plan) -> dict:
        limits = text_limits(plan.consortium.program)
        return {
            field: {"count": count_characters(getattr(plan, field)), "guide": guide, "max": most}
            for field, (guide, most) in limits.items()
        }

    @extend_schema_field(
        serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    )
    def get_problems(self, plan: Plan) -> dict:
        return content_problems(plan)

    def get_can_edit(self, plan: Plan) -> bool:
        return bool(can_edit_plan(self.context["request"].user, plan))

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(PlanAction.choices)))
    def get_actions(self, plan: Plan) -> list[str]:
        user = self.context["request"].user
        return [action for action in PlanAction.values if can_take_action(user, plan, action)]


class PlanSelectionsSerializer(serializers.ModelSerializer):
    """The reference tasks taken on, in the shape ``PUT plan/tasks/`` takes them."""

    selections = serializers.SerializerMethodField(
        help_text="Task number -> ids of the responsible member units."
    )

    targets = serializers.SerializerMethodField(
        help_text="Task number -> the task's target (预期目标), for every task taken on."
    )

    class Meta:
        model = Plan
        fields = ["revision", "selections", "targets"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_targets(self, plan: Plan) -> dict:
        return {
            str(selection.task.number): selection.target
            for selection in plan.selections.select_related("task")
        }

    @extend_schema_field(
        serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))
    )
    def get_selections(self, plan: Plan) -> dict:
        selections = plan.selections.select_related("task").prefetch_related("responsible")
        return {
            str(selection.task.number): sorted(member.pk for member in selection.responsible.all())
            for selection in selections
        }


class PlanStateSerializer(serializers.ModelSerializer):
    """The plan's state after a workflow action."""

    state_label = ChoiceLabelField(source="get_state_display", read_only=True)

    class Meta:
        model = Plan
        fields = ["state", "state_label", "revision", "submitted_at"]
        read_only_fields = fields


class PlanSubmittedSerializer(PlanStateSerializer):
    version = serializers.SerializerMethodField(help_text="Number of the version just frozen.")

    class Meta(PlanStateSerializer.Meta):
        fields = [*PlanStateSerializer.Meta.fields, "version"]
        read_only_fields = fields

    def get_version(self, plan: Plan) -> int:
        return self.context["result"].number  # what plan_submit returned


class ReviewSerializer(serializers.Serializer):
    decision = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    section_comments = serializers.DictField(child=serializers.CharField(), read_only=True)


class PlanVersionSerializer(serializers.ModelSerializer):
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    review = serializers.SerializerMethodField()
    amendment = serializers.IntegerField(
        source="amendment.number",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Number of the amendment this version was submitted as; null for the plan's "
        "own submissions.",
    )
    is_baseline = serializers.SerializerMethodField(
        help_text="The version reports and the final summary are judged against (the newest "
        "approved one)."
    )

    class Meta:
        model = PlanVersion
        fields = [
            "number",
            "submitted_at",
            "submitted_by",
            "content_sha256",
            "pdf_sha256",
            "scan_sha256",
            "scan_pages",
            "review",
            "amendment",
            "is_baseline",
        ]
        read_only_fields = fields

    def get_is_baseline(self, version: PlanVersion) -> bool:
        from ..selectors import plan_baseline

        cache = self.context.setdefault("baselines", {}) if isinstance(self.context, dict) else {}
        if version.plan_id not in cache:
            cache[version.plan_id] = plan_baseline(plan=version.plan)
        baseline = cache[version.plan_id]
        return baseline is not None and baseline.pk == version.pk

    @extend_schema_field(ReviewSerializer(allow_null=True))
    def get_review(self, version: PlanVersion) -> dict | None:
        review = getattr(version, "review", None)  # None until the Ministry decides
        return ReviewSerializer(review).data if review is not None else None


class PlanVersionDetailSerializer(PlanVersionSerializer):
    content = serializers.JSONField(read_only=True, help_text="The plan as it was submitted.")

    class Meta(PlanVersionSerializer.Meta):
        fields = [*PlanVersionSerializer.Meta.fields, "content"]
        read_only_fields = fields


class CompareCommentSerializer(serializers.Serializer):
    text = serializers.CharField()
    version = serializers.IntegerField()
    reviewer = serializers.CharField()
    time = serializers.DateTimeField()


class CompareSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    changed = serializers.DictField(
        child=serializers.BooleanField(), help_text="Section key -> whether it differs."
    )
    review_comments = serializers.DictField(
        child=CompareCommentSerializer(many=True),
        help_text="Section key -> the Ministry's comments on the older versions (from a up to "
        "b): what the newer version was asked to change.",
    )


class AuditEntrySerializer(serializers.Serializer):
    time = serializers.DateTimeField(source="created_at", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    action = serializers.CharField(read_only=True)
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    data = serializers.JSONField(read_only=True)


class DeadlineExtensionSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    authority = OrganisationBriefSerializer(read_only=True)
    granted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = [
            "id",
            "program",
            "authority",
            "new_deadline",
            "reason",
            "granted_by",
            "created_at",
        ]
        read_only_fields = fields


# --- write ------------------------------------------------------------------------------------


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1,
        help_text="The plan's revision the change is based on; an older one is refused.",
    )


class ConsortiumFieldsSerializer(serializers.Serializer):
    """Section 1 (basic information). ``entity_type`` is a code of the consortium's program."""

    name = serializers.CharField(max_length=200)
    entity_type = serializers.CharField(max_length=40)
    lead_unit_name = serializers.CharField(max_length=200)
    lead_unit_kind = ReferenceTermField(terms.LEAD_UNIT_KIND)
    lead_unit_credit_code = serializers.CharField(max_length=18)
    contact_name = serializers.CharField(max_length=50)
    contact_title = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=20)
    contact_email = serializers.EmailField()
    signing_date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        code = attrs.get("entity_type")
        if code is not None:
            program = attrs.get("program") or self.context["program"]
            entity_type = program.entity_types.filter(code=code).first()
            if entity_type is None:
                raise serializers.ValidationError(
                    {"entity_type": _("Choose an implementing-entity type of this program.")}
                )
            attrs["entity_type"] = entity_type
        return attrs


class ConsortiumCreateSerializer(ConsortiumFieldsSerializer):
    program = serializers.SlugRelatedField(
        slug_field="code", queryset=program_list(active_only=False)
    )


class OnlyRevisionRequiredMixin:
    """For PATCH: every field may be left out except ``revision``.

    The serializer is never partial: DRF's (and drf-spectacular's, for PATCH) ``partial=True``
    would make ``revision`` optional too, in the request and in the published schema.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "revision":
                field.required = False

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass


class ConsortiumUpdateSerializer(
    OnlyRevisionRequiredMixin, RevisionSerializer, ConsortiumFieldsSerializer
):
    """Section 1: only the fields sent are changed. The program is passed in the context."""


class MemberWriteSerializer(RevisionSerializer):
    name = serializers.CharField(max_length=200)
    profile = serializers.CharField(max_length=600)
    role = serializers.CharField(max_length=600)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    gets_account = serializers.BooleanField(required=False)
    sort_order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class MemberUpdateSerializer(OnlyRevisionRequiredMixin, MemberWriteSerializer):
    """Only the fields sent are changed."""


class MemberSavedSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The plan's new revision.")
    member = MemberSerializer()


class PlanRevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The plan's new revision.")


class PlanWriteSerializer(OnlyRevisionRequiredMixin, RevisionSerializer):
    """Sections 3 to 6; only the fields sent are changed."""

    work_foundation = serializers.CharField(required=False, allow_blank=True)
    implementation_plan = serializers.CharField(required=False, allow_blank=True)
    commitments = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Keys of the confirmed commitment statements of the program.",
    )
    authority_opinion = serializers.CharField(required=False, allow_blank=True)


class TaskSelectionsField(serializers.DictField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if bad := [str(key) for key in value if not is_number(key)]:
            raise serializers.ValidationError(
                _("Unknown task numbers: %(numbers)s.") % {"numbers": ", ".join(bad)}
            )
        return {int(key): ids for key, ids in value.items()}


class TaskTargetsField(TaskSelectionsField):
    """Task number -> target (预期目标); optional, and only the tasks sent change."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(allow_blank=True))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "Optional. Task number -> the task's target (预期目标, about 200 characters, at "
            "most 400), only for tasks taken on. Only the tasks sent change their target; "
            "leave the map out to keep every target as it is. Not printed on the official form.",
        )
        super().__init__(**kwargs)


class PlanTasksSerializer(RevisionSerializer):
    selections = TaskSelectionsField(
        child=serializers.ListField(child=serializers.IntegerField(), allow_empty=True),
        help_text=(
            "Task number -> ids of the responsible member units, for every task taken on. "
            "Mandatory tasks must be present."
        ),
    )
    targets = TaskTargetsField()


class ScanUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The stamped scan of the generated form, as PDF.")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(CommentSerializer):
    section_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="Section key (basic, members, foundation, plan, tasks, commitment, opinion) "
        "-> what to revise.",
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class CompareQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(min_value=1)
    b = serializers.IntegerField(min_value=1)


class DeadlineExtensionCreateSerializer(serializers.Serializer):
    program = serializers.SlugRelatedField(
        slug_field="code", queryset=program_list(active_only=False)
    )
    authority = serializers.SlugRelatedField(slug_field="code", queryset=organisation_list())
    new_deadline = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)
