"""Reporting periods, progress reports per task, evidence, and the "1+4+N" deliverables."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.i18n import BilingualNameMixin
from tasks_catalog.models import CalendarEntry, Program, ReferenceTask

from .workflows import ReportState


class ReportingPeriod(BilingualNameMixin, models.Model):
    """A quarter or a named milestone of a program: what it covers and when entry opens, is due, locks."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="periods", verbose_name=_("program")
    )
    calendar_entry = models.OneToOneField(
        CalendarEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="period"
    )
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    period_start = models.DateField(_("reports on the period from"))
    period_end = models.DateField(_("reports on the period to"))
    opens_on = models.DateField(_("entry opens"))
    due_date = models.DateField(_("due date"))
    locks_on = models.DateField(_("entry locks after"))

    class Meta:
        ordering = ["program", "due_date"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="reportingperiod_unique_code"),
            models.CheckConstraint(
                condition=models.Q(locks_on__gte=models.F("due_date"))
                & models.Q(due_date__gte=models.F("opens_on")),
                name="reportingperiod_dates_ordered",
            ),
        ]


class PeriodReopening(models.Model):
    """A Ministry administrator reopens one consortium × period until a new lock date."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.PROTECT, related_name="+", verbose_name=_("consortium")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="reopenings",
        verbose_name=_("reporting period"),
    )
    locks_on = models.DateField(_("new lock date"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reopened period")
        verbose_name_plural = _("reopened periods")

    def __str__(self) -> str:
        return f"{self.consortium} · {self.period} → {self.locks_on}"


class ProgressReport(models.Model):
    """One consortium's report for one period, covering every task it selected."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.PROTECT, related_name="reports", verbose_name=_("consortium")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("reporting period"),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ReportState.choices,
        default=ReportState.DRAFT,
        db_index=True,
    )
    summary = models.TextField(_("summary of the period"), blank=True)
    key_figures = models.TextField(_("key figures"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    requests = models.TextField(_("requests to the Ministry"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # The first hand-in: timeliness is judged on it, not on a resubmission after a return.
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)

    class Meta:
        ordering = ["period__due_date", "consortium_id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "period"], name="progressreport_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.period}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")


class TaskProgress(models.Model):
    """The report's answer for one selected task. Empty status and not "nothing to report": not answered."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="entries")
    task = models.ForeignKey(
        ReferenceTask, on_delete=models.PROTECT, related_name="+", verbose_name=_("task")
    )
    nothing_to_report = models.BooleanField(_("nothing to report this period"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    work_done = models.TextField(_("work done this period"), blank=True)
    next_plan = models.TextField(_("plan for the next period"), blank=True)
    problems = models.TextField(_("problems and support needed"), blank=True)

    class Meta:
        ordering = ["report", "task__number"]
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")
        constraints = [
            models.UniqueConstraint(fields=["report", "task"], name="taskprogress_unique_task"),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100) | models.Q(percent__isnull=True),
                name="taskprogress_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.task.number}"

    @property
    def answered(self) -> bool:
        return self.nothing_to_report or bool(self.status)


class Evidence(models.Model):
    """A file supporting a task entry: PDF, image or office document, checked like every upload."""

    entry = models.ForeignKey(TaskProgress, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="reports/evidence/")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "created_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class ReportReview(models.Model):
    """A province's or the Ministry's step on a report: confirm / accept / return, with comments."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(_("decision"), max_length=16)
    stage = models.CharField(_("by"), max_length=16)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["report", "-created_at"]
        verbose_name = _("report review")
        verbose_name_plural = _("report reviews")

    def __str__(self) -> str:
        return f"{self.report}: {self.action}"


# --- "1+4+N" deliverables -------------------------------------------------------------------------


class Industry(models.TextChoices):
    STEEL = "steel", _("Steel")
    PETROCHEMICALS = "petrochemicals", _("Petrochemicals")
    NONFERROUS = "nonferrous", _("Non-ferrous metals")
    BUILDING_MATERIALS = "building_materials", _("Building materials")
    MACHINERY = "machinery", _("Industrial machinery")
    AUTOMOBILES = "automobiles", _("Automobiles")
    MEDICAL_EQUIPMENT = "medical_equipment", _("Medical equipment")
    POWER_EQUIPMENT = "power_equipment", _("Power equipment")
    SHIPS = "ships", _("Ships")
    AEROSPACE = "aerospace", _("Aerospace")
    HOME_FURNISHINGS = "home_furnishings", _("Home furnishings")
    PHARMACEUTICALS = "pharmaceuticals", _("Pharmaceuticals")
    BIOMANUFACTURING = "biomanufacturing", _("Biomanufacturing")
    ELECTRONIC_COMPONENTS = "electronic_components", _("Electronic components")
    CONSUMER_ELECTRONICS = "consumer_electronics", _("Consumer electronics")
    DISPLAYS = "displays", _("New displays")
    SOFTWARE = "software", _("Software")
    ICT = "ict", _("Information and communication technology")
    CYBERSECURITY = "cybersecurity", _("Cybersecurity")
    TEXTILES = "textiles", _("Textiles and apparel")
    OTHER = "other", _("Other")


class ManufacturingStage(models.TextChoices):
    """The key stages the notice names (研发设计、中试验证、生产制造、经营管理、产业协同)."""

    DESIGN = "design", _("Research and design")
    PILOT = "pilot", _("Pilot verification")
    PRODUCTION = "production", _("Production and manufacturing")
    OPERATIONS = "operations", _("Operations management")
    COORDINATION = "coordination", _("Industrial coordination")


class DeliverableBase(models.Model):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.PROTECT, related_name="+", verbose_name=_("consortium")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported in")
    )
    tasks = models.ManyToManyField(ReferenceTask, related_name="+", verbose_name=_("serves tasks"))
    name = models.CharField(_("name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["consortium", "name"]

    def __str__(self) -> str:
        return self.name


class Dataset(DeliverableBase):
    class Modality(models.TextChoices):
        TEXT = "text", _("Text")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")
        TIME_SERIES = "time_series", _("Time series")
        TABULAR = "tabular", _("Tabular")
        POINT_CLOUD = "point_cloud", _("3D / point cloud")
        MULTIMODAL = "multimodal", _("Multimodal")

    class Openness(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        CONSORTIUM = "consortium", _("Shared in the consortium")
        OPEN_SOURCE = "open_source", _("Open source")

    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices)
    stage = models.CharField(
        _("manufacturing stage"), max_length=16, choices=ManufacturingStage.choices
    )
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices)
    records = models.PositiveBigIntegerField(_("size in records"), default=0)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    data_format = models.CharField(_("format"), max_length=100, blank=True)
    quality_result = models.CharField(_("quality evaluation result"), max_length=200, blank=True)
    openness = models.CharField(
        _("openness"), max_length=16, choices=Openness.choices, default=Openness.INTERNAL
    )
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    circulation_status = models.CharField(_("circulation status"), max_length=200, blank=True)
    published_at = models.CharField(_("where it is published"), max_length=300, blank=True)

    class Meta(DeliverableBase.Meta):
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")


class Standard(DeliverableBase):
    class Level(models.TextChoices):
        NATIONAL = "national", _("National standard")
        INDUSTRY = "industry", _("Industry standard")
        GROUP = "group", _("Group standard")
        ENTERPRISE = "enterprise", _("Enterprise standard")

    class Stage(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        DRAFTING = "drafting", _("Drafting")
        CONSULTATION = "consultation", _("Consultation")
        PUBLISHED = "published", _("Published")

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    number = models.CharField(_("standard number"), max_length=60, blank=True)

    class Meta(DeliverableBase.Meta):
        verbose_name = _("standard")
        verbose_name_plural = _("standards")


class DataProduct(DeliverableBase):
    product_type = models.CharField(_("type"), max_length=100)
    listed_or_traded = models.BooleanField(_("listed or traded"), default=False)

    class Meta(DeliverableBase.Meta):
        verbose_name = _("data product")
        verbose_name_plural = _("data products")


class Scenario(DeliverableBase):
    stage = models.CharField(
        _("manufacturing stage"), max_length=16, choices=ManufacturingStage.choices
    )
    model_used = models.CharField(
        _("industry large model or industrial agent used"), max_length=200, blank=True
    )
    effect = models.TextField(_("measured effect"), blank=True)

    class Meta(DeliverableBase.Meta):
        verbose_name = _("application scenario")
        verbose_name_plural = _("application scenarios")


class KeyTechnology(DeliverableBase):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In research")
        ACHIEVED = "achieved", _("Achieved")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    class Meta(DeliverableBase.Meta):
        verbose_name = _("key data technology")
        verbose_name_plural = _("key data technologies")


class DataRequirement(DeliverableBase):
    """An item of the scenario data-requirement list (task 3)."""

    scenario = models.CharField(_("scenario"), max_length=200)
    description = models.TextField(_("data required"), blank=True)

    class Meta(DeliverableBase.Meta):
        verbose_name = _("scenario data requirement")
        verbose_name_plural = _("scenario data requirements")


# --- Roll-ups: summary tables computed by Celery, read by the dashboards and the summary PDF ------


class RollupRun(models.Model):
    """One computation of a program's roll-ups. At most one run per program waits at a time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Empty: every active program, in one pass (the nightly run).
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rollup_runs",
        verbose_name=_("program"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("requested because of"), max_length=60)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("computed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("roll-up run")
        verbose_name_plural = _("roll-up runs")
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(status="pending"),
                name="rolluprun_one_pending_per_program",
            )
        ]

    def __str__(self) -> str:
        scope = self.program or _("every active program")
        return f"{scope} · {self.requested_at:%Y-%m-%d %H:%M} · {self.get_status_display()}"


def derived_fk(to) -> models.ForeignKey:
    """A reference in a roll-up table: derived rows, rebuilt wholesale by every run, so neither a
    database constraint nor an index of its own (checking them cost more than the run)."""
    return models.ForeignKey(
        to, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )


class ConsortiumRollup(models.Model):
    """Per consortium × period: its report's state and timeliness, and its tasks' status counts.

    Task figures count only reports handed in (submitted, confirmed or accepted).
    """

    program = derived_fk(Program)
    period = derived_fk(ReportingPeriod)
    consortium = derived_fk(Consortium)
    authority = derived_fk("portal.Organisation")
    entity_type = derived_fk("tasks_catalog.EntityType")
    report_state = models.CharField(max_length=16, blank=True)  # "" = not started
    handed_in = models.BooleanField(default=False)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    selected = models.PositiveSmallIntegerField(default=0)
    not_started = models.PositiveSmallIntegerField(default=0)
    on_track = models.PositiveSmallIntegerField(default=0)
    at_risk = models.PositiveSmallIntegerField(default=0)
    delayed = models.PositiveSmallIntegerField(default=0)
    completed = models.PositiveSmallIntegerField(default=0)
    nothing_to_report = models.PositiveSmallIntegerField(default=0)
    percent_sum = models.PositiveIntegerField(default=0)
    percent_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["period", "authority__sort_order", "consortium_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "consortium"], name="consortiumrollup_unique")
        ]


class TaskRollup(models.Model):
    """Per period × task × province × entity type: the entries of handed-in reports by status."""

    program = derived_fk(Program)
    period = derived_fk(ReportingPeriod)
    task = derived_fk(ReferenceTask)
    category = derived_fk("tasks_catalog.TaskCategory")
    authority = derived_fk("portal.Organisation")
    entity_type = derived_fk("tasks_catalog.EntityType")
    reported = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    on_track = models.PositiveIntegerField(default=0)
    at_risk = models.PositiveIntegerField(default=0)
    delayed = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    nothing_to_report = models.PositiveIntegerField(default=0)
    percent_sum = models.PositiveBigIntegerField(default=0)
    percent_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["period", "task__number", "authority__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "task", "authority", "entity_type"], name="taskrollup_unique"
            )
        ]


class SelectionRollup(models.Model):
    """Per task × province × entity type: how many pilot consortia selected the task."""

    program = derived_fk(Program)
    task = derived_fk(ReferenceTask)
    category = derived_fk("tasks_catalog.TaskCategory")
    authority = derived_fk("portal.Organisation")
    entity_type = derived_fk("tasks_catalog.EntityType")
    selected = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "authority", "entity_type"], name="selectionrollup_unique"
            )
        ]
        indexes = [models.Index(fields=["program", "authority"])]


class DeliverableRollup(models.Model):
    """Per period reported in × province × entity type × kind and facets: counts and sizes."""

    program = derived_fk(Program)
    period = derived_fk(ReportingPeriod)
    authority = derived_fk("portal.Organisation")
    entity_type = derived_fk("tasks_catalog.EntityType")
    kind = models.CharField(max_length=32)  # a key of reporting.deliverables.KINDS
    industry = models.CharField(max_length=32, blank=True)  # datasets
    level = models.CharField(max_length=16, blank=True)  # standards
    stage = models.CharField(max_length=16, blank=True)  # standards' stage; manufacturing stage
    count = models.PositiveIntegerField(default=0)
    records = models.PositiveBigIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    open_source = models.PositiveIntegerField(default=0)  # datasets open-sourced
    listed = models.PositiveIntegerField(default=0)  # data products listed or traded

    class Meta:
        ordering = ["period", "kind", "authority__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "authority", "entity_type", "kind", "industry", "level", "stage"],
                name="deliverablerollup_unique",
            )
        ]
        indexes = [models.Index(fields=["program", "period", "authority"])]


class PlanRollup(models.Model):
    """Per program × province × entity type × plan state: how many consortia."""

    program = derived_fk(Program)
    authority = derived_fk("portal.Organisation")
    entity_type = derived_fk("tasks_catalog.EntityType")
    state = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["program", "authority__sort_order", "state"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "authority", "entity_type", "state"], name="planrollup_unique"
            )
        ]


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class SummaryDocument(models.Model):
    """The quarterly summary PDF of a program and period: national, or one province's version."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reporting period"),
    )
    # Empty: the national summary; otherwise the province's own version.
    authority = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    file = models.FileField(upload_to="reporting/summaries/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    rollup_run = models.ForeignKey(
        RollupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("generated"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("summary document")
        verbose_name_plural = _("summary documents")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "period", "authority"],
                condition=models.Q(status__in=["pending", "running"]),
                name="summarydocument_one_pending",
            )
        ]


class ExportJob(models.Model):
    """A large export (raw report entries, big tables) generated in the background."""

    table = models.CharField(_("table"), max_length=40)
    format = models.CharField(_("format"), max_length=8)  # csv or xlsx
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    file = models.FileField(upload_to="reporting/exports/", blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("generated"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
