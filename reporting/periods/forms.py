"""Forms of the report pages (shape only; services decide and save)."""

from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consortia.forms import RevisionMixin
from portal import widgets
from portal.inputs import is_number
from portal.widgets import template_value as _text
from reporting.periods.models import ReportingPeriod, TaskStatus
from reporting.periods.task_memo import remembered_sections


def fields_html(fields) -> str:
    """A task's fields as the report page shows them, one paragraph each: in Python what this
    template loop writes (``test_report_form`` compares them), seven fields a task::

        {% for field in fields %}<p{% if field.widget_type == "checkbox" %} class="check"{% endif %}>
        {% if field.widget_type == "checkbox" %}{{ field }} <label for="{{ field.id_for_label }}">
        {{ field.label }}</label>{% else %}<label for="{{ field.id_for_label }}">{{ field.label }}
        </label>{{ field }}{% endif %}{% if field.help_text %}<span class="helptext">
        {{ field.help_text }}</span>{% endif %}{% if field.errors %}{{ field.errors }}{% endif %}
        </p>{% endfor %}

    (one line, without the line breaks)."""
    out = []
    for field in fields:
        label = f'<label for="{_text(field.id_for_label)}">{_text(field.label)}</label>'
        if field.widget_type == "checkbox":
            out.append(f'<p class="check">{_text(field)} {label}')
        else:
            out.append(f"<p>{label}{_text(field)}")
        if field.help_text:
            out.append(f'<span class="helptext">{_text(field.help_text)}</span>')
        errors = field.errors
        if errors:
            out.append(_text(errors))
        out.append("</p>")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped (_text)


def task_html(row: dict) -> str:
    """A task of the report page's form, its ``<section>`` and the whitespace around it, as the
    page's template wrote it (``test_report_form`` compares them): the task's title and whether
    it is answered (``row["answered"]``, from ``ReportForm.groups``) and unchanged
    (``row["unchanged"]``, from the view), its fields (``fields_html``), its evidence files and
    upload. Twenty tasks a report: written in Python, a fraction of the template's cost."""
    entry, upload = row["entry"], row["file"]
    n = _text(entry.task.number)
    answered = row.get("answered")
    out = [
        f'\n    <section class="task-entry" id="task-{n}" data-task="{n}" '
        f'aria-labelledby="task-{n}-title">\n'
        f'      <h3 id="task-{n}-title">{n}. {_text(entry.task.title)} '
        f'<span class="badge answered-badge {"badge-ok" if answered else "badge-missing"}" '
        f"data-answered-badge>"
        f"{_text(gettext('Answered') if answered else gettext('Not answered'))}</span>"
    ]
    if row.get("unchanged"):
        out.append(
            f' <span class="badge badge-same" data-testid="unchanged-{n}">'
            f"{_text(gettext('same as the previous period'))}</span>"
        )
    out.append(f"</h3>\n      {row['fields_html']()}\n")
    files = [
        f'<a href="{_text(reverse("reporting:evidence-download", args=[f.pk]))}">'
        f"{_text(f.original_name)}</a>"
        for f in entry.evidence.all()
    ]
    out.append(
        '      <div class="evidence">\n'
        '        <p class="evidence-files"><span class="evidence-label">'
        f"{_text(gettext('Evidence'))}</span> {' · '.join(files) if files else '—'}</p>\n"
        f'        <p class="upload"><label for="{_text(upload.id_for_label)}">'
        f"{_text(upload.label)}</label>{_text(upload)}"
        f'<span class="helptext">{_text(upload.help_text)}</span>'
        f'<span class="helptext">{_text(gettext("The text on this page is saved with the file."))}'
        "</span>"
    )
    errors = upload.errors
    if errors:
        out.append(_text(errors))
    out.append(
        f'\n        <button type="submit" name="intent" value="upload-{n}" '
        f'class="btn btn-secondary" data-testid="upload-{n}">{_text(gettext("Upload"))}</button>'
        "</p>\n      </div>\n    </section>\n    "
    )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped (_text)


# The report-level fields of ReportForm (the rest are per task).
OVERALL = ("summary", "key_figures", "problems", "requests")


