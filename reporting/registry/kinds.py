"""The "1+4+N" deliverable kinds: one table (``KINDS``) that drives pages, API and exports;
nothing is written per kind.

A dataset's size is stored in bytes and entered as a number and a unit (MB, GB, TB: binary
multiples, as Django's ``filesizeformat`` shows the totals); ``size_to_bytes`` and
``size_in_unit`` convert both ways, for the page and the API alike.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reporting.registry.models import (
    DataProduct,
    DataRequirement,
    Dataset,
    DeliverableBase,
    KeyIndustryModel,
    KeyTechnology,
    ProgramDeliverableKind,
    Scenario,
    Standard,
)

#: Fields every kind has and the lead fills in; ``consortium`` and ``created_by`` come from the call.
COMMON_FIELDS = ("name", "period", "tasks")

#: Catalogue filters every kind has: program code, period code, province (authority code), search.
COMMON_FILTERS = ("program", "period", "province", "search")

#: Help texts of the common fields; ``name`` has one per kind (``DeliverableKind.help_texts``).
COMMON_HELP_TEXTS = {
    "period": _(
        "The reporting period in which it was achieved; the current period is chosen for you."
    ),
    "tasks": _(
        "The reference tasks it serves. Only the tasks selected in the consortium's "
        "implementation plan are listed."
    ),
}

#: Units a dataset's size is entered in, in bytes: binary multiples (1 GB = 1,024 MB), as file
#: managers and the totals (``filesizeformat``) count them. Largest first.
SIZE_UNITS: dict[str, int] = {"TB": 2**40, "GB": 2**30, "MB": 2**20}
#: The largest size accepted: 1,048,576 TB (2**60 bytes), well inside the column's range.
MAX_SIZE_BYTES = 2**60
#: Fields the pages and the API take instead of ``size_bytes`` (which the API also takes).
SIZE_ENTRY_FIELDS = ("size_value", "size_unit")


@dataclass(frozen=True)
class DeliverableKind:
    key: str
    model: type[DeliverableBase]
    label: Promise  # plural, for tabs and titles
    label_singular: Promise
    fields: tuple[str, ...]  # the kind's own fields, after COMMON_FIELDS, in form order
    columns: tuple[str, ...]  # the kind's own columns in list tables (exports take every field)
    filters: tuple[str, ...] = ()  # the kind's choice fields the catalogue filters on
    # Many-to-many fields among ``fields`` linking other deliverables of the same consortium
    # (field -> kind of the linked deliverables), set after saving.
    relations: Mapping[str, str] = dataclass_field(default_factory=dict)
    help_texts: Mapping[str, Promise] = dataclass_field(
        default_factory=dict
    )  # name and the kind's fields

    def field_label(self, name: str) -> str:
        return self.model._meta.get_field(name).verbose_name

    def help_text(self, name: str) -> Promise | str:
        return self.help_texts.get(name) or COMMON_HELP_TEXTS.get(name, "")

    @property
    def entry_fields(self) -> tuple[str, ...]:
        """The fields a user fills in, in order: ``size_bytes`` is entered as value and unit."""
        out: list[str] = []
        for name in (*COMMON_FIELDS, *self.fields):
            out.extend(SIZE_ENTRY_FIELDS if name == "size_bytes" else [name])
        return tuple(out)

    def choices(self, name: str) -> list[tuple[str, str]]:
        return list(self.model._meta.get_field(name).choices or [])


KINDS: dict[str, DeliverableKind] = {
    spec.key: spec
    for spec in [
        DeliverableKind(
            key="dataset",
            model=Dataset,
            label=_("Datasets"),
            label_singular=_("Dataset"),
            fields=(
                "industry",
                "stage",
                "modality",
                "records",
                "size_bytes",
                "data_format",
                "quality_result",
                "openness",
                "licence",
                "circulation_status",
                "published_at",
            ),
            columns=("industry", "stage", "modality", "records", "size_bytes", "openness"),
            filters=("industry", "stage", "openness"),
            help_texts={
                "name": _("The dataset's full name, as it is published or registered."),
                "industry": _("The industry the data comes from."),
                "stage": _("The manufacturing stage the data mainly covers."),
                "modality": _(
                    "The main kind of data; choose “Multimodal” when several kinds are combined."
                ),
                "records": _("Number of records (rows, samples or files), as a whole number."),
                "size_value": _(
                    "The dataset's size as a number, in the unit chosen below; decimals are "
                    "allowed, e.g. 1.5."
                ),
                "size_unit": _("1 GB = 1,024 MB; 1 TB = 1,024 GB."),
                "data_format": _("File or storage format, e.g. CSV."),
                "quality_result": _(
                    "The result of the quality evaluation, if one was made: grade and evaluating "
                    "body."
                ),
                "openness": _(
                    "Who may use it: the consortium's own units, every member of the consortium, "
                    "or anyone (open source)."
                ),
                "licence": _(
                    "The licence it is published under; leave empty if it is not published."
                ),
                "circulation_status": _(
                    "Whether and how it circulates, e.g. listed on a data exchange or traded."
                ),
                "published_at": _("Where it can be found: a web address or the hosting platform."),
            },
        ),
        DeliverableKind(
            key="standard",
            model=Standard,
            label=_("Standards"),
            label_singular=_("Standard"),
            fields=("level", "stage", "number"),
            columns=("level", "stage", "number"),
            filters=("level", "stage"),
            help_texts={
                "name": _("The standard's title, as in the draft or the published text."),
                "level": _("National, industry, group or enterprise standard."),
                "stage": _("How far it has come: proposal, drafting, consultation or published."),
                "number": _("The standard's number once it has one; leave empty until then."),
            },
        ),
        DeliverableKind(
            key="data_product",
            model=DataProduct,
            label=_("Data products"),
            label_singular=_("Data product"),
            fields=("product_type", "listed_or_traded"),
            columns=("product_type", "listed_or_traded"),
            help_texts={
                "name": _("The product's name, as in the data product catalogue."),
                "product_type": _(
                    "The kind of product, e.g. dataset, data interface, data report or model "
                    "service."
                ),
                "listed_or_traded": _(
                    "Tick if it is listed on a data exchange or has already been traded."
                ),
            },
        ),
        DeliverableKind(
            key="scenario",
            model=Scenario,
            label=_("Application scenarios"),
            label_singular=_("Application scenario"),
            fields=("stage", "model_used", "effect"),
            columns=("stage", "model_used"),
            filters=("stage",),
            help_texts={
                "name": _("A short name of the scenario, e.g. “blast-furnace condition forecast”."),
                "stage": _("The key manufacturing stage the scenario serves."),
                "model_used": _(
                    "The industry large model or industrial agent the data empowers in it."
                ),
                "effect": _(
                    "The effect measured so far, with figures where possible, e.g. defect rate "
                    "down by 15%."
                ),
            },
        ),
        DeliverableKind(
            key="key_technology",
            model=KeyTechnology,
            label=_("Key data technologies"),
            label_singular=_("Key data technology"),
            fields=("status",),
            columns=("status",),
            filters=("status",),
            help_texts={
                "name": _(
                    "The key data technology, e.g. “intelligent annotation of defect images”."
                ),
                "status": _("Where the research stands: planned, in research or achieved."),
            },
        ),
        DeliverableKind(
            key="data_requirement",
            model=DataRequirement,
            label=_("Scenario data requirements"),
            label_singular=_("Scenario data requirement"),
            fields=("scenario", "description"),
            columns=("scenario",),
            help_texts={
                "name": _("A short name of the requirement, as in the published list."),
                "scenario": _("The application scenario that needs the data."),
                "description": _(
                    "The data it needs: content, volume, quality and where it could come from."
                ),
            },
        ),
        DeliverableKind(
            key="industry_model",
            model=KeyIndustryModel,
            label=_("Key industry models"),
            label_singular=_("Key industry model"),
            fields=(
                "industry",
                "scenario",
                "model_type",
                "developers",
                "datasets",
                "evaluation_result",
                "deployment",
            ),
            columns=("industry", "model_type", "scenario", "deployment"),
            filters=("industry", "model_type", "deployment"),
            relations={"datasets": "dataset"},
            help_texts={
                "name": _("The model's or agent's name, as it is to appear in the list."),
                "industry": _("The key industry it serves."),
                "scenario": _("The application scenario it is built for."),
                "model_type": _(
                    "An industry large model, a model specialised for one scenario, or an "
                    "intelligent agent."
                ),
                "developers": _("The units that developed it, one per line."),
                "datasets": _(
                    "The consortium's datasets it was trained or tuned on (record them under "
                    "Datasets first)."
                ),
                "evaluation_result": _("The result of its evaluation: body, method and grade."),
                "deployment": _("How far it is put to use."),
            },
        ),
    ]
}

#: The kinds of 64号's “1+4+N” system: what a program records when it names none.
DEFAULT_KINDS = (
    "dataset",
    "standard",
    "data_product",
    "scenario",
    "key_technology",
    "data_requirement",
)


def kinds_for(program) -> dict[str, DeliverableKind]:
    """The kinds a program records (``ProgramDeliverableKind`` rows, else ``DEFAULT_KINDS``), in
    the registry's order."""
    chosen = {row.kind for row in ProgramDeliverableKind.objects.filter(program=program)}
    return {key: spec for key, spec in KINDS.items() if key in (chosen or DEFAULT_KINDS)}


