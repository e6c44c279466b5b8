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
    # The implementation plan's official form (附件1 for 64号), as the notice prints it. The
    # subject, e.g. "面向人工智能赋能的高质量行业数据集建设先行先试": the form's title is this +
    # "实施方案", and the notes name the lead and recommending units of it.
    plan_form_subject_zh = models.CharField(
        _("subject of the plan form"),
        max_length=200,
        blank=True,
        help_text=_("The form's title is this subject followed by “实施方案”."),
    )
    plan_form_annex_label_zh = models.CharField(
        _("annex label of the plan form"),
        max_length=20,
        blank=True,
        help_text=_("Printed above the title on the cover, e.g. “附件1”; empty: none."),
    )
    plan_form_issuers_zh = models.TextField(
        _("issuer lines on the cover"),
        blank=True,
        help_text=_(
            "One line per issuer as printed at the foot of the cover, e.g. “工业和信息化部编制”; "
            "a joint notice has one line per department."
        ),
    )
    plan_form_notes_zh = models.TextField(
        _("notes (须知) of the plan form"),
        blank=True,
        help_text=_("One paragraph per line, numbered as printed (“一、…”). Empty: no notes page."),
    )
    plan_commitment_text_zh = models.TextField(
        _("commitment text on the form"),
        blank=True,
        help_text=_("The lead unit's commitment as printed on the form, one paragraph per line."),
    )
    uses_task_table = models.BooleanField(
        _("uses a reference task table"),
        default=True,
        help_text=_(
            "Consortia choose their tasks from the program's reference task table, which is "
            "printed as an annex of the form."
        ),
    )
    task_table_annex_label_zh = models.CharField(
        _("annex label of the task table"), max_length=20, blank=True, help_text=_("E.g. “附件2”.")
    )
    task_table_title_zh = models.CharField(
        _("title of the task table"),
        max_length=100,
        blank=True,
        help_text=_("E.g. “先行先试参考任务表”."),
    )
    # The program's final stage (完善实施方案): an approved plan can be amended; the Ministry's
    # approval of the amendment makes it the new baseline.
    key_industries = models.ManyToManyField(
        "ReferenceTerm",
        blank=True,
        related_name="+",
        limit_choices_to={"list": "industry"},
        verbose_name=_("key industries"),
        help_text=_(
            "The industries the program's notice names; its forms offer only these. "
            "Empty: every industry of the reference list."
        ),
    )
    amendment_requires_scan = models.BooleanField(
        _("an amended plan needs a new stamped scan"),
        default=False,
        help_text=_(
            "If set, the provincial authority uploads a newly stamped scan with every amendment "
            "of an approved plan; otherwise the approved plan's scan stands."
        ),
    )

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

    @property
    def plan_commitments(self) -> list[dict]:
        """The statements the lead unit confirms one by one: [{"key", "text_zh", "text_en"}]."""
        return [
            {"key": c.key, "text_zh": c.text_zh, "text_en": c.text_en}
            for c in self.commitment_statements.all()
        ]

    def plan_section(self, key: str) -> "PlanFormSection | None":
        return next((s for s in self.plan_sections.all() if s.key == key), None)


class PlanFormSection(models.Model):
    """One section of the program's plan form: its heading, the prompt printed under it and, for
    the two text sections, the length the notice asks for (“800字左右”)."""

    class Key(models.TextChoices):
        BASIC = "basic", _("Basic information")
        MEMBERS = "members", _("Members and division of work")
        FOUNDATION = "foundation", _("Existing work foundation")
        PLAN = "plan", _("Implementation plan")
        COMMITMENT = "commitment", _("Lead unit's commitment")
        OPINION = "opinion", _("Opinion of the recommending authority")

    #: The hard limit is this many times the guidance length (the form stays printable).
    HARD_LIMIT_FACTOR = 2

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="plan_sections", verbose_name=_("program")
    )
    key = models.CharField(_("section"), max_length=20, choices=Key.choices)
    heading_zh = models.CharField(_("heading (Chinese)"), max_length=100)
    heading_en = models.CharField(_("heading (English)"), max_length=200)
    prompt_zh = models.TextField(
        _("prompt (Chinese)"),
        blank=True,
        help_text=_(
            "Printed under the heading (for the members section: the header of the column of "
            "roles and tasks)."
        ),
    )
    prompt_en = models.TextField(_("prompt (English)"), blank=True)
    guidance_chars = models.PositiveIntegerField(
        _("guidance length (characters)"),
        null=True,
        blank=True,
        help_text=_(
            "The length the notice asks for, e.g. 800 for “800字左右”. Text sections refuse more "
            "than twice this."
        ),
    )

    class Meta:
        ordering = ["program", "key"]
        verbose_name = _("plan form section")
        verbose_name_plural = _("plan form sections")
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="planformsection_unique_key")
        ]

    def __str__(self) -> str:
        return self.heading_zh

    @property
    def heading(self) -> str:
        return localized(self, "heading")

    @property
    def prompt(self) -> str:
        return localized(self, "prompt")

    @property
    def max_chars(self) -> int | None:
        return self.guidance_chars * self.HARD_LIMIT_FACTOR if self.guidance_chars else None


class PlanCommitment(models.Model):
    """One statement of the lead unit's commitment that the user confirms in the web form."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="commitment_statements",
        verbose_name=_("program"),
    )
    key = models.SlugField(_("key"), max_length=40)
    text_zh = models.TextField(_("statement (Chinese)"))
    text_en = models.TextField(_("statement (English)"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["program", "sort_order", "pk"]
        verbose_name = _("commitment statement")
        verbose_name_plural = _("commitment statements")
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="plancommitment_unique_key")
        ]

    def __str__(self) -> str:
        return self.text_zh


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


class ReferenceTerm(BilingualNameMixin, models.Model):
    """An entry of a reference list the forms offer: an industry, a key stage (关键环节) or a
    kind of lead unit. Records store the code; labels, order and which entries are offered are
    data, edited in the admin (``tasks_catalog.terms`` reads them)."""

    class List(models.TextChoices):
        INDUSTRY = "industry", _("Industries")
        STAGE = "stage", _("Key stages (关键环节)")
        LEAD_UNIT_KIND = "lead_unit_kind", _("Kinds of lead unit")

    list = models.CharField(_("list"), max_length=20, choices=List.choices)
    code = models.SlugField(
        _("code"),
        max_length=32,
        help_text=_("Stored in the records that use the entry: never change it once used."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("offered in forms"),
        default=True,
        help_text=_("A retired entry is no longer offered; records that use it keep its name."),
    )

    class Meta:
        ordering = ["list", "sort_order", "code"]
        verbose_name = _("reference list entry")
        verbose_name_plural = _("reference lists")
        constraints = [
            models.UniqueConstraint(fields=["list", "code"], name="referenceterm_unique_code")
        ]
