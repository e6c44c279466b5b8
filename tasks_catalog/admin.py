"""The Ministry administrator's editor for programs and reference tasks.

Access follows model permissions, which only the ``ministry_admin`` group holds.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import CalendarEntry, EntityType, Program, ReferenceTask, TaskCategory
from .services import calendar_entry_delete, calendar_entry_problems, calendar_entry_save


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


class TaskCategoryInline(admin.TabularInline):
    model = TaskCategory
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
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
    inlines = [EntityTypeInline, CalendarEntryInline, TaskCategoryInline]

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
