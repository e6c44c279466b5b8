"""The Ministry administrator's editor for programs and reference tasks.

Access follows model permissions, which only the ``ministry_admin`` group holds.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .models import (
    CalendarEntry,
    EntityType,
    PlanCommitment,
    PlanFormSection,
    Program,
    ReferenceTask,
    ReferenceTerm,
    TaskCategory,
)
from .selectors import program_missing
from .services import (
    calendar_entry_delete,
    calendar_entry_problems,
    calendar_entry_save,
    program_copy,
)


class EntityTypeInline(admin.TabularInline):
    model = EntityType
    extra = 0


class CalendarFormSet(BaseInlineFormSet):
    """Refuse, before anything is saved, a calendar change that other apps cannot follow."""

    def clean(self) -> None:
        super().clean()
        problems = []
        for form in self.forms:
            if (
                not getattr(form, "cleaned_data", None)
                or form.instance.pk is None
                and not form.has_changed()
            ):
                continue
            deleting = self._should_delete_form(form)
            if deleting or form.has_changed():
                problems += calendar_entry_problems(form.instance, deleting=deleting)
        if problems:
            raise ValidationError(problems)


class CalendarEntryInline(admin.TabularInline):
    """The program's dates: its reporting periods follow these rows (created, moved, retired)."""

    model = CalendarEntry
    formset = CalendarFormSet
    extra = 0


class PlanFormSectionInline(admin.StackedInline):
    """The plan form's sections as the notice words them (heading, prompt, length)."""

    model = PlanFormSection
    extra = 0


class PlanCommitmentInline(admin.TabularInline):
    """The statements of the lead unit's commitment, confirmed one by one in the web form."""

    model = PlanCommitment
    extra = 0


class TaskCategoryInline(admin.TabularInline):
    model = TaskCategory
    extra = 0


class ProgramForm(forms.ModelForm):
    """A program opens (becomes active) only when nothing it needs is missing."""

    # No Meta: the admin builds the form's fields (ModelAdmin.get_form).

    def clean(self):
        cleaned = super().clean()
        opening = cleaned.get("is_active") and not (
            self.instance.pk and self.initial.get("is_active")
        )
        if opening and self.instance.pk and (missing := program_missing(program=self.instance)):
            self.add_error(
                "is_active",
                _("The program cannot open yet. Missing: %(missing)s.")
                % {"missing": pgettext("list separator", "; ").join(str(m) for m in missing)},
            )
        return cleaned


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramForm
    actions = ["copy_program"]
    readonly_fields = ["missing"]
    list_display = [
        "code",
        "short_name_zh",
        "document_number",
        "plan_deadline",
        "cadence",
        "recommendation_quota",
        "is_active",
    ]
    list_filter = ["cadence", "is_active"]
    search_fields = ["code", "name_zh", "name_en", "document_number"]
    filter_horizontal = ["key_industries"]
    inlines = [
        EntityTypeInline,
        CalendarEntryInline,
        PlanFormSectionInline,
        PlanCommitmentInline,
        TaskCategoryInline,
    ]

    @admin.display(description=_("Missing before the program can open"))
    def missing(self, program):
        items = program_missing(program=program)
        if not items:
            return _("Nothing: the program is ready to open.")
        return format_html_join("", "<li>{}</li>", ((m,) for m in items))

    @admin.action(description=_("Copy the selected program as a new, inactive program"))
    def copy_program(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one program to copy."), messages.ERROR)
            return None
        copy = program_copy(actor=request.user, source=queryset.get())
        self.message_user(
            request,
            _("Copied as “%(code)s”. Edit what differs, then open it.") % {"code": copy.code},
            messages.SUCCESS,
        )
        return redirect("admin:tasks_catalog_program_change", copy.pk)

    def save_formset(self, request, form, formset, change):
        if formset.model is not CalendarEntry:
            return super().save_formset(request, form, formset, change)
        # Through the services: audited, and followed by the reporting periods.
        entries = formset.save(commit=False)
        for entry in formset.deleted_objects:
            calendar_entry_delete(actor=request.user, entry=entry)
        for entry in entries:
            calendar_entry_save(actor=request.user, entry=entry)


@admin.register(ReferenceTask)
class ReferenceTaskAdmin(admin.ModelAdmin):
    list_display = ["program", "number", "category", "title_zh", "mandatory"]
    list_filter = ["program", "mandatory", "category__name_zh"]
    search_fields = ["title_zh", "title_en"]
    list_select_related = ["program", "category"]
    ordering = ["program", "number"]


@admin.register(ReferenceTerm)
class ReferenceTermAdmin(admin.ModelAdmin):
    """Industries, key stages and kinds of lead unit. Records keep an entry's code, so a used
    entry is retired (unticked “offered in forms”), never deleted or recoded."""

    list_display = ["list", "code", "name_zh", "name_en", "sort_order", "is_active"]
    list_editable = ["name_zh", "name_en", "sort_order", "is_active"]
    list_filter = ["list", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["list", "sort_order", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["list", "code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False