# A task's fields, made once (their choices normalised, their widgets' attributes set) and copied
# for each task of a form (``_task_field``): 140 fields a report of twenty tasks.
TASK_FIELDS = {
    "nothing_to_report": forms.BooleanField(
        label=_("Nothing to report this period"),
        required=False,
        help_text=_(
            "Clears this period’s status, percent and work done, and the plan and "
            "problems carried over unchanged from the previous period."
        ),
        widget=widgets.CheckboxInput,
    ),
    "status": forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), *TaskStatus.choices],
        widget=widgets.Select,
    ),
    "percent": forms.IntegerField(
        label=_("Percent complete"),
        required=False,
        min_value=0,
        max_value=100,
        widget=widgets.NumberInput,
    ),
    "work_done": forms.CharField(
        label=_("Work done this period"),
        required=False,
        widget=widgets.Textarea(attrs={"rows": 3}),
    ),
    "next_plan": forms.CharField(
        label=_("Plan for the next period"),
        required=False,
        widget=widgets.Textarea(attrs={"rows": 2}),
    ),
    "problems": forms.CharField(
        label=_("Problems and support needed"),
        required=False,
        widget=widgets.Textarea(attrs={"rows": 2}),
    ),
}
EVIDENCE_FIELD = forms.FileField(
    required=False,
    help_text=_("PDF, image or office document."),
    widget=widgets.ClearableFileInput,
)


def _clone(obj):
    """``copy.copy(obj)`` of a plain object (its ``__dict__`` copied), without copy's protocol."""
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


def _task_field(prototype: forms.Field, *, texts: tuple, initial, attrs=None) -> forms.Field:
    """A field of ``TASK_FIELDS`` for one task: what ``copy.deepcopy`` of a form's field gives
    (its own widget and attributes, error messages and validators), without copying the choices
    again (nobody changes them) or building the field anew. ``texts``: its label and help text,
    translated (``_texts``)."""
    field = _clone(prototype)
    field.widget = widget = _clone(prototype.widget)
    widget.attrs = {**widget.attrs, **attrs} if attrs else widget.attrs.copy()
    field.error_messages = prototype.error_messages.copy()
    field.validators = prototype.validators[:]
    field.initial = initial
    field.label, field.help_text = texts
    return field


def _texts(prototype: forms.Field) -> tuple[str | None, str]:
    """The prototype's label and help text in the active language. Translated once a form rather
    than once a task (a lazy text is translated again each time it is read: 60 times a form)."""
    return (
        None if prototype.label is None else str(prototype.label),
        str(prototype.help_text) if prototype.help_text else "",
    )


