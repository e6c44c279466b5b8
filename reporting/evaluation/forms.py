"""The evaluation pages' forms: shape only (the services check the rest)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.evaluation.models import EvaluationCriterion


class EvaluationActionForm(forms.Form):
    """Close scoring, reopen, finalise, publish (``actions.py``): the revision shown, a comment."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _score_field(criterion: EvaluationCriterion, label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=criterion.max_score,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": 0, "max": criterion.max_score}),
    )


class ScorecardForm(forms.Form):
    """A reviewer's scorecard: one score (0 to the criterion's maximum) and comment per criterion."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, criteria: list[EvaluationCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.rows = []
        for criterion in criteria:
            self.fields[f"score_{criterion.code}"] = _score_field(criterion, _("Score"))
            self.fields[f"comment_{criterion.code}"] = forms.CharField(
                label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.rows.append(
                {
                    "criterion": criterion,
                    "score": self[f"score_{criterion.code}"],
                    "comment": self[f"comment_{criterion.code}"],
                }
            )

    def scores(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "criterion": c.code,
                "score": data.get(f"score_{c.code}"),
                "comment": data.get(f"comment_{c.code}", ""),
            }
            for c in self.criteria
        ]


class ModerationForm(forms.Form):
    """The moderator's final score (empty: the average), its reason and the comment per criterion."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    conclusion = forms.CharField(
        label=_("Overall comment to the consortium"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria: list[EvaluationCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.rows = []
        for criterion in criteria:
            code = criterion.code
            self.fields[f"final_{code}"] = _score_field(criterion, _("Final score"))
            self.fields[f"reason_{code}"] = forms.CharField(
                label=_("Reason for the final score"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"comment_{code}"] = forms.CharField(
                label=_("Comment to the consortium"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.rows.append(
                {
                    "criterion": criterion,
                    "final": self[f"final_{code}"],
                    "reason": self[f"reason_{code}"],
                    "comment": self[f"comment_{code}"],
                }
            )

    def finals(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "criterion": c.code,
                "score": data.get(f"final_{c.code}"),
                "reason": data.get(f"reason_{c.code}", ""),
                "comment": data.get(f"comment_{c.code}", ""),
            }
            for c in self.criteria
        ]


class RankingFilterForm(forms.Form):
    """The ranking's and the list's filters (entity type and province, as codes)."""

    entity_type = forms.ChoiceField(label=_("Implementing-entity type"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, *args, program, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity_type"].choices = [("", _("All"))] + [
            (t.code, t.name) for t in program.entity_types.all()
        ]
        self.fields["province"].choices = [("", _("All"))] + [
            (p.code, p.region_name) for p in provinces
        ]
