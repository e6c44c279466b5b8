"""The evaluation's part of the program admin page: the scorecard (criteria and weights) and the
grade bands, edited by the Ministry administrator. Inconsistent input is refused before anything
is saved: the weights must add up to 100, the bands must start at 0 and never overlap. Once an
evaluation of the program is finalised, its scorecard no longer changes (the scores would)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from reporting.evaluation.models import (
    CriterionScore,
    Evaluation,
    EvaluationCriterion,
    GradeBand,
    ModeratedScore,
)
from reporting.evaluation.scheme import band_problems, weight_problems
from reporting.evaluation.workflows import FINAL_STATES
from tasks_catalog.admin import ProgramAdmin


class SchemeFormSet(BaseInlineFormSet):
    def kept(self) -> list:
        return [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not self._should_delete_form(form)
            and (form.instance.pk is not None or form.has_changed())
        ]

    def problems(self) -> list[str]:
        raise NotImplementedError

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        # Ours first: clearer than Django's "duplicate data" for two bands at one bound.
        problems = self.problems()
        if (
            self.has_changed()
            and self.instance.pk is not None
            and (
                Evaluation.objects.filter(
                    consortium__program=self.instance, state__in=FINAL_STATES
                ).exists()
            )
        ):
            problems.append(
                _(
                    "An evaluation of this program is already finalised: its scorecard and grade "
                    "bands can no longer change."
                )
            )
        if problems:
            raise ValidationError(problems)
        super().clean()


class CriterionFormSet(SchemeFormSet):
    def problems(self) -> list[str]:
        scored = [
            form.instance
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and self._should_delete_form(form)
            and form.instance.pk is not None
            and (
                CriterionScore.objects.filter(criterion=form.instance).exists()
                or ModeratedScore.objects.filter(criterion=form.instance).exists()
            )
        ]
        return [
            _("“%(criterion)s” has been scored already and cannot be deleted.")
            % {"criterion": criterion.name}
            for criterion in scored
        ] + weight_problems(row["weight"] for row in self.kept())


class BandFormSet(SchemeFormSet):
    def problems(self) -> list[str]:
        return band_problems(row["lower_bound"] for row in self.kept())


class EvaluationCriterionInline(admin.StackedInline):
    """The program's scorecard: what the Ministry scores, each with its weight (adding up to 100)."""

    model = EvaluationCriterion
    formset = CriterionFormSet
    extra = 0


class GradeBandInline(admin.TabularInline):
    """The grades: each from its lower bound up to the next band's (the lowest starts at 0)."""

    model = GradeBand
    formset = BandFormSet
    extra = 0


for inline in (EvaluationCriterionInline, GradeBandInline):
    if inline not in ProgramAdmin.inlines:
        ProgramAdmin.inlines = [*ProgramAdmin.inlines, inline]
