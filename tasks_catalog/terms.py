"""Reference lists as data: industries, key stages (关键环节) and kinds of lead unit.

Records keep the entry's code in a plain ``CharField`` whose ``choices`` is one of the
callables below (Django evaluates it when the choices are read, so ``get_FOO_display``, model
validation, the admin and generic tables follow the table ``ReferenceTerm``). The model's
choices hold every entry, retired ones included, so old records keep their label and stay
valid; forms and the API offer only what is active (and, for industries, what the program
names), plus the value a record already has (``choices``).

Each process keeps the lists for ``TTL`` seconds; a save in the admin clears its own copy at
once, other processes see it within the TTL. Labels follow the active language when read.
"""

import time
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.i18n import localized

INDUSTRY = "industry"
STAGE = "stage"
LEAD_UNIT_KIND = "lead_unit_kind"
LISTS = (INDUSTRY, STAGE, LEAD_UNIT_KIND)

TTL = 60.0


@dataclass(frozen=True)
class Entry:
    code: str
    name_zh: str
    name_en: str
    is_active: bool

    @property
    def name(self) -> str:
        return localized(self, "name")


_cache: dict[str, tuple[float, tuple[Entry, ...]]] = {}


def entries(list_name: str) -> tuple[Entry, ...]:
    """Every entry of the list, retired ones included, in the admin's order."""
    hit = _cache.get(list_name)
    now = time.monotonic()
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    from .models import ReferenceTerm

    try:
        rows = tuple(
            Entry(*row)
            for row in ReferenceTerm.objects.filter(list=list_name)
            .order_by("sort_order", "code")
            .values_list("code", "name_zh", "name_en", "is_active")
        )
    except DatabaseError:  # the table does not exist yet: system checks before the first migrate
        return ()
    _cache[list_name] = (now, rows)
    return rows


def forget(**_kwargs) -> None:
    """Drop this process's copy (after a change in the admin; tests call it between tests)."""
    _cache.clear()


def label(list_name: str, code: str) -> str:
    """The entry's name in the active language; the code itself if the list has no such entry."""
    for entry in entries(list_name):
        if entry.code == code:
            return entry.name
    return code


def choices(list_name: str, *, program=None, keep: str | None = None) -> list[tuple[str, str]]:
    """What a form or the API offers: active entries (for industries, only the program's key
    industries when it names some), plus ``keep``, the value the record already has."""
    offered = {e.code for e in entries(list_name) if e.is_active}
    if list_name == INDUSTRY and program is not None and program.pk is not None:
        named = set(program.key_industries.values_list("code", flat=True))
        if named:
            offered &= named
    if keep:
        offered.add(keep)
    return [(e.code, e.name) for e in entries(list_name) if e.code in offered]


def all_choices(list_name: str) -> list[tuple[str, str]]:
    return [(e.code, e.name) for e in entries(list_name)]


# The model fields' ``choices``: module-level functions, so that migrations refer to them.
def industry_choices() -> list[tuple[str, str]]:
    return all_choices(INDUSTRY)


def stage_choices() -> list[tuple[str, str]]:
    return all_choices(STAGE)


def lead_unit_kind_choices() -> list[tuple[str, str]]:
    return all_choices(LEAD_UNIT_KIND)


industry_choices.term_list = INDUSTRY
stage_choices.term_list = STAGE
lead_unit_kind_choices.term_list = LEAD_UNIT_KIND


def list_of(model_field) -> str | None:
    """The reference list a model field draws its choices from, or None."""
    func = getattr(getattr(model_field, "choices", None), "func", None)
    return getattr(func, "term_list", None)


def offer(form, *, program=None) -> None:
    """Narrow a model form's reference-list fields to what ``choices`` offers."""
    opts = form._meta.model._meta
    for name, field in form.fields.items():
        try:
            list_name = list_of(opts.get_field(name))
        except FieldDoesNotExist:
            continue
        if list_name:
            keep = getattr(form.instance, name, None) if form.instance.pk else None
            field.choices = [("", "---------"), *choices(list_name, program=program, keep=keep)]


def connect() -> None:
    """Called from ``TasksCatalogConfig.ready``: changes in the admin clear the cache."""
    from .models import Program, ReferenceTerm

    post_save.connect(forget, sender=ReferenceTerm, dispatch_uid="terms-forget-save")
    post_delete.connect(forget, sender=ReferenceTerm, dispatch_uid="terms-forget-delete")
    m2m_changed.connect(
        forget, sender=Program.key_industries.through, dispatch_uid="terms-forget-m2m"
    )
