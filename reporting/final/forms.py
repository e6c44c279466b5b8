"""The final summary's page forms: shape only (the services check and save)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.final.models import (
    ACHIEVED_MAX_CHARS,
    EVIDENCE_MAX_CHARS,
    NOTE_MAX_CHARS,
    OPINION_MAX_CHARS,
    TEXT_LIMITS,
    Completion,
    FinalReport,
)
from reporting.registry.models import Dataset, KeyIndustryModel
from tasks_catalog import terms

TEXT_LABELS = {
    "paths_mechanisms": _("Effective paths, innovative mechanisms and experience"),
    "problems": _("Problems"),
    "suggestions": _("Suggestions"),
}
TEXT_HELP = {
    "paths_mechanisms": _(
        "What worked and can be repeated elsewhere: the paths taken, the mechanisms created and "
        "the experience gained. About %(guide)s characters, at most %(max)s."
    ),
    "problems": _("The problems met. About %(guide)s characters, at most %(max)s."),
    "suggestions": _(
        "Suggestions to the Ministry and the provinces. About %(guide)s characters, at most "
        "%(max)s."
    ),
}


class FinalForm(forms.Form):
    """The lead's form: text fields, one block per outcome, one row per figure."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, report: FinalReport, **kwargs):
        super().__init__(*args, **kwargs)
        for field, (guide, limit) in TEXT_LIMITS.items():
            self.fields[field] = forms.CharField(
                label=TEXT_LABELS[field],
                required=False,
                strip=False,
                help_text=TEXT_HELP[field] % {"guide": guide, "max": limit},
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=getattr(report, field),
            )
        self.outcomes = list(report.outcomes.select_related("task__category"))
        self.rows = []
        for o in self.outcomes:
            n = o.task.number
            self.fields[f"t{n}_completion"] = forms.ChoiceField(
                label=_("Completion"),
                choices=[("", "—"), *Completion.choices],
                required=False,
                initial=o.completion,
            )
            self.fields[f"t{n}_percent"] = forms.IntegerField(
                label=_("Percent complete"),
                min_value=0,
                max_value=100,
                required=False,
                initial=o.percent,
            )
            self.fields[f"t{n}_achieved"] = forms.CharField(
                label=_("What was achieved"),
                required=False,
                strip=False,
                help_text=_("At most %(max)s characters.") % {"max": ACHIEVED_MAX_CHARS},
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=o.achieved,
            )
            self.fields[f"t{n}_evidence"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                strip=False,
                help_text=_("Documents, figures or links that show it; at most %(max)s characters.")
                % {"max": EVIDENCE_MAX_CHARS},
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=o.evidence,
            )
            self.rows.append({"outcome": o, "fields": [self[f"t{n}_{f}"] for f in _OUTCOME]})
        self.figures = list(report.figures.all())
        self.figure_rows = []
        for f in self.figures:
            self.fields[f"f_{f.kind}_count"] = forms.IntegerField(
                label=_("Corrected figure"), min_value=0, required=False, initial=f.corrected_count
            )
            self.fields[f"f_{f.kind}_note"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX_CHARS * 2,
                initial=f.note,
            )
            self.figure_rows.append(
                {
                    "figure": f,
                    "count": self[f"f_{f.kind}_count"],
                    "note": self[f"f_{f.kind}_note"],
                }
            )

    def texts(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in TEXT_LIMITS}

    def outcome_values(self) -> dict:
        return {
            o.task.number: {f: self.cleaned_data.get(f"t{o.task.number}_{f}") for f in _OUTCOME}
            for o in self.outcomes
        }

    def figure_values(self) -> dict:
        return {
            f.kind: {
                "corrected_count": self.cleaned_data.get(f"f_{f.kind}_count"),
                "note": self.cleaned_data.get(f"f_{f.kind}_note") or "",
            }
            for f in self.figures
        }

    def add_service_error(self, exc) -> None:
        """A service's ValidationError, on the fields it names (task_4 → its block's fields)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.message_dict.items():
            if key in self.fields:
                self.add_error(key, errors)
            elif key.startswith("task_") and f"t{key[5:]}_achieved" in self.fields:
                self.add_error(f"t{key[5:]}_achieved", errors)
            elif key.startswith("figure_") and f"f_{key[7:]}_note" in self.fields:
                self.add_error(f"f_{key[7:]}_note", errors)
            else:
                self.add_error(None, errors)


_OUTCOME = ("completion", "percent", "achieved", "evidence")


class ReviewForm(forms.Form):
    """Confirm (the province's opinion), return or accept: the comment, as written."""

    comment = forms.CharField(
        label=_("Opinion or comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = _("At most %(max)s characters.") % {
            "max": OPINION_MAX_CHARS
        }


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Stamped scan (PDF)"))


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scenario = forms.CharField(label=_("Application scenario"), max_length=200)
    stage = forms.ChoiceField(label=_("Key stage"), choices=terms.stage_choices)
    effect = forms.CharField(label=_("Effect"), widget=forms.Textarea(attrs={"rows": 3}))
    datasets = forms.ModelMultipleChoiceField(
        label=_("Datasets used"), queryset=Dataset.objects.none(), required=False
    )
    industry_models = forms.ModelMultipleChoiceField(
        label=_("Key industry models used"),
        queryset=KeyIndustryModel.objects.none(),
        required=False,
    )

    def __init__(self, *args, consortium, with_models: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].queryset = Dataset.objects.filter(consortium=consortium)
        if with_models:
            self.fields["industry_models"].queryset = KeyIndustryModel.objects.filter(
                consortium=consortium
            )
        else:
            del self.fields["industry_models"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["datasets"] = [d.pk for d in data.get("datasets") or []]
        data["industry_models"] = [m.pk for m in data.get("industry_models") or []]
        return data
