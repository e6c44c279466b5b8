"""Forms of the deliverable pages: shape and widgets only; ``reporting.registry.services`` decides."""

from functools import cache

from django import forms
from django.forms.models import modelform_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.models import Organisation
from reporting.periods.models import ReportingPeriod
from reporting.registry.kinds import CHOICE_FILTERS, COMMON_FIELDS, KINDS, SIZE_UNITS, size_in_unit
from reporting.registry.selectors import catalogue_filter_names, deliverable_default_period
from reporting.registry.selectors import selected_tasks as selected_tasks_of
from tasks_catalog import terms
from tasks_catalog.models import Program, ReferenceTask


class DeliverableFormBase(forms.ModelForm):
    """Tasks and period are *shown* for the consortium (its selected tasks, its program's
    periods) but *accepted* from the whole table, so that the service, not the form, refuses a
    task the consortium did not select, with the message that says why. A new deliverable
    starts in the current period (``deliverable_default_period``)."""

    kind: str  # set by ``deliverable_form_class``

    def __init__(self, *args, consortium: Consortium, **kwargs):
        super().__init__(*args, **kwargs)
        program = consortium.program
        if program.uses_task_table:
            tasks = self.fields["tasks"]
            tasks.queryset = ReferenceTask.objects.filter(program=program).order_by("number")
            tasks.widget.choices = [
                (t.pk, str(t)) for t in selected_tasks_of(consortium=consortium)
            ]
        else:  # nothing to serve: the program has no reference task table
            del self.fields["tasks"]
        period = self.fields["period"]
        period.queryset = ReportingPeriod.objects.all()
        period.widget.choices = [
            ("", "---------"),
            *((p.pk, str(p)) for p in ReportingPeriod.objects.filter(program=program)),
        ]
        if self.instance.pk is None and self.initial.get("period") is None:
            current = deliverable_default_period(program=program)
            self.initial["period"] = current.pk if current else None
        spec = KINDS[self.kind]
        for name, linked in spec.relations.items():  # like tasks: the service refuses others
            own = KINDS[linked].model.objects.filter(consortium=consortium).order_by("name")
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                choices=[(d.pk, d.name) for d in own]
            )
        for name, field in self.fields.items():
            field.help_text = spec.help_text(name)
        terms.offer(self, program=program)
        self.order_fields(spec.entry_fields)

    def _post_clean(self):
        # The service validates the model (with the consortium and checks it adds); skip it here.
        pass


class DatasetFormBase(DeliverableFormBase):
    """The size is entered as a number and a unit; the service turns them into bytes. An edit
    that leaves both as shown keeps the stored bytes (the number shown is rounded)."""

    size_value = forms.DecimalField(
        label=_("Dataset size"),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )
    size_unit = forms.ChoiceField(
        label=_("Unit of the size"), choices=[(u, u) for u in reversed(SIZE_UNITS)], initial="GB"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            value, unit = size_in_unit(self.instance.size_bytes)
            self.initial.setdefault("size_value", value)
            self.initial.setdefault("size_unit", unit)

    def clean(self):
        cleaned = super().clean()
        unchanged = not {"size_value", "size_unit"} & set(self.changed_data)
        if self.instance.pk is not None and unchanged:
            cleaned.pop("size_value", None)
            cleaned.pop("size_unit", None)
        return cleaned


@cache
def deliverable_form_class(kind: str) -> type[DeliverableFormBase]:
    spec = KINDS[kind]
    sized = "size_bytes" in spec.fields
    return modelform_factory(
        spec.model,
        form=type(
            f"{spec.model.__name__}FormBase",
            (DatasetFormBase if sized else DeliverableFormBase,),
            {"kind": kind, "__module__": __name__},
        ),
        fields=[name for name in spec.entry_fields if name in COMMON_FIELDS or name in spec.fields],
        widgets={"tasks": forms.CheckboxSelectMultiple},
    )


class CatalogueFilterForm(forms.Form):
    """The Ministry's catalogue filters (GET). Invalid values are left out, not refused."""

    program = forms.ChoiceField(label=_("Program"), required=False)
    period = forms.ChoiceField(label=_("Reporting period"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    search = forms.CharField(label=_("Name contains"), required=False, max_length=100)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        spec = KINDS[kind]
        everything = [("", _("All"))]
        self.fields["program"].choices = everything + [
            (p.code, p.short_name) for p in Program.objects.order_by("-start_date", "code")
        ]
        periods = ReportingPeriod.objects.select_related("program").order_by(
            "program__start_date", "due_date"
        )
        self.fields["period"].choices = everything + list(
            dict.fromkeys((p.code, str(p)) for p in periods)
        )
        self.fields["province"].choices = everything + [
            (o.code, o.region_name or o.name)
            for o in Organisation.objects.filter(kind=Organisation.Kind.PROVINCIAL_AUTHORITY)
        ]
        for name in CHOICE_FILTERS:
            if name in spec.filters:
                self.fields[name] = forms.ChoiceField(
                    label=capfirst(spec.field_label(name)),
                    choices=everything + spec.choices(name),
                    required=False,
                )
        order = catalogue_filter_names(kind)
        self.order_fields([name for name in order if name != "search"] + ["search"])

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}
