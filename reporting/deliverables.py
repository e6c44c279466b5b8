"""The "1+4+N" deliverables registry: one table of kinds, the services that write them and the
selectors that read them. Pages, API and exports are all driven by ``KINDS``; nothing is written
per kind.

Writes: ``deliverable_save`` / ``deliverable_delete`` (permission, task and period checks,
``full_clean``, audit entry, all in one transaction). Reads: ``deliverable_list_for_consortium``
(whoever may see the consortium) and ``deliverable_catalogue`` (the Ministry, every consortium).

A dataset's size is stored in bytes and entered as a number and a unit (MB, GB, TB: binary
multiples, as Django's ``filesizeformat`` shows the totals); ``size_to_bytes`` and
``size_in_unit`` convert both ways, for the page and the API alike.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.models import User
from portal.permissions import Decision
from portal.services import audit_record
from tasks_catalog.models import ReferenceTask

from .models import (
    DataProduct,
    DataRequirement,
    Dataset,
    DeliverableBase,
    KeyTechnology,
    ReportingPeriod,
    Scenario,
    Standard,
)
from .permissions import can_browse_deliverables, can_edit_deliverables, can_view_reports

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
    ]
}

#: Every choice field any kind filters on, in the order filter forms show them.
CHOICE_FILTERS = tuple(dict.fromkeys(f for spec in KINDS.values() for f in spec.filters))


def kind_of(instance: DeliverableBase) -> str:
    for key, spec in KINDS.items():
        if isinstance(instance, spec.model):
            return key
    raise ValueError(f"not a deliverable: {instance!r}")


def _require(decision: Decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


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


def _size_from_entry(data: Mapping[str, Any]) -> tuple[int | None, dict[str, list]]:
    """``size_value`` + ``size_unit`` in ``data`` as bytes (None when neither is given)."""
    value, unit = data.get("size_value"), data.get("size_unit")
    if value is None and not unit:
        return None, {}
    if "size_bytes" in data:
        message = _("Give the size either in bytes or as a number and a unit, not both.")
        return None, {"size_value": [ValidationError(message, code="size_twice")]}
    if value is None or not unit:
        missing = "size_value" if value is None else "size_unit"
        message = _("Give the size as a number and a unit (MB, GB or TB).")
        return None, {missing: [ValidationError(message, code="size_incomplete")]}
    try:
        return size_to_bytes(value=Decimal(value), unit=unit), {}
    except ValidationError as exc:
        return None, {"size_unit" if exc.code == "size_unit" else "size_value": [exc]}


# --- services --------------------------------------------------------------------------------


def _check_tasks_and_period(
    *, consortium: Consortium, period: ReportingPeriod | None, tasks: list[ReferenceTask] | None
) -> dict[str, list]:
    errors: dict[str, list] = {}
    if period is not None and period.program_id != consortium.program_id:
        errors["period"] = [
            ValidationError(
                _("Choose a reporting period of the consortium's program."),
                code="period_other_program",
            )
        ]
    if tasks is not None:
        if not tasks:
            errors["tasks"] = [
                ValidationError(_("Choose at least one task it serves."), code="required")
            ]
        else:
            selected = set(consortium.plan.selections.values_list("task_id", flat=True))
            refused = sorted({t.number for t in tasks if t.pk not in selected})
            if refused:
                errors["tasks"] = [
                    ValidationError(
                        _(
                            "Task %(numbers)s is not among the tasks the consortium selected in "
                            "its implementation plan. Choose only selected tasks."
                        ),
                        code="task_not_selected",
                        params={"numbers": ", ".join(str(n) for n in refused)},
                    )
                ]
    return errors


def deliverable_save(
    *,
    actor: User,
    consortium: Consortium,
    kind: str,
    data: Mapping[str, Any],
    instance: DeliverableBase | None = None,
) -> DeliverableBase:
    """Add a deliverable of ``kind`` (no ``instance``) or change the fields given in ``data``.

    ``data`` holds ``name``, ``period`` (a ReportingPeriod), ``tasks`` (ReferenceTasks) and the
    kind's own fields; keys it leaves out keep their value (a new deliverable without a period
    gets the current one). A dataset's size is ``size_bytes`` or ``size_value`` (a number) with
    ``size_unit`` (MB, GB, TB). Only the consortium lead writes, only tasks the consortium
    selected in its plan, only periods of its program.
    """
    spec = KINDS[kind]
    _require(can_edit_deliverables(actor, consortium))
    creating = instance is None
    if creating:
        instance = spec.model(consortium=consortium, created_by=actor)
    elif not isinstance(instance, spec.model) or instance.consortium_id != consortium.pk:
        raise ValueError("the deliverable is not of this kind or consortium")

    data = dict(data)
    if creating and "period" not in data:
        data["period"] = deliverable_default_period(program=consortium.program)
    size_errors: dict[str, list] = {}
    if "size_bytes" in spec.fields:
        size, size_errors = _size_from_entry(data)
        if size is not None:
            data["size_bytes"] = size
    for name in ("name", "period", *spec.fields):
        if name in data:
            setattr(instance, name, data[name])
    tasks = list(data["tasks"]) if "tasks" in data else ([] if creating else None)

    errors = _check_tasks_and_period(consortium=consortium, period=data.get("period"), tasks=tasks)
    errors.update(size_errors)
    try:
        instance.full_clean()
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        instance.save()
        if tasks is not None:
            instance.tasks.set(tasks)
        audit_record(
            actor=actor,
            action="deliverable.save",
            target=consortium.plan,
            data={"kind": kind, "name": instance.name, "id": instance.pk, "created": creating},
        )
    return instance


def deliverable_delete(*, actor: User, instance: DeliverableBase) -> None:
    consortium = instance.consortium
    _require(can_edit_deliverables(actor, consortium))
    kind, name, pk = kind_of(instance), instance.name, instance.pk
    with transaction.atomic():
        instance.delete()
        audit_record(
            actor=actor,
            action="deliverable.delete",
            target=consortium.plan,
            data={"kind": kind, "name": name, "id": pk},
        )


# --- selectors -------------------------------------------------------------------------------


def _with_relations(qs: QuerySet) -> QuerySet:
    """Everything a list row shows, in a constant number of queries."""
    return qs.select_related(
        "period", "created_by", "consortium__authority", "consortium__program"
    ).prefetch_related(Prefetch("tasks", queryset=ReferenceTask.objects.order_by("number")))


def deliverable_list_for_consortium(
    *, user, consortium: Consortium, kind: str
) -> QuerySet[DeliverableBase]:
    """The consortium's deliverables of ``kind``; none if the user may not see the consortium."""
    qs = KINDS[kind].model.objects.filter(consortium=consortium)
    if not can_view_reports(user, consortium):
        qs = qs.none()
    return _with_relations(qs).order_by("period__due_date", "name", "pk")