def figure_kinds(program) -> dict[str, DeliverableKind]:
    """The kinds the dashboards, summaries and exports count for a program: the kinds it
    records, and datasets always (the dataset figures and breakdown every page and PDF lays
    out; both actions build datasets)."""
    recorded = kinds_for(program)
    return {key: spec for key, spec in KINDS.items() if key == "dataset" or key in recorded}


#: Every choice field any kind filters on, in the order filter forms show them.
CHOICE_FILTERS = tuple(dict.fromkeys(f for spec in KINDS.values() for f in spec.filters))


def kind_of(instance: DeliverableBase) -> str:
    for key, spec in KINDS.items():
        if isinstance(instance, spec.model):
            return key
    raise ValueError(f"not a deliverable: {instance!r}")


# --- sizes -----------------------------------------------------------------------------------


def size_to_bytes(*, value: Decimal, unit: str) -> int:
    """``value`` ``unit`` in bytes, rounded to the nearest byte; refuses negative and huge sizes."""
    if unit not in SIZE_UNITS:
        raise ValidationError(_("Choose MB, GB or TB."), code="size_unit")
    if not value.is_finite():
        raise ValidationError(_("Enter the size as a number."), code="size_invalid")
    if value < 0:
        raise ValidationError(_("The size cannot be negative."), code="size_negative")
    size = value * SIZE_UNITS[unit]
    if size > MAX_SIZE_BYTES:
        raise ValidationError(
            _("The size is too large: at most %(max)s TB."),
            code="size_too_large",
            params={"max": f"{MAX_SIZE_BYTES // SIZE_UNITS['TB']:,}"},
        )
    return int(size.to_integral_value(rounding=ROUND_HALF_UP))


def size_in_unit(size_bytes: int) -> tuple[Decimal, str]:
    """The size in the largest unit it fills at least once (MB below 1 MB), to 3 decimals."""
    unit = next((u for u, n in SIZE_UNITS.items() if size_bytes >= n), "MB")
    value = (Decimal(size_bytes) / SIZE_UNITS[unit]).quantize(Decimal("0.001"), ROUND_HALF_UP)
    text = f"{value:f}".rstrip("0").rstrip(".")
    return Decimal(text), unit


def format_size(size_bytes: int) -> str:
    """``4.657 GB``: the number and unit a lead would enter."""
    value, unit = size_in_unit(size_bytes)
    return f"{value:f} {unit}"
