"""The evaluation's API shapes. An evaluation is answered from its ``EvaluationResult``
(``scoring.py``), so the API shows the scores the pages and the export show. Outside the
Ministry each reviewer's scores, the averages and the moderator's reasons are left out."""

from rest_framework import serializers

from reporting.evaluation.models import EvaluationCriterion, GradeBand

#: Fields only the Ministry reads (a criterion's row / the evaluation).
MINISTRY_CRITERION_FIELDS = ("average", "moderated", "reason", "reviewer_scores")
MINISTRY_EVALUATION_FIELDS = ("reviewers", "drafts", "moderator", "revision")


class CriterionSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = EvaluationCriterion
        fields = [
            "code",
            "program",
            "name",
            "name_zh",
            "name_en",
            "description",
            "description_zh",
            "description_en",
            "weight",
            "max_score",
            "order",
        ]


class GradeBandSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = GradeBand
        fields = ["code", "program", "label", "label_zh", "label_en", "lower_bound"]


class SchemeSerializer(serializers.Serializer):
    program = serializers.CharField()
    criteria = CriterionSerializer(many=True)
    grade_bands = GradeBandSerializer(many=True)


def _person(user) -> str:
    return user.get_full_name() or user.username


class ReviewerScoreSerializer(serializers.Serializer):
    reviewer = serializers.SerializerMethodField()
    score = serializers.DecimalField(max_digits=6, decimal_places=1)
    comment = serializers.CharField()

    def get_reviewer(self, obj) -> str:
        return _person(obj.reviewer)


class CriterionResultSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    name = serializers.CharField(source="criterion.name")
    weight = serializers.IntegerField(source="criterion.weight")
    max_score = serializers.IntegerField(source="criterion.max_score")
    final = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    weighted = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    comment = serializers.CharField(help_text="The moderator's comment to the consortium.")
    average = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="Ministry only."
    )
    moderated = serializers.BooleanField(help_text="Ministry only.")
    reason = serializers.CharField(help_text="Ministry only.")
    reviewer_scores = ReviewerScoreSerializer(many=True, help_text="Ministry only.")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("ministry"):
            for name in MINISTRY_CRITERION_FIELDS:
                data.pop(name, None)
        return data


class EvaluationSerializer(serializers.Serializer):
    """An evaluation and its scores (built from ``scoring.EvaluationResult``)."""

    id = serializers.IntegerField(source="evaluation.pk")
    consortium = serializers.IntegerField(source="evaluation.consortium_id")
    consortium_name = serializers.CharField(source="evaluation.consortium.name")
    program = serializers.CharField(source="evaluation.consortium.program.code")
    province = serializers.CharField(source="evaluation.consortium.authority.code")
    province_name = serializers.CharField(source="evaluation.consortium.authority.region_name")
    entity_type = serializers.CharField(source="evaluation.consortium.entity_type.code")
    state = serializers.CharField(source="evaluation.state")
    state_display = serializers.CharField(source="evaluation.get_state_display")
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    grade = serializers.SerializerMethodField()
    grade_label = serializers.CharField()
    conclusion = serializers.CharField(source="evaluation.conclusion")
    published_at = serializers.DateTimeField(source="evaluation.published_at")
    criteria = CriterionResultSerializer(many=True)
    revision = serializers.IntegerField(source="evaluation.revision", help_text="Ministry only.")
    moderator = serializers.SerializerMethodField(help_text="Ministry only.")
    reviewers = serializers.SerializerMethodField(help_text="Ministry only: submitted scorecards.")
    drafts = serializers.SerializerMethodField(help_text="Ministry only: scorecards not submitted.")

    def get_grade(self, obj) -> str:
        return obj.grade.code if obj.grade else ""

    def get_moderator(self, obj) -> str:
        moderator = obj.evaluation.moderator
        return _person(moderator) if moderator else ""

    def get_reviewers(self, obj) -> list[str]:
        return [_person(u) for u in obj.reviewers]

    def get_drafts(self, obj) -> list[str]:
        return [_person(u) for u in obj.drafts]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("ministry"):
            for name in MINISTRY_EVALUATION_FIELDS:
                data.pop(name, None)
        return data


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    evaluation = EvaluationSerializer(source="result")


class EvaluationStartSerializer(serializers.Serializer):
    consortium = serializers.IntegerField()


class EvaluationActionInputSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False, help_text="The evaluation's revision you acted on."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(help_text="The criterion's code.")
    score = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True, required=False
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScorecardInputSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Your scorecard's revision (leave out for a new scorecard).",
    )
    scores = ScoreInputSerializer(many=True)
    submit = serializers.BooleanField(
        default=False, help_text="Count it in the average (every criterion scored)."
    )


class ScorecardSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    scores = serializers.SerializerMethodField()

    def get_scores(self, obj) -> list[dict]:
        return [
            {"criterion": s.criterion.code, "score": str(s.score), "comment": s.comment}
            for s in obj.scores.select_related("criterion")
        ]


class FinalInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(help_text="The criterion's code.")
    score = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        required=False,
        help_text="Empty: the reviewers' average.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ModerationInputSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The evaluation's revision you started from.")
    finals = FinalInputSerializer(many=True)
    conclusion = serializers.CharField(required=False, allow_blank=True)


class EvaluationCaseSerializer(serializers.Serializer):
    """A typical case of the consortium's final summary and whether it is selected."""

    id = serializers.UUIDField(source="case.public_id")
    title = serializers.CharField(source="case.title")
    scenario = serializers.CharField(source="case.scenario")
    stage = serializers.CharField(source="case.stage", help_text="A key stage's code.")
    stage_label = serializers.CharField(source="case.get_stage_display")
    effect = serializers.CharField(source="case.effect")
    selected = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    def get_selected(self, item) -> bool:
        return item["selection"] is not None

    def get_reason(self, item) -> str:
        return item["selection"].reason if item["selection"] is not None else ""


class CaseSelectionInputSerializer(serializers.Serializer):
    case = serializers.UUIDField(help_text="The typical case's id.")
    selected = serializers.BooleanField(help_text="True selects it for promotion, false drops it.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Why it is promoted.",
    )
