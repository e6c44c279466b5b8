"""The Ministry's evaluation: the program's scorecard (criteria, grade bands) and each
consortium's evaluation, its reviewers' scorecards and the moderator's final scores."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.i18n import localized
from reporting.evaluation.workflows import EvaluationState
from reporting.final.models import TypicalCase
from tasks_catalog.models import Program


class EvaluationCriterion(models.Model):
    """One line of a program's scorecard: what is scored, its weight (percent) and its scale."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="evaluation_criteria",
        verbose_name=_("program"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The weights of a program's criteria add up to 100."),
    )
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Reviewers score from 0 to this number."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["program", "order", "pk"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"], name="evaluationcriterion_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class GradeBand(models.Model):
    """A grade (优秀, 良好, …): a total score from ``lower_bound`` up to the next band's bound."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="grade_bands", verbose_name=_("program")
    )
    code = models.SlugField(_("code"), max_length=40)
    label_zh = models.CharField(_("label (Chinese)"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=100)
    lower_bound = models.DecimalField(
        _("from total score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The band runs from this total (out of 100) up to the next band's."),
    )

    class Meta:
        ordering = ["program", "-lower_bound"]
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="gradeband_unique_code"),
            models.UniqueConstraint(
                fields=["program", "lower_bound"], name="gradeband_unique_bound"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "label")


class Evaluation(models.Model):
    """The Ministry's evaluation of one consortium (one per consortium)."""

    consortium = models.OneToOneField(
        Consortium,
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name=_("consortium"),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=EvaluationState.choices,
        default=EvaluationState.SCORING,
        db_index=True,
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    conclusion = models.TextField(_("overall comment"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["consortium__authority__sort_order", "consortium_id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return str(self.consortium)


class Scorecard(models.Model):
    """One reviewer's scores of one evaluation; counted once submitted."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scorecards")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["evaluation", "pk"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "reviewer"], name="scorecard_unique_reviewer"
            )
        ]


class CriterionScore(models.Model):
    """A reviewer's score of one criterion, with a comment."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "criterion"], name="criterionscore_unique_criterion"
            )
        ]


class ModeratedScore(models.Model):
    """The moderator's word on one criterion: the comment the consortium reads and, where the
    moderator sets one, the final score (with its reason) instead of the reviewers' average."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="moderated_scores"
    )
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("final score"), max_digits=6, decimal_places=1, null=True)
    reason = models.TextField(_("reason for the final score"), blank=True)
    comment = models.TextField(_("comment to the consortium"), blank=True)

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="moderatedscore_unique_criterion"
            )
        ]


class CaseSelection(models.Model):
    """A typical case (典型案例) of the consortium's final summary that the Ministry selects for
    promotion (推广) in its evaluation. Shown to the consortium and its province with the
    evaluation, once published; listed in the program's closing document."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="case_selections"
    )
    case = models.OneToOneField(
        TypicalCase,
        on_delete=models.PROTECT,
        related_name="selection",
        verbose_name=_("typical case"),
    )
    reason = models.TextField(_("why it is promoted"), blank=True)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    selected_at = models.DateTimeField(_("selected"), auto_now_add=True)

    class Meta:
        ordering = ["evaluation", "case__sort_order", "case_id"]
        verbose_name = _("typical case selected for promotion")
        verbose_name_plural = _("typical cases selected for promotion")

    def __str__(self) -> str:
        return str(self.case)
