"""The "1+4+N" deliverables registry: one table of kinds, the services that write them and the
selectors that read them. Pages, API and exports are all driven by ``KINDS``; nothing is written
per kind.

Writes: ``deliverable_save`` / ``deliverable_delete`` (permission, task and period checks,
``full_clean``, audit entry, all in one transaction). Reads: ``deliverable_list_for_consortium``
(whoever may see the consortium) and ``deliverable_catalogue`` (the Ministry, every consortium).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
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


@dataclass(frozen=True)
class DeliverableKind:
    key: str
    model: type[DeliverableBase]
    label: Promise  # plural, for tabs and titles
    label_singular: Promise
    fields: tuple[str, ...]  # the kind's own fields, after COMMON_FIELDS, in form order
    columns: tuple[str, ...]  # the kind's own columns in list tables (exports take every field)
    filters: tuple[str, ...] = ()  # the kind's choice fields the catalogue filters on

    def field_label(self, name: str) -> str:
        return self.model._meta.get_field(name).verbose_name

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
        ),
        DeliverableKind(
            key="standard",
            model=Standard,
            label=_("Standards"),
            label_singular=_("Standard"),
            fields=("level", "stage", "number"),
            columns=("level", "stage", "number"),
            filters=("level", "stage"),
        ),
        DeliverableKind(
            key="data_product",
            model=DataProduct,
            label=_("Data products"),
            label_singular=_("Data product"),
            fields=("product_type", "listed_or_traded"),
            columns=("product_type", "listed_or_traded"),
        ),
        DeliverableKind(
            key="scenario",
            model=Scenario,
            label=_("Application scenarios"),
            label_singular=_("Application scenario"),
            fields=("stage", "model_used", "effect"),
            columns=("stage", "model_used"),
            filters=("stage",),
        ),
        DeliverableKind(
            key="key_technology",
            model=KeyTechnology,
            label=_("Key data technologies"),
            label_singular=_("Key data technology"),
            fields=("status",),
            columns=("status",),
            filters=("status",),
        ),
        DeliverableKind(
            key="data_requirement",
            model=DataRequirement,
            label=_("Scenario data requirements"),
            label_singular=_("Scenario data requirement"),
            fields=("scenario", "description"),
            columns=("scenario",),
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
    kind's own fields; keys it leaves out keep their value. Only the consortium lead writes, only
    tasks the consortium selected in its plan, only periods of its program.
    """
    spec = KINDS[kind]
    _require(can_edit_deliverables(actor, consortium))
    creating = instance is None
    if creating:
        instance = spec.model(consortium=consortium, created_by=actor)
    elif not isinstance(instance, spec.model) or instance.consortium_id != consortium.pk:
        raise ValueError("the deliverable is not of this kind or consortium")

    for name in ("name", "period", *spec.fields):
        if name in data:
            setattr(instance, name, data[name])
    tasks = list(data["tasks"]) if "tasks" in data else ([] if creating else None)

    errors = _check_tasks_and_period(consortium=consortium, period=data.get("period"), tasks=tasks)
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
