"""Reporting periods in the admin: their name, span and due date come from the program's calendar
(edit them there); the Ministry administrator sets here when entry opens and locks."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reporting.periods.calendar import period_dates_set
from reporting.periods.models import ReportingPeriod


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["program", "code", "name_zh", "opens_on", "due_date", "locks_on"]
    list_filter = ["program"]
    list_select_related = ["program"]
    ordering = ["program", "due_date"]
    fields = [
        "program",
        "calendar_entry",
        "code",
        "name_zh",
        "name_en",
        "period_start",
        "period_end",
        "due_date",
        "opens_on",
        "locks_on",
    ]
    readonly_fields = [f for f in fields if f not in ("opens_on", "locks_on")]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["locks_on"].help_text = _(
            "Reports can no longer be changed after this day, unless a period is reopened for a "
            "consortium. The name, span and due date follow the program's calendar: change them "
            "there."
        )
        return form

    def has_add_permission(self, request):
        return False  # made from the program's calendar

    def has_delete_permission(self, request, obj=None):
        return False  # retired by deleting its calendar entry

    def save_model(self, request, obj, form, change):
        period_dates_set(
            actor=request.user,
            period=obj,
            opens_on=form.cleaned_data["opens_on"],
            locks_on=form.cleaned_data["locks_on"],
        )
