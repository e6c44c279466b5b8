"""Consortia and their implementation plans (附件1), as the official form has them."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation
from tasks_catalog import terms
from tasks_catalog.models import EntityType, Program, ReferenceTask

from .validators import validate_phone, validate_uscc
from .workflows import AMENDMENT_OPEN_STATES, AmendmentState, PlanState

FOUNDATION_GUIDE_CHARS = 800
FOUNDATION_MAX_CHARS = 1600
PLAN_GUIDE_CHARS = 2000
PLAN_MAX_CHARS = 4000
OPINION_MAX_CHARS = 1000
# A selected task's target (预期目标): “200字左右”, at most twice that.
TARGET_GUIDE_CHARS = 200
TARGET_MAX_CHARS = 400


class Consortium(models.Model):
    """联合体: a lead unit and its member units, recommended by a provincial authority."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="consortia", verbose_name=_("program")
    )
    authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="recommended_consortia",
        verbose_name=_("recommending authority"),
        limit_choices_to={"kind": Organisation.Kind.PROVINCIAL_AUTHORITY},
    )
    name = models.CharField(_("consortium name"), max_length=200)
    entity_type = models.ForeignKey(
        EntityType, on_delete=models.PROTECT, verbose_name=_("implementing-entity type")
    )
    lead_unit_name = models.CharField(_("lead unit (full legal name)"), max_length=200)
    lead_unit_kind = models.CharField(
        _("kind of lead unit"), max_length=32, choices=terms.lead_unit_kind_choices
    )
    lead_unit_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_uscc]
    )
    contact_name = models.CharField(_("contact name"), max_length=50)
    contact_title = models.CharField(_("contact job title"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20, validators=[validate_phone])
    contact_email = models.EmailField(_("contact e-mail"))
    signing_date = models.DateField(_("signing date"), null=True, blank=True)
    # The lead unit's organisation, created when the Ministry approves the plan.
    lead_organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_consortium",
        verbose_name=_("lead unit organisation"),
    )
    pilot_since = models.DateField(_("pilot unit since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["authority__sort_order", "created_at", "id"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="consortium_unique_name_per_program"
            )
        ]
        # A roll-up group (program × province × entity type): what an increment reads again.
        indexes = [
            models.Index(fields=["program", "authority", "entity_type"], name="consortium_group")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pilot(self) -> bool:
        return self.pilot_since is not None


class MemberUnit(models.Model):
    """成员单位: one row of section 2, "consortium members and division of work"."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="members", verbose_name=_("consortium")
    )
    name = models.CharField(_("unit name"), max_length=200)
    profile = models.TextField(_("profile of the unit"), validators=[MaxLengthValidator(600)])
    role = models.TextField(_("role and tasks taken"), validators=[MaxLengthValidator(600)])
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    gets_account = models.BooleanField(
        _("give the contact a read-only account when the plan is approved"), default=False
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["consortium", "sort_order", "id"]
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "name"], name="memberunit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """The implementation plan (实施方案) of a consortium: sections 3 to 6 and its workflow state."""

    consortium = models.OneToOneField(
        Consortium, on_delete=models.CASCADE, related_name="plan", verbose_name=_("consortium")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT, db_index=True
    )
    work_foundation = models.TextField(_("existing work foundation"), blank=True)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    commitments = models.JSONField(_("confirmed commitments"), default=list, blank=True)
    authority_opinion = models.TextField(_("recommending authority's opinion"), blank=True)
    # The stamped scan uploaded for the next submission (frozen into a version on submit).
    scan = models.FileField(_("stamped scan"), upload_to="plans/scans/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_pages = models.PositiveSmallIntegerField(null=True, blank=True)
    scan_uploaded_at = models.DateTimeField(null=True, blank=True)
    # Digest of the plan's content when the scan was uploaded: a later change needs a new scan.
    scan_content_sha256 = models.CharField(max_length=64, blank=True)
    # Bumped on every save of the content: a form or API call carrying an older revision is refused.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")

    def __str__(self) -> str:
        return str(self.consortium)


class TaskSelection(models.Model):
    """A reference task the consortium takes on (是否选择 = 是), and the member units responsible for it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="selections")
    task = models.ForeignKey(ReferenceTask, on_delete=models.PROTECT, related_name="+")
    responsible = models.ManyToManyField(MemberUnit, related_name="tasks", blank=True)
    # What the consortium undertakes to reach on this task (预期目标): part of the plan's content
    # (frozen in each version, judged in the final summary), not printed on the official form.
    # Optional while drafting; ``content_problems`` requires it for submission.
    target = models.TextField(_("target"), blank=True, default="")

    class Meta:
        ordering = ["plan", "task__number"]
        verbose_name = _("selected task")
        verbose_name_plural = _("selected tasks")
        constraints = [
            models.UniqueConstraint(fields=["plan", "task"], name="taskselection_unique")
        ]

    def __str__(self) -> str:
        return str(self.task)


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("A submitted version cannot be changed.")

    def delete(self):
        raise PermissionError("A submitted version cannot be deleted.")


