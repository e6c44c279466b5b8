"""Writes to the deliverables registry: ``deliverable_save`` / ``deliverable_delete`` (permission,
task and period checks, ``full_clean``, audit entry, all in one transaction)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.events import FIGURES_CHANGED, announce
from portal.models import User
from portal.permissions import require
from portal.services import audit_record
from reporting.periods.models import ReportingPeriod
from reporting.registry.kinds import KINDS, kind_of, kinds_for, size_to_bytes
from reporting.registry.models import (
    DeliverableBase,
)
from reporting.registry.permissions import can_edit_deliverables
from reporting.registry.selectors import deliverable_default_period
from tasks_catalog.models import ReferenceTask


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
        if not tasks and consortium.program.uses_task_table:
            errors["tasks"] = [
                ValidationError(_("Choose at least one task it serves."), code="required")
            ]
        elif tasks:
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


def _check_linked(*, consortium: Consortium, spec, linked: dict[str, list]) -> dict[str, list]:
    """Linked deliverables (a model's datasets) must be the consortium's own, of the right kind."""
    errors: dict[str, list] = {}
    for name, items in linked.items():
        model = KINDS[spec.relations[name]].model
        if any(not isinstance(i, model) or i.consortium_id != consortium.pk for i in items):
            errors[name] = [
                ValidationError(
                    _("Choose only the consortium's own %(kind)s.")
                    % {"kind": KINDS[spec.relations[name]].label},
                    code="not_own",
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
    require(can_edit_deliverables(actor, consortium))
    if kind not in kinds_for(consortium.program):
        raise ValidationError(
            _("%(program)s does not record %(kind)s.")
            % {"program": consortium.program.short_name, "kind": spec.label},
            code="kind_not_used",
        )
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
        if name in data and name not in spec.relations:
            setattr(instance, name, data[name])
    tasks = list(data["tasks"]) if "tasks" in data else ([] if creating else None)
    linked = {name: list(data[name]) for name in spec.relations if name in data}

    errors = _check_tasks_and_period(consortium=consortium, period=data.get("period"), tasks=tasks)
    errors.update(size_errors)
    errors.update(_check_linked(consortium=consortium, spec=spec, linked=linked))
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
        for name, items in linked.items():
            getattr(instance, name).set(items)
        audit_record(
            actor=actor,
            action="deliverable.save",
            target=consortium.plan,
            data={"kind": kind, "name": instance.name, "id": instance.pk, "created": creating},
        )
        announce(FIGURES_CHANGED, action="deliverable.save", target=consortium.plan)
    return instance


def deliverable_delete(*, actor: User, instance: DeliverableBase) -> None:
    consortium = instance.consortium
    require(can_edit_deliverables(actor, consortium))
    kind, name, pk = kind_of(instance), instance.name, instance.pk
    with transaction.atomic():
        instance.delete()
        audit_record(
            actor=actor,
            action="deliverable.delete",
            target=consortium.plan,
            data={"kind": kind, "name": name, "id": pk},
        )
        announce(FIGURES_CHANGED, action="deliverable.delete", target=consortium.plan)
