"""Forms of the deliverable pages: shape and widgets only; ``reporting.deliverables`` decides."""

from functools import cache

from django import forms
from django.forms.models import modelform_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from consortia.models import Consortium
from portal.models import Organisation
from tasks_catalog.models import Program, ReferenceTask

from .deliverables import CHOICE_FILTERS, COMMON_FIELDS, KINDS, catalogue_filter_names
from .deliverables import selected_tasks as selected_tasks_of
from .models import ReportingPeriod


class DeliverableFormBase(forms.ModelForm):
    """Tasks and period are *shown* for the consortium (its selected tasks, its program's
    periods) but *accepted* from the whole table, so that the service, not the form, refuses a
    task the consortium did not select, with the message that says why."""

    def __init__(self, *args, consortium: Consortium, **kwargs):
        super().__init__(*args, **kwargs)
        program = consortium.program
        tasks = self.fields["tasks"]
        tasks.queryset = ReferenceTask.objects.filter(program=program).order_by("number")
        tasks.widget.choices = [(t.pk, str(t)) for t in selected_tasks_of(consortium=consortium)]
        tasks.help_text = _("The reference tasks of the plan this deliverable serves.")
        period = self.fields["period"]
        period.queryset = ReportingPeriod.objects.all()
        period.widget.choices = [
            ("", "---------"),
            *((p.pk, str(p)) for p in ReportingPeriod.objects.filter(program=program)),
        ]

    def _post_clean(self):
        # The service validates the model (with the consortium and checks it adds); skip it here.
        pass


@cache
def deliverable_form_class(kind: str) -> type[DeliverableFormBase]:
    spec = KINDS[kind]
    return modelform_factory(
        spec.model,
        form=DeliverableFormBase,
        fields=[*COMMON_FIELDS, *spec.fields],
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