class PlanVersion(models.Model):
    """A submitted plan, frozen: content, generated PDF and stamped scan, each with its SHA-256."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content"))
    content_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(_("generated form"), upload_to="plans/versions/")
    pdf_sha256 = models.CharField(max_length=64)
    # An amendment's version has no scan of its own unless its program asks for one
    # (``Program.amendment_requires_scan``): then ``scan`` and ``scan_sha256`` are empty and
    # ``scan_pages`` is 0; the stamped scan of the earlier version stands.
    scan = models.FileField(_("stamped scan"), upload_to="plans/versions/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_pages = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the version was submitted as an amendment of the approved plan.
    amendment = models.ForeignKey(
        "PlanAmendment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("amendment"),
    )

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A submitted version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A submitted version cannot be deleted.")


class PlanAmendment(models.Model):
    """An amendment of an approved plan (完善实施方案): members, task division and sections 3–4
    are changed in a copy of the baseline's content; the approved plan stays in force (and the
    plan "approved") until the Ministry approves the amendment, whose version becomes the
    baseline and whose content is then written to the plan."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("amendment"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AmendmentState.choices,
        default=AmendmentState.DRAFT,
        db_index=True,
    )
    reason = models.TextField(_("reason for the amendment"), validators=[MaxLengthValidator(1000)])
    based_on = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("baseline it amends"),
    )
    # The amended plan, in the shape of ``consortia.content.plan_content`` (a copy of the
    # baseline's content when proposed).
    content = models.JSONField(_("content"))
    # The stamped scan, only when the program asks for one (``Program.amendment_requires_scan``).
    scan = models.FileField(_("stamped scan"), upload_to="plans/scans/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_pages = models.PositiveSmallIntegerField(null=True, blank=True)
    scan_uploaded_at = models.DateTimeField(null=True, blank=True)
    scan_content_sha256 = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("plan amendment")
        verbose_name_plural = _("plan amendments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planamendment_unique_number"),
            # At most one amendment open at a time (two proposals at once: the second fails).
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(state__in=sorted(AMENDMENT_OPEN_STATES)),
                name="planamendment_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.number}"

    @property
    def consortium(self) -> Consortium:
        """The consortium amended (the roll-ups' listener reads it)."""
        return self.plan.consortium


class PlanReview(models.Model):
    """The Ministry's decision on a submitted version, with comments per section."""

    version = models.OneToOneField(PlanVersion, on_delete=models.PROTECT, related_name="review")
    decision = models.CharField(_("decision"), max_length=16)
    reason = models.TextField(_("reason"), blank=True)
    section_comments = models.JSONField(_("comments per section"), default=dict, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return f"{self.version}: {self.decision}"


class DeadlineExtension(models.Model):
    """A Ministry administrator lets one authority submit after the program's plan deadline."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("program")
    )
    authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="deadline_extensions",
        verbose_name=_("provincial authority"),
        limit_choices_to={"kind": Organisation.Kind.PROVINCIAL_AUTHORITY},
    )
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.authority} → {self.new_deadline}"
