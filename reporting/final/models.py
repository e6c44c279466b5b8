"""The consortium's final summary report (工作总结报告): per-task outcomes against the baseline plan,
the "1+4+N" figures pulled from the registry and confirmed or corrected, the paths and mechanisms,
typical cases, reviews, and the frozen versions (content + generated PDF + stamped scan)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium, ImmutableQuerySet, PlanVersion
from reporting.final.workflows import FinalState
from reporting.periods.models import ReportingPeriod
from reporting.registry.kinds import KINDS
from reporting.registry.models import Dataset, KeyIndustryModel
from tasks_catalog import terms
from tasks_catalog.models import ReferenceTask

#: (guidance, hard limit) in characters, counted as the plan form counts them (no whitespace).
TEXT_LIMITS = {
    "paths_mechanisms": (1500, 3000),
    "problems": (800, 1600),
    "suggestions": (800, 1600),
}
ACHIEVED_MAX_CHARS = 1000
EVIDENCE_MAX_CHARS = 500
NOTE_MAX_CHARS = 300
CASE_EFFECT_MAX_CHARS = 800
OPINION_MAX_CHARS = 1000


class FinalReport(models.Model):
    """One consortium's final summary for its program's final period."""

    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.PROTECT,
        related_name="final_reports",
        verbose_name=_("consortium"),
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="final_reports",
        verbose_name=_("reporting period"),
    )
    # The approved plan version the summary is judged against (``plan_baseline`` when started).
    baseline = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baseline plan version"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=FinalState.choices, default=FinalState.DRAFT
    )
    paths_mechanisms = models.TextField(
        _("effective paths, innovative mechanisms and experience"), blank=True
    )
    problems = models.TextField(_("problems"), blank=True)
    suggestions = models.TextField(_("suggestions"), blank=True)
    # The province's opinion, given when it confirms or returns (also kept in its review row).
    province_opinion = models.TextField(_("provincial authority's opinion"), blank=True)
    # The stamped scan uploaded for the next submission (frozen into a version on submit).
    scan = models.FileField(_("stamped scan"), upload_to="final/scans/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_pages = models.PositiveSmallIntegerField(null=True, blank=True)
    scan_uploaded_at = models.DateTimeField(null=True, blank=True)
    # Digest of the content when the scan was uploaded: a later change needs a new scan.
    scan_content_sha256 = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["period__due_date", "consortium_id"]
        verbose_name = _("final summary report")
        verbose_name_plural = _("final summary reports")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "period"], name="finalreport_unique")
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.period}"


class Completion(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    PARTLY = "partly", _("Partly completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


class TaskOutcome(models.Model):
    """The outcome of one task selected in the baseline plan. No completion: not answered."""

    report = models.ForeignKey(FinalReport, on_delete=models.CASCADE, related_name="outcomes")
    task = models.ForeignKey(
        ReferenceTask, on_delete=models.PROTECT, related_name="+", verbose_name=_("task")
    )
    # From the baseline version, copied when the summary is started: what the plan set.
    target = models.TextField(_("target in the baseline plan"), blank=True)
    responsible = models.JSONField(_("responsible member units"), default=list, blank=True)
    completion = models.CharField(
        _("completion"), max_length=16, choices=Completion.choices, blank=True
    )
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    achieved = models.TextField(_("what was achieved"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["report", "task__number"]
        verbose_name = _("task outcome")
        verbose_name_plural = _("task outcomes")
        constraints = [
            models.UniqueConstraint(fields=["report", "task"], name="taskoutcome_unique_task"),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100) | models.Q(percent__isnull=True),
                name="taskoutcome_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.task.number}"

    @property
    def answered(self) -> bool:
        return bool(self.completion) and bool(self.achieved.strip())


class OutcomeFigure(models.Model):
    """One "1+4+N" kind: the figure pulled from the registry (as the dashboards count it) and the
    lead's corrected figure with a note (empty: confirmed as pulled)."""

    report = models.ForeignKey(FinalReport, on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(_("kind"), max_length=32)  # a key of reporting.registry.kinds.KINDS
    pulled_count = models.PositiveIntegerField(_("figure from the registry"), default=0)
    pulled = models.JSONField(_("figures from the registry"), default=dict, blank=True)
    pulled_at = models.DateTimeField(_("pulled"), null=True, blank=True)
    corrected_count = models.PositiveIntegerField(_("corrected figure"), null=True, blank=True)
    note = models.TextField(_("note on the correction"), blank=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("outcome figure")
        verbose_name_plural = _("outcome figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="outcomefigure_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.kind}"

    @property
    def label(self) -> str:
        return str(KINDS[self.kind].label) if self.kind in KINDS else self.kind

    @property
    def confirmed_count(self) -> int:
        return self.pulled_count if self.corrected_count is None else self.corrected_count

    @property
    def corrected(self) -> bool:
        return self.corrected_count is not None and self.corrected_count != self.pulled_count


class TypicalCase(models.Model):
    """典型案例 the consortium puts forward. ``public_id`` is its stable id (the Ministry's selection
    of cases for promotion will refer to it)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        FinalReport,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("final summary report"),
    )
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.PROTECT,
        related_name="typical_cases",
        verbose_name=_("consortium"),
    )
    title = models.CharField(_("title"), max_length=200)
    scenario = models.CharField(_("application scenario"), max_length=200)
    stage = models.CharField(_("key stage"), max_length=32, choices=terms.stage_choices)
    effect = models.TextField(_("effect"))
    datasets = models.ManyToManyField(
        Dataset, blank=True, related_name="typical_cases", verbose_name=_("datasets used")
    )
    industry_models = models.ManyToManyField(
        KeyIndustryModel,
        blank=True,
        related_name="typical_cases",
        verbose_name=_("key industry models used"),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["report", "sort_order", "pk"]
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")

    def __str__(self) -> str:
        return self.title


class FinalReview(models.Model):
    """A province's or the Ministry's step on a final summary: confirm / accept / return."""

    report = models.ForeignKey(FinalReport, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(_("decision"), max_length=16)
    stage = models.CharField(_("by"), max_length=16)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["report", "-created_at"]
        verbose_name = _("final summary review")
        verbose_name_plural = _("final summary reviews")

    def __str__(self) -> str:
        return f"{self.report}: {self.action}"


class FinalReportVersion(models.Model):
    """A submitted final summary, frozen: content, generated PDF and stamped scan, with SHA-256."""

    report = models.ForeignKey(FinalReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content"))
    content_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(_("generated form"), upload_to="final/versions/")
    pdf_sha256 = models.CharField(max_length=64)
    scan = models.FileField(_("stamped scan"), upload_to="final/versions/")
    scan_sha256 = models.CharField(max_length=64)
    scan_pages = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("submitted final summary")
        verbose_name_plural = _("submitted final summaries")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="finalversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A submitted version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A submitted version cannot be deleted.")
