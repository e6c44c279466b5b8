"""Forms of the plan pages: shape and widgets only; the services decide and save."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation
from tasks_catalog import terms
from tasks_catalog.models import Program

from .content import SECTIONS, TEXT_SECTIONS, commitment_text, section_labels, text_limits
from .models import (
    FOUNDATION_GUIDE_CHARS,
    FOUNDATION_MAX_CHARS,
    OPINION_MAX_CHARS,
    PLAN_GUIDE_CHARS,
    PLAN_MAX_CHARS,
    TARGET_GUIDE_CHARS,
    TARGET_MAX_CHARS,
    Consortium,
    MemberUnit,
)
from .services import CONSORTIUM_FIELDS, MEMBER_FIELDS
from .validators import count_characters


def apply_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class RevisionMixin(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ConsortiumForm(RevisionMixin, forms.ModelForm):
    class Meta:
        model = Consortium
        fields = CONSORTIUM_FIELDS
        widgets = {
            "signing_date": forms.DateInput(attrs={"type": "date"}),
            "entity_type": forms.RadioSelect,
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity_type"].queryset = program.entity_types.all()
        self.fields["entity_type"].empty_label = None
        terms.offer(self, program=program)
        self.fields["lead_unit_credit_code"].help_text = _(
            "18 characters, as on the business licence."
        )
        self.fields["lead_unit_name"].help_text = _("The full legal name.")
        if not self.instance.pk:
            self.fields["revision"].required = False

    def _post_clean(self):
        # The service validates the model (with the program and authority it sets); skip it here.
        pass


class MemberForm(RevisionMixin, forms.ModelForm):
    class Meta:
        model = MemberUnit
        fields = MEMBER_FIELDS
        widgets = {
            "profile": forms.Textarea(attrs={"rows": 3}),
            "role": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):
        pass


class PlanSectionsForm(RevisionMixin):
    work_foundation = forms.CharField(
        label=_("3. Existing work foundation"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "data-guide": FOUNDATION_GUIDE_CHARS,
                "data-max": FOUNDATION_MAX_CHARS,
            }
        ),
        help_text=_(
            "Industrial-data work already done by the units: data infrastructure, technology research, "
            "standards, mechanisms, application scenarios (about 800 characters)."
        ),
    )
    implementation_plan = forms.CharField(
        label=_("4. Implementation plan"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 24, "data-guide": PLAN_GUIDE_CHARS, "data-max": PLAN_MAX_CHARS}
        ),
        help_text=_(
            "Around the “1+4+N” system (see Attachment 2): the 2026 goals, then the implementation path, "
            "work plan and safeguards (about 2,000 characters)."
        ),
    )
    commitments = forms.MultipleChoiceField(
        label=_("5. Lead unit's commitment"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Confirm each statement; the lead unit stamps the printed form."),
    )
    authority_opinion = forms.CharField(
        label=_("6. Recommending unit's opinion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-guide": 200, "data-max": OPINION_MAX_CHARS}),
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        # Headings, prompts and lengths as the program's form words them.
        labels = section_labels(program)
        for field, (guide, most) in text_limits(program).items():
            self.fields[field].widget.attrs.update({"data-max": most})
            if guide:
                self.fields[field].widget.attrs["data-guide"] = guide
        for field, key in [
            *TEXT_SECTIONS.items(),
            ("commitments", "commitment"),
            ("authority_opinion", "opinion"),
        ]:
            self.fields[field].label = labels[key]
            section = program.plan_section(key)
            if section is not None and section.prompt:
                self.fields[field].help_text = section.prompt
        self.fields["commitments"].choices = [
            (c["key"], commitment_text(c)) for c in program.plan_commitments
        ]


class TaskSelectionForm(RevisionMixin):
    """One checkbox, one member list and one target (预期目标) per reference task; mandatory
    tasks are fixed. Only the targets of the tasks selected are saved."""

    def __init__(
        self,
        *args,
        program: Program,
        members,
        selected: dict[int, list[int]],
        targets: dict[int, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        targets = targets or {}
        member_choices = [(m.pk, m.name) for m in members]
        self.rows = []
        for task in program.tasks.select_related("category").order_by("number"):
            sel_name, who_name = f"task_{task.number}", f"members_{task.number}"
            self.fields[sel_name] = forms.BooleanField(
                required=False,
                initial=task.mandatory or task.number in selected,
                disabled=task.mandatory,
                label=task.title,
            )
            self.fields[who_name] = forms.TypedMultipleChoiceField(
                required=False,
                choices=member_choices,
                coerce=int,
                initial=selected.get(task.number, []),
                widget=forms.CheckboxSelectMultiple,
                label=_("Responsible member units"),
            )
            target_name = f"target_{task.number}"
            self.fields[target_name] = forms.CharField(
                required=False,
                strip=True,
                initial=targets.get(task.number, ""),
                label=_("Target"),
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "data-guide": TARGET_GUIDE_CHARS,
                        "data-max": TARGET_MAX_CHARS,
                    }
                ),
            )
            self.rows.append(
                {
                    "task": task,
                    "selected": self[sel_name],
                    "members": self[who_name],
                    "target": self[target_name],
                }
            )

    def clean(self):
        cleaned = super().clean()
        for row in self.rows:
            name = f"target_{row['task'].number}"
            n = count_characters(cleaned.get(name, ""))
            if n > TARGET_MAX_CHARS:
                self.add_error(
                    name,
                    _("The target has %(n)d characters; at most %(max)d.")
                    % {"n": n, "max": TARGET_MAX_CHARS},
                )
        return cleaned

    def targets(self) -> dict[int, str]:
        """The targets of the tasks selected (a deselected task's box is ignored)."""
        return {
            number: self.cleaned_data.get(f"target_{number}", "") for number in self.selections()
        }

    def selections(self) -> dict[int, list[int]]:
        out = {}
        for row in self.rows:
            number = row["task"].number
            if self.cleaned_data.get(f"task_{number}") or row["task"].mandatory:
                out[number] = self.cleaned_data.get(f"members_{number}") or []
        return out


class ScanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Stamped scan (PDF)"),
        help_text=_(
            "Print the form, stamp it (with the cross-page seal), scan every page into one PDF."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    takes_program = True  # the page passes the plan's program: sections headed as its form

    def __init__(self, *args, program: Program | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in section_labels(program).items():
            self.fields[f"section_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def section_comments(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"section_{key}", "") for key in SECTIONS}

    def clean(self):
        cleaned = super().clean()
        cleaned["section_comments"] = self.section_comments()  # the service's input
        return cleaned


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.filter(is_active=True)
    )
    authority = forms.ModelChoiceField(
        label=_("Provincial authority"),
        queryset=Organisation.objects.filter(
            kind=Organisation.Kind.PROVINCIAL_AUTHORITY, is_active=True
        ),
    )
    new_deadline = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


# --- amendments of an approved plan: the plan's forms, with what an amendment changes ----------


class AmendmentProposeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What changes and why: member units, task division, targets, work foundation or "
            "implementation plan."
        ),
    )


class AmendmentSectionsForm(PlanSectionsForm):
    """Sections 3 and 4 of the plan's form (the commitment and the opinion stay as approved),
    with the reason for the amendment."""

    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["commitments"]
        del self.fields["authority_opinion"]
        self.order_fields(["reason", "work_foundation", "implementation_plan", "revision"])


class AmendmentMemberForm(MemberForm):
    """The plan's member form, for a row of the amendment (its order is the list's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["sort_order"]
