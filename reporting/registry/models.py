"""The "1+4+N" deliverables registry: datasets, standards, data products, scenarios, technologies, requirements."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from reporting.periods.models import ReportingPeriod
from tasks_catalog import terms
from tasks_catalog.models import ReferenceTask

# --- "1+4+N" deliverables -------------------------------------------------------------------------


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

    industry = models.CharField(_("industry"), max_length=32, choices=terms.industry_choices)
    stage = models.CharField(_("key stage"), max_length=32, choices=terms.stage_choices)
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
    stage = models.CharField(_("key stage"), max_length=32, choices=terms.stage_choices)
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


class KeyIndustryModel(DeliverableBase):
    """An entry of the Model-Data Resonance action's “重点行业模型清单” (key industry model list)."""

    class ModelType(models.TextChoices):
        INDUSTRY_LARGE_MODEL = "industry_large_model", _("Industry large model")
        SPECIALISED_MODEL = "specialised_model", _("Specialised model")
        AGENT = "agent", _("Intelligent agent")

    class Deployment(models.TextChoices):
        IN_DEVELOPMENT = "in_development", _("In development")
        PILOTED = "piloted", _("Piloted in the scenario")
        DEPLOYED = "deployed", _("Deployed at scale")

    industry = models.CharField(_("industry"), max_length=32, choices=terms.industry_choices)
    scenario = models.CharField(_("application scenario"), max_length=200)
    model_type = models.CharField(_("model type"), max_length=24, choices=ModelType.choices)
    developers = models.TextField(_("developing units"))
    datasets = models.ManyToManyField(
        Dataset, blank=True, related_name="+", verbose_name=_("datasets trained or tuned on")
    )
    evaluation_result = models.TextField(_("evaluation result"), blank=True)
    deployment = models.CharField(_("deployment status"), max_length=16, choices=Deployment.choices)

    class Meta(DeliverableBase.Meta):
        verbose_name = _("key industry model")
        verbose_name_plural = _("key industry models")


class ProgramDeliverableKind(models.Model):
    """A registry kind a program records. A program without rows records the six kinds of 64号's
    “1+4+N” system (``reporting.registry.kinds.DEFAULT_KINDS``)."""

    class Kind(models.TextChoices):
        DATASET = "dataset", _("Datasets")
        STANDARD = "standard", _("Standards")
        DATA_PRODUCT = "data_product", _("Data products")
        SCENARIO = "scenario", _("Application scenarios")
        KEY_TECHNOLOGY = "key_technology", _("Key data technologies")
        DATA_REQUIREMENT = "data_requirement", _("Scenario data requirements")
        INDUSTRY_MODEL = "industry_model", _("Key industry models")

    program = models.ForeignKey(
        "tasks_catalog.Program",
        on_delete=models.CASCADE,
        related_name="deliverable_kinds",
        verbose_name=_("program"),
    )
    kind = models.CharField(_("deliverable kind"), max_length=32, choices=Kind.choices)

    class Meta:
        ordering = ["program", "pk"]
        verbose_name = _("deliverable kind of a program")
        verbose_name_plural = _("deliverable kinds of the program")
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="programkind_unique")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
