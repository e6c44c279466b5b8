"""Forms of the report pages (shape only; services decide and save)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consortia.forms import RevisionMixin

from .models import ReportingPeriod, TaskStatus


class ReportForm(RevisionMixin):
    """The overall fields and, per task, status / percent / narratives / nothing to report."""

    summary = forms.CharField(
        label=_("Summary of the period"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    key_figures = forms.CharField(
        label=_("Key figures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requests = forms.CharField(
        label=_("Requests to the Ministry"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for entry in entries:
            n = entry.task.number
            fields = {
                "nothing_to_report": forms.BooleanField(
                    label=_("Nothing to report this period"),
                    required=False,
                    initial=entry.nothing_to_report,
                ),
                "status": forms.ChoiceField(
                    label=_("Status"),
                    required=False,
                    choices=[("", "—"), *TaskStatus.choices],
                    initial=entry.status,
                ),
                "percent": forms.IntegerField(
                    label=_("Percent complete"),
                    required=False,
                    min_value=0,
                    max_value=100,
                    initial=entry.percent,
                ),
                "work_done": forms.CharField(
                    label=_("Work done this period"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=entry.work_done,
                ),
                "next_plan": forms.CharField(
                    label=_("Plan for the next period"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=entry.next_plan,
                ),
                "problems": forms.CharField(
                    label=_("Problems and support needed"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=entry.problems,
                ),
            }
            for name, field in fields.items():
                self.fields[f"t{n}_{name}"] = field
            self.rows.append({"entry": entry, "fields": [self[f"t{n}_{name}"] for name in fields]})

    def overall(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("summary", "key_figures", "problems", "requests")}

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


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"), help_text=_("PDF, PNG/JPEG image or office document.")
    )


class ReviewCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
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
