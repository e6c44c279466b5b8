"""Roll-ups (summary tables computed by Celery), summary documents and export jobs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.jobs import JobStatus, ShownStatus, lease_index
from reporting.periods.models import ReportingPeriod
from tasks_catalog.models import Program, ReferenceTask

# --- Roll-ups: summary tables computed by Celery, read by the dashboards and the summary PDF ------


class RollupRun(ShownStatus, models.Model):
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
    # Waiting: when the sweeper sends it again; running: renewed by the worker's heartbeat.
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
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
        indexes = [lease_index("rolluprun_active_lease")]

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
        # A consortium's rows, replaced by the incremental roll-up of its change.
        indexes = [models.Index(fields=["consortium"], name="consortiumrollup_consortium")]


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
    kind = models.CharField(max_length=32)  # a key of reporting.registry.kinds.KINDS
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


class RollupState(models.Model):
    """Per program: when its roll-up rows last changed (a run or one consortium's change) and a
    counter bumped with each change, which keys the cached figures."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.program_id} v{self.version}"


class Job(ShownStatus, models.Model):
    """A document or file made in the background (``portal.jobs`` runs its lifecycle)."""

    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("generated"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The claim of the worker doing it (portal.jobs): when it started, how often, and until when
    # it is held (waiting: when the sweeper sends it again; running: renewed by a heartbeat).
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]
        indexes = [lease_index("%(class)s_lease")]


class SummaryDocument(Job):
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

    class Meta(Job.Meta):
        verbose_name = _("summary document")
        verbose_name_plural = _("summary documents")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "period", "authority"],
                condition=models.Q(status__in=["pending", "running"]),
                name="summarydocument_one_pending",
            )
        ]


class ExportJob(Job):
    """A large export (raw report entries, big tables) generated in the background."""

    table = models.CharField(_("table"), max_length=40)
    format = models.CharField(_("format"), max_length=8)  # csv or xlsx
    params = models.JSONField(_("filters"), default=dict, blank=True)
    file = models.FileField(upload_to="reporting/exports/", blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta(Job.Meta):
        verbose_name = _("export")
        verbose_name_plural = _("exports")