def deliverable_default_period(*, program, today: dt.date | None = None) -> ReportingPeriod | None:
    """The period a new deliverable most likely belongs to: the one whose span contains today,
    else the latest one already opened for entry (None before the first opens)."""
    today = today or timezone.localdate()
    periods = ReportingPeriod.objects.filter(program=program)
    return (
        periods.filter(period_start__lte=today, period_end__gte=today)
        .order_by("period_start")
        .first()
        or periods.filter(opens_on__lte=today).order_by("-opens_on", "-due_date").first()
    )


def catalogue_filter_names(kind: str) -> tuple[str, ...]:
    """The filters the catalogue of ``kind`` takes, common ones first."""
    return (*COMMON_FILTERS, *KINDS[kind].filters)


def deliverable_catalogue(
    *, user, kind: str, filters: Mapping[str, Any] | None = None
) -> QuerySet[DeliverableBase]:
    """Every consortium's deliverables of ``kind``, for the Ministry.

    ``filters``: ``program`` (code), ``period`` (code), ``province`` (authority code),
    ``search`` (in the name), and the kind's choice fields (``industry``, ``stage``, ``level``,
    ``openness``, ``status``). Empty values and filters the kind does not have are ignored.
    """
    _require(can_browse_deliverables(user))
    spec = KINDS[kind]
    filters = filters or {}
    lookups = {
        "program": "consortium__program__code",
        "period": "period__code",
        "province": "consortium__authority__code",
        **{name: name for name in spec.filters},
    }
    qs = spec.model.objects.all()
    for name, lookup in lookups.items():
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{lookup: value})
    search = (filters.get("search") or "").strip()
    if search:
        qs = qs.filter(name__icontains=search)
    return _with_relations(qs).order_by(
        "consortium__authority__sort_order", "consortium__name", "period__due_date", "name", "pk"
    )


def dataset_totals(*, datasets: QuerySet[Dataset]) -> dict[str, int]:
    """Count, records, bytes and open-sourced count of the datasets, in one query."""
    zero = models.Value(0, output_field=models.BigIntegerField())
    return datasets.order_by().aggregate(
        count=Count("pk"),
        records=Coalesce(Sum("records"), zero),
        size_bytes=Coalesce(Sum("size_bytes"), zero),
        open_source=Count("pk", filter=Q(openness=Dataset.Openness.OPEN_SOURCE)),
    )


def selected_tasks(*, consortium: Consortium) -> Iterable[ReferenceTask]:
    """The reference tasks the consortium selected in its plan, by number."""
    return ReferenceTask.objects.filter(
        pk__in=consortium.plan.selections.values("task_id")
    ).order_by("number")
