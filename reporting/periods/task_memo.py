"""The report page's task sections, remembered in the cache by what they are written from.

A lead's report page writes twenty task sections (``forms.task_html``: seven fields, the
evidence files, the upload), about half of the page's cost, and an autosave changes one task
at most between two views of the page. Each section is remembered under a digest of everything
it is written from, so a section is never shown stale: a change of any of these is a new key
(the old one expires, unread):

- for each of its fields: the field's and widget's classes, name, id, label, help text, value,
  widget attributes (``data-previous`` included), required / disabled / localized flags;
- the task's number and title, whether it is answered, its fields unchanged from the previous
  period, its evidence files (pk and name);
- once a request: the language, the script prefix and the evidence URL, the translations of the
  section's own words and of the status choices, the form's prefix and ids, and the code that
  writes the section (this module, ``forms.py``, ``portal/widgets.py``, Django's version).

Only an unbound form without errors is remembered (the page as a GET draws it); a posted form
shows what was typed, and its errors, written afresh (``ReportForm.task_section``).
"""

import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

import django
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from portal.caching import cached_many

TIMEOUT = 60 * 60  # a lead's editing session; an unread section expires
KEY_PREFIX = "report-task:"

# The words task_html writes (besides the fields' own): their translations are in the key, so a
# new translation is a new key.
WORDS = (
    "Answered",
    "Not answered",
    "same as the previous period",
    "Evidence",
    "The text on this page is saved with the file.",
    "Upload",
)


def _code_version() -> str:
    """The code that writes a section: a deployment that changes it changes every key."""
    digest = hashlib.sha256(django.get_version().encode())
    for module in ("reporting.periods.task_memo", "reporting.periods.forms", "portal.widgets"):
        # The module's file as found (its source, or its compiled file if shipped without one),
        # read without importing it (forms imports this module).
        digest.update(Path(importlib.util.find_spec(module).origin).read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def _request_part(form) -> str:
    """What every section of the page shares (asked once a request), as a digest."""
    status = form.fields[f"t{form.rows[0]['entry'].task.number}_status"]
    shared = repr(
        (
            CODE_VERSION,
            get_language(),
            get_script_prefix(),
            reverse("reporting:evidence-download", args=[0]),
            [gettext(word) for word in WORDS],
            [(value, str(label)) for value, label in status.choices],
            form.prefix,
            form.auto_id,
            form.use_required_attribute,
            type(form.renderer).__qualname__,
        )
    )
    return hashlib.sha256(shared.encode()).hexdigest()


def _field_part(bound, text) -> tuple:
    field, widget = bound.field, bound.field.widget
    return (
        type(field).__qualname__,
        type(widget).__qualname__,
        bound.html_name,
        bound.auto_id,
        text(bound.label),
        text(field.help_text),
        bound.value(),
        list(widget.attrs.items()),
        field.required,
        field.disabled,
        field.localize,
        field.show_hidden_initial,
        widget.is_required,
    )


def _key(request_part: str, row: dict, text) -> str:
    entry = row["entry"]
    parts = (
        request_part,
        entry.task.number,
        str(entry.task.title),
        bool(row.get("answered")),
        list(row.get("unchanged") or ()),
        [(f.pk, f.original_name) for f in entry.evidence.all()],
        [_field_part(bound, text) for bound in (*row["fields"], row["file"])],
    )
    return KEY_PREFIX + hashlib.sha256(repr(parts).encode()).hexdigest()


def remembered_sections(form, render: Callable[[dict], str]) -> list[str]:
    """Every row's section (``render(row)``), as ``render`` writes it now: read from the cache in
    one round trip, those missing written and stored in one more. ``form``: a ``ReportForm``,
    unbound, without errors, its rows' ``answered`` and ``unchanged`` set."""
    if not form.rows:
        return []
    request_part = _request_part(form)
    translated: dict[int, tuple] = {}

    def text(value) -> str:
        """``str(value)``; a lazy translation (every task's labels are the same ones) translated
        once in this call (the object kept with its text, so its id is not reused meanwhile)."""
        if type(value) is str:
            return value
        if id(value) not in translated:
            translated[id(value)] = (value, str(value))
        return translated[id(value)][1]

    keys = [_key(request_part, row, text) for row in form.rows]
    by_key = dict(zip(keys, form.rows, strict=True))

    def write(missed: list[str]) -> dict[str, str]:
        return {key: str(render(by_key[key])) for key in missed}

    found = cached_many(keys, write, TIMEOUT)
    # Every value was written by render(), its values escaped there.
    return [mark_safe(found[key]) for key in keys]  # noqa: S308
