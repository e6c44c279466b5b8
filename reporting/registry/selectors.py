"""Reads of the deliverables registry: ``deliverable_list_for_consortium`` (whoever may see the
consortium) and ``deliverable_catalogue`` (the Ministry, every consortium)."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from consortia.models import Consortium
from portal.permissions import require
from reporting.periods.models import ReportingPeriod
from reporting.periods.permissions import can_view_reports
from reporting.registry.kinds import COMMON_FILTERS, KINDS
from reporting.registry.models import (
    Dataset,
    DeliverableBase,
)
from reporting.registry.permissions import can_browse_deliverables
from tasks_catalog.models import ReferenceTask

# --- selectors -------------------------------------------------------------------------------


def _with_relations(qs: QuerySet) -> QuerySet:
    """Everything a list row shows, in a constant number of queries."""
    spec = next(s for s in KINDS.values() if s.model is qs.model)
    return qs.select_related(
        "period", "created_by", "consortium__authority", "consortium__program"
    ).prefetch_related(
        Prefetch("tasks", queryset=ReferenceTask.objects.order_by("number")), *spec.relations
    )


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
    else the latest one already opened for entry (None before the first opens). Where spans
    overlap (a final summary period covers the whole year), the one that starts latest: the
    quarter, not the year."""
    today = today or timezone.localdate()
    periods = ReportingPeriod.objects.filter(program=program)
    return (
        periods.filter(period_start__lte=today, period_end__gte=today)
        .order_by("-period_start", "due_date")
        .first()
        or periods.filter(opens_on__lte=today)
        .order_by("-period_start", "-opens_on", "-due_date")
        .first()
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
    require(can_browse_deliverables(user))
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