class ReportForm(RevisionMixin):
    """The overall fields and, per task, status / percent / narratives / nothing to report.

    Seven fields a task, 150 widgets on a report of twenty tasks: the widgets are
    ``portal.widgets``' (Django's markup, written without the template engine).
    """

    # The mixin's revision, its hidden input written in Python (``portal.widgets``).
    revision = forms.IntegerField(widget=widgets.HiddenInput)
    summary = forms.CharField(
        label=_("Summary of the period"), required=False, widget=widgets.Textarea(attrs={"rows": 4})
    )
    key_figures = forms.CharField(
        label=_("Key figures"), required=False, widget=widgets.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems"), required=False, widget=widgets.Textarea(attrs={"rows": 3})
    )
    requests = forms.CharField(
        label=_("Requests to the Ministry"),
        required=False,
        widget=widgets.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        texts = {name: _texts(prototype) for name, prototype in TASK_FIELDS.items()}
        file_label, file_help = gettext("Evidence file for task %(n)s"), _texts(EVIDENCE_FIELD)[1]
        for entry in entries:
            n = entry.task.number
            fields = {
                name: _task_field(
                    prototype,
                    texts=texts[name],
                    initial=getattr(entry, name),
                    attrs={"data-nothing-to-report": n} if name == "nothing_to_report" else None,
                )
                for name, prototype in TASK_FIELDS.items()
            }
            for name, field in fields.items():
                self.fields[f"t{n}_{name}"] = field
            self.fields[f"t{n}_file"] = _task_field(
                EVIDENCE_FIELD, texts=(file_label % {"n": n}, file_help), initial=None
            )
            bound = [self[f"t{n}_{name}"] for name in fields]
            self.rows.append(
                {
                    "entry": entry,
                    "fields": bound,
                    # Called when the page is drawn, after the view has set its widgets' attrs.
                    "fields_html": partial(fields_html, bound),
                    "file": self[f"t{n}_file"],
                }
            )
            self.rows[-1]["html"] = partial(self.task_section, len(self.rows) - 1)
        self._sections = None

    def task_section(self, index: int) -> str:
        """The ``index``-th row's section (``task_html``). The page as a GET draws it (the form
        unbound, without errors): every section read from the cache or written and stored there
        at the first one asked (``task_memo``), the rows' ``answered`` and ``unchanged`` set by
        then. A posted form: written afresh, with what was typed and its errors."""
        if self.is_bound or self.errors:
            return task_html(self.rows[index])
        if self._sections is None:
            self._sections = remembered_sections(self, task_html)
        return self._sections[index]

    def overall_fields(self) -> list:
        """The report-level fields (``OVERALL``), bound, in the form's order."""
        return [self[name] for name in self.fields if name in OVERALL]

    def groups(self) -> list[dict]:
        """The task rows by category (the reference table's order), with how many are answered."""
        out: list[dict] = []
        for row in self.rows:
            category = row["entry"].task.category
            if not out or out[-1]["category"].pk != category.pk:
                out.append({"category": category, "rows": [], "answered": 0})
            row["answered"] = self.row_answered(row)
            out[-1]["rows"].append(row)
            out[-1]["answered"] += row["answered"]
        return out

    def row_answered(self, row) -> bool:
        """Answered as the page shows it now (the typed values when the form was posted)."""
        if not self.is_bound:
            return row["entry"].answered
        n = row["entry"].task.number
        nothing = self[f"t{n}_nothing_to_report"].value()
        return bool(nothing) or bool(self[f"t{n}_status"].value())

    def answered_count(self) -> int:
        return sum(1 for row in self.rows if self.row_answered(row))

    def error_links(self) -> list[dict]:
        """Every field error, with the id of the field it belongs to (the list at the top)."""
        links = [{"anchor": "", "text": m} for m in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name == "__all__":
                continue
            field = self[name]
            label = field.label
            if name.startswith("t") and "_" in name and is_number(name[1:].split("_", 1)[0]):
                number = name[1:].split("_", 1)[0]
                if not name.endswith("_file"):
                    label = _("Task %(n)s: %(field)s") % {"n": number, "field": field.label}
            for message in errors:
                text = _("%(field)s: %(message)s") % {"field": label, "message": message}
                links.append({"anchor": field.id_for_label, "text": text})
        return links

    def add_service_error(self, exc: ValidationError) -> None:
        """A service's refusal on the field it concerns: ``task_4`` and ``evidence_4`` name task 4."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            target = key if key in self.fields else None
            kind, _sep, number = key.partition("_")
            if kind == "evidence" and f"t{number}_file" in self.fields:
                target = f"t{number}_file"
            elif kind == "task" and f"t{number}_status" in self.fields:
                target = f"t{number}_status"
            for error in errors:
                self.add_error(target, error)

    def add_unanswered(self, numbers: list[int]) -> None:
        for n in numbers:
            if f"t{n}_status" in self.fields:
                self.add_error(
                    f"t{n}_status",
                    _("Choose a status, or tick “nothing to report this period”."),
                )

    def uploads(self) -> dict[int, object]:
        return {
            row["entry"].task.number: self.cleaned_data[f"t{row['entry'].task.number}_file"]
            for row in self.rows
            if self.cleaned_data.get(f"t{row['entry'].task.number}_file")
        }

    def overall(self) -> dict:
        return {k: self.cleaned_data[k] for k in OVERALL}

    def entries(self) -> dict[int, dict]:
        out = {}
        for row in self.rows:
            n = row["entry"].task.number
            out[n] = {
                name: self.cleaned_data.get(f"t{n}_{name}")
                for name in (
                    "nothing_to_report",
                    "status",
                    "percent",
                    "work_done",
                    "next_plan",
                    "problems",
                )
            }
            out[n]["status"] = out[n]["status"] or ""
        return out


class ReviewCommentForm(forms.Form):
    """Confirm, return or accept (``actions.py``): the reviewer's comment, as written."""

    comment = forms.CharField(
        label=_("Comment"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(forms.Form):
    consortium = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.ModelChoiceField(
        label=_("Reporting period"), queryset=ReportingPeriod.objects.all()
    )
    locks_on = forms.DateField(
        label=_("New lock date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
