"""Programs and their reference task tables. A program is data: a new one is configured, not coded."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.i18n import BilingualNameMixin, localized


class Program(BilingualNameMixin, models.Model):
    class Cadence(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        MILESTONES = "milestones", _("Named milestones")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=300)
    short_name_zh = models.CharField(_("short name (Chinese)"), max_length=60)
    short_name_en = models.CharField(_("short name (English)"), max_length=120)
    document_number = models.CharField(_("document number"), max_length=80, blank=True)
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200)
    issuer_en = models.CharField(_("issuer (English)"), max_length=300)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    plan_deadline = models.DateField(_("implementation plan deadline"))
    cadence = models.CharField(_("reporting cadence"), max_length=20, choices=Cadence.choices)
    recommendation_quota = models.PositiveSmallIntegerField(
        _("recommendation quota per provincial authority"), default=2
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The lead unit's commitment (附件1 section 5): the official text as printed on the form, and
    # the statements the user confirms one by one: [{"key", "text_zh", "text_en"}, ...].
    # The subject printed on the official form, e.g. "面向人工智能赋能的高质量行业数据集建设先行先试":
    # the form's title is this + "实施方案", and its notes name the lead and recommending units of it.
    plan_form_subject_zh = models.CharField(
        _("subject of the plan form"), max_length=200, blank=True
    )
    plan_commitment_text_zh = models.TextField(_("commitment text on the form"), blank=True)
    plan_commitments = models.JSONField(_("commitment statements"), default=list, blank=True)

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="program_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(recommendation_quota__gte=1),
                name="program_quota_positive",
            ),
        ]

    @property
    def short_name(self) -> str:
        return localized(self, "short_name")

    @property
    def issuer(self) -> str:
        return localized(self, "issuer")

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})


class EntityType(BilingualNameMixin, models.Model):
    """An implementing-entity type the program allows (实施主体类型)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="entity_types", verbose_name=_("program")
    )
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["program", "sort_order"]
        verbose_name = _("implementing-entity type")
        verbose_name_plural = _("implementing-entity types")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="entitytype_unique_code")
        ]


class CalendarEntry(BilingualNameMixin, models.Model):
    """A dated step of the program: a reporting period (a quarter or a named milestone) or another deadline."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Progress report")
        FINAL = "final", _("Final summary")
        OTHER = "other", _("Other deadline")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="calendar", verbose_name=_("program")
    )
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    period_start = models.DateField(_("reports on the period from"), null=True, blank=True)
    period_end = models.DateField(_("reports on the period to"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["program", "due_date", "sort_order"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="calendarentry_unique_code"),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="calendarentry_period_ordered",
            ),
        ]

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


class TaskCategory(BilingualNameMixin, models.Model):
    """任务大类: a category of the reference task table."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="categories", verbose_name=_("program")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["program", "number"]
        verbose_name = _("task category")
        verbose_name_plural = _("task categories")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="taskcategory_unique_number")
        ]


class ReferenceTask(models.Model):
    """任务小类: one row of the program's reference task table (附件2)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("program")
    )
    category = models.ForeignKey(
        TaskCategory, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("category")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title_zh = models.TextField(_("task (Chinese)"))
    title_en = models.TextField(_("task (English)"))
    mandatory = models.BooleanField(_("mandatory"), default=False)

    class Meta:
        ordering = ["program", "number"]
        verbose_name = _("reference task")
        verbose_name_plural = _("reference tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "number"], name="referencetask_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    def clean(self) -> None:
        if self.category_id and self.program_id and self.category.program_id != self.program_id:
            raise ValidationError({"category": _("The category belongs to another program.")})
