"""Reporting periods, progress reports per task, evidence and reviews."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.i18n import BilingualNameMixin
from reporting.periods.workflows import ReportState
from tasks_catalog.models import CalendarEntry, Program, ReferenceTask


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
